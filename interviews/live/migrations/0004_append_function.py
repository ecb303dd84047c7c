"""On PostgreSQL, a batch of live updates is committed by one function call: one round trip.

The group commit used to send six statements per batch (BEGIN, the locking read, the status
read, the insert, the counters, COMMIT). On a busy machine each round trip waits for the
database backend to be scheduled and for the store thread to get the interpreter back from
the event loop, so a batch of five updates took 4.7 ms on average (bench/README.md). The same
rules run inside the database instead, in one statement and so in one transaction:

- the documents are locked in id order, and the interview's status is read in a statement of
  its own once the locks are held (a VOLATILE function takes a fresh snapshot per statement
  under READ COMMITTED, so an end committed while this call waited for the locks is seen);
- each update gets the next seq of its document, or a refusal: 'ended' (the interview is not
  open, or the document is gone), 'document_full' (checkpoint plus log would pass the document
  limit, or the update alone is bigger than the log budget), 'log_full' (the log since the
  checkpoint would pass its budget);
- the stored updates and each document's new seq and log size are written.

It returns one row per update, in order: its seq or refusal, and its document's log size after
the batch. `interviews.live.services.documents.updates_append` runs the same rules in Python on
the other databases; the tests run against both.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION live_updates_append(
    p_documents bigint[], p_data bytea[], p_authors bigint[], p_at timestamptz,
    p_open text[], p_max_document bigint, p_max_log bigint
) RETURNS TABLE (out_seq bigint, out_refusal text, out_log bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ids bigint[] := '{}';
    seqs bigint[] := '{}';
    first_seqs bigint[] := '{}';
    logs bigint[] := '{}';
    checkpoints bigint[] := '{}';
    owners bigint[] := '{}';
    open_ids bigint[];
    item_seq bigint[] := '{}';
    item_refusal text[] := '{}';
    doc record;
    n int := coalesce(array_length(p_documents, 1), 0);
    i int;
    j int;
    size bigint;
BEGIN
    FOR doc IN
        SELECT d.id, d.seq, d.interview_id, d.checkpoint_bytes, d.log_bytes
        FROM live_livedocument d
        WHERE d.id = ANY(p_documents)
        ORDER BY d.id
        FOR UPDATE
    LOOP
        ids := ids || doc.id;
        seqs := seqs || doc.seq::bigint;
        owners := owners || doc.interview_id;
        checkpoints := checkpoints || doc.checkpoint_bytes::bigint;
        logs := logs || doc.log_bytes::bigint;
    END LOOP;
    first_seqs := seqs;
    SELECT coalesce(array_agg(v.id), '{}') INTO open_ids
    FROM interviews_interview v
    WHERE v.id = ANY(owners) AND v.status = ANY(p_open);

    FOR i IN 1..n LOOP
        j := array_position(ids, p_documents[i]);
        size := octet_length(p_data[i]);
        IF j IS NULL OR NOT owners[j] = ANY(open_ids) THEN
            item_seq := item_seq || NULL::bigint;
            item_refusal := item_refusal || 'ended'::text;
        ELSIF checkpoints[j] + logs[j] + size > p_max_document OR size > p_max_log THEN
            item_seq := item_seq || NULL::bigint;
            item_refusal := item_refusal || 'document_full'::text;
        ELSIF logs[j] + size > p_max_log THEN
            item_seq := item_seq || NULL::bigint;
            item_refusal := item_refusal || 'log_full'::text;
        ELSE
            logs[j] := logs[j] + size;
            seqs[j] := seqs[j] + 1;
            item_seq := item_seq || seqs[j];
            item_refusal := item_refusal || NULL::text;
        END IF;
    END LOOP;

    INSERT INTO live_documentupdate (document_id, seq, data, created_at, author_id)
    SELECT u.document_id, u.seq, u.data, p_at, u.author_id
    FROM unnest(p_documents, item_seq, p_data, p_authors) AS u(document_id, seq, data, author_id)
    WHERE u.seq IS NOT NULL;

    UPDATE live_livedocument d SET seq = c.seq, log_bytes = c.log
    FROM unnest(ids, seqs, logs, first_seqs) AS c(id, seq, log, before)
    WHERE d.id = c.id AND c.seq <> c.before;

    RETURN QUERY
    SELECT r.seq, r.refusal, CASE WHEN k IS NULL THEN NULL ELSE logs[k] END
    FROM unnest(item_seq, item_refusal, p_documents) WITH ORDINALITY
        AS r(seq, refusal, document_id, position)
    LEFT JOIN LATERAL (SELECT array_position(ids, r.document_id) AS k) AS found ON true
    ORDER BY r.position;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS live_updates_append(bigint[], bytea[], bigint[], timestamptz, text[], bigint, bigint);"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("live", "0003_recording")]

    operations = [migrations.RunPython(create, drop)]
