"""Submitted scorecards, their step scores and submitted feedback can never change.

Triggers, so that no path (ORM save, queryset.update, admin, raw SQL) gets around it. On
PostgreSQL deletes are refused too; TRUNCATE (the test runner's flush) is not a row operation.
SQLite's flush deletes row by row, so there only updates and inserts are guarded.
"""

from django.db import migrations

PG_CREATE = """
CREATE FUNCTION scoring_submitted_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'a submitted row of % is immutable', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER scorecard_submitted_is_final BEFORE UPDATE OR DELETE ON scoring_scorecard
    FOR EACH ROW EXECUTE FUNCTION scoring_submitted_is_final();
CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE OR DELETE ON scoring_interviewerfeedback
    FOR EACH ROW EXECUTE FUNCTION scoring_submitted_is_final();

CREATE FUNCTION scoring_step_score_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (
            SELECT 1 FROM scoring_scorecard WHERE id = OLD.scorecard_id AND status = 'submitted'))
       OR (TG_OP <> 'DELETE' AND EXISTS (
            SELECT 1 FROM scoring_scorecard WHERE id = NEW.scorecard_id AND status = 'submitted'))
    THEN
        RAISE EXCEPTION 'the step scores of a submitted scorecard are immutable'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER step_score_is_final BEFORE INSERT OR UPDATE OR DELETE ON scoring_stepscore
    FOR EACH ROW EXECUTE FUNCTION scoring_step_score_is_final();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS step_score_is_final ON scoring_stepscore;
DROP TRIGGER IF EXISTS feedback_submitted_is_final ON scoring_interviewerfeedback;
DROP TRIGGER IF EXISTS scorecard_submitted_is_final ON scoring_scorecard;
DROP FUNCTION IF EXISTS scoring_step_score_is_final();
DROP FUNCTION IF EXISTS scoring_submitted_is_final();
"""

_SUBMITTED = "(SELECT status FROM scoring_scorecard WHERE id = {row}.scorecard_id) = 'submitted'"

SQLITE_CREATE = [
    """
    CREATE TRIGGER scorecard_submitted_is_final BEFORE UPDATE ON scoring_scorecard
    FOR EACH ROW WHEN OLD.status = 'submitted'
    BEGIN SELECT RAISE(ABORT, 'a submitted row of scoring_scorecard is immutable'); END
    """,
    """
    CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE ON scoring_interviewerfeedback
    FOR EACH ROW WHEN OLD.status = 'submitted'
    BEGIN SELECT RAISE(ABORT, 'a submitted row of scoring_interviewerfeedback is immutable'); END
    """,
    f"""
    CREATE TRIGGER step_score_insert_is_final BEFORE INSERT ON scoring_stepscore
    FOR EACH ROW WHEN {_SUBMITTED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, 'the step scores of a submitted scorecard are immutable'); END
    """,
    f"""
    CREATE TRIGGER step_score_update_is_final BEFORE UPDATE ON scoring_stepscore
    FOR EACH ROW WHEN {_SUBMITTED.format(row="OLD")} OR {_SUBMITTED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, 'the step scores of a submitted scorecard are immutable'); END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS step_score_update_is_final",
    "DROP TRIGGER IF EXISTS step_score_insert_is_final",
    "DROP TRIGGER IF EXISTS feedback_submitted_is_final",
    "DROP TRIGGER IF EXISTS scorecard_submitted_is_final",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_core")]
    operations = [migrations.RunPython(forwards, backwards)]
