"""The candidate rates the scorecard's usefulness and specificity once it is released.

Blind release hides the scorecard until the candidate's feedback is submitted, so asking how
useful it was inside that feedback asked about something unseen. Both ratings become optional
at submission, and a submitted feedback row allows exactly one kind of change: setting either
of them from empty to a value. Everything else stays final, as migration 0002 made it.

On SQLite the constraint change rebuilds the table, which drops its triggers; the trigger is
created afterwards either way.
"""

from django.db import migrations, models

LATE = ("usefulness", "specificity", "updated_at")

# Every other column must be unchanged; comparing the rows as JSON keeps a column added later
# final without touching this function.
PG_CREATE = f"""
CREATE FUNCTION scoring_feedback_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'submitted' AND (
        TG_OP = 'DELETE'
        OR (to_jsonb(NEW) - {" - ".join(f"'{c}'" for c in LATE)})
           IS DISTINCT FROM (to_jsonb(OLD) - {" - ".join(f"'{c}'" for c in LATE)})
        OR (OLD.usefulness IS NOT NULL AND NEW.usefulness IS DISTINCT FROM OLD.usefulness)
        OR (OLD.specificity IS NOT NULL AND NEW.specificity IS DISTINCT FROM OLD.specificity)
    ) THEN
        RAISE EXCEPTION 'a submitted row of % is immutable', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS feedback_submitted_is_final ON scoring_interviewerfeedback;
CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE OR DELETE ON scoring_interviewerfeedback
    FOR EACH ROW EXECUTE FUNCTION scoring_feedback_is_final();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS feedback_submitted_is_final ON scoring_interviewerfeedback;
DROP FUNCTION IF EXISTS scoring_feedback_is_final();
CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE OR DELETE ON scoring_interviewerfeedback
    FOR EACH ROW EXECUTE FUNCTION scoring_submitted_is_final();
"""

# SQLite has no row-to-JSON, so the columns are named; a test updates every column of a
# submitted feedback one by one and fails if a new one is left changeable.
_FIXED = (
    "id",
    "status",
    "created_at",
    "submitted_at",
    "interview_id",
    "candidate_id",
    "interviewer_id",
    "preparedness",
    "comment",
    "self_assessment",
)
_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _FIXED)
SQLITE_CREATE = f"""
CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE ON scoring_interviewerfeedback
FOR EACH ROW WHEN OLD.status = 'submitted' AND NOT (
    {_UNCHANGED}
    AND (OLD.usefulness IS NULL OR NEW.usefulness IS OLD.usefulness)
    AND (OLD.specificity IS NULL OR NEW.specificity IS OLD.specificity)
)
BEGIN SELECT RAISE(ABORT, 'a submitted row of scoring_interviewerfeedback is immutable'); END
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS feedback_submitted_is_final"
SQLITE_OLD = """
CREATE TRIGGER feedback_submitted_is_final BEFORE UPDATE ON scoring_interviewerfeedback
FOR EACH ROW WHEN OLD.status = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted row of scoring_interviewerfeedback is immutable'); END
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
        schema_editor.execute(SQLITE_OLD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0006_snapshot_communication")]

    operations = [
        migrations.RemoveConstraint(
            model_name="interviewerfeedback", name="feedback_submitted_complete"
        ),
        migrations.AddConstraint(
            model_name="interviewerfeedback",
            constraint=models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(submitted_at__isnull=False, preparedness__isnull=False),
                name="feedback_submitted_complete",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
