"""Writes of the live documents: append updates in one transaction per batch, compact them."""

from __future__ import annotations

import enum
import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone
from pycrdt import get_update

from interviews.live import selectors
from interviews.live.layout import DocumentKind
from interviews.live.models import Checkpoint, DocumentUpdate, LiveDocument
from interviews.models import Interview
from interviews.models.sessions import ACTIVE_STATUSES
from sevenstep.locks import exclusive

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    document_id: int
    interview_id: int
    data: bytes
    author_id: int | None


class Refusal(enum.Enum):
    """Why an update of an open interview was not stored."""

    DOCUMENT_FULL = "document_full"  # checkpoint plus log would pass LIVE_MAX_DOCUMENT_BYTES
    LOG_FULL = "log_full"  # the log since the checkpoint would pass LIVE_MAX_LOG_BYTES


class Appended(list[int | Refusal | None]):
    """Each update's seq, its Refusal, or None when the interview has ended."""

    def __init__(self, seqs: list[int | Refusal | None], log_bytes: dict[int, int]) -> None:
        super().__init__(seqs)
        self.log_bytes = log_bytes  # each document's log since its checkpoint, after the batch


def document_get_or_create(*, interview_id: int, kind: DocumentKind) -> LiveDocument:
    """Return the interview's document of this kind, creating it on first use."""
    try:
        with transaction.atomic():
            document, _ = LiveDocument.objects.get_or_create(interview_id=interview_id, kind=kind)
    except IntegrityError:
        # Another process created it between our read and our insert.
        document = LiveDocument.objects.get(interview_id=interview_id, kind=kind)
    return document


def _chunks(items: list[T], size: int = 1000) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def updates_append(*, pending: Sequence[PendingUpdate]) -> Appended:
    """Commit a batch of updates in one transaction; return each one's seq or refusal.

    On PostgreSQL the batch is one call of the database function `live_updates_append`
    (migration live 0004), which runs the rules of `_append` in one round trip; elsewhere they run
    here, statement by statement.
    """
    if connection.vendor == "postgresql":
        return _append_in_database(pending)
    return _append(pending)


# The statuses in which an interview takes edits, as stored (both append paths check them).
OPEN_STATUSES = [str(status) for status in ACTIVE_STATUSES]

_REFUSED: dict[str, Refusal | None] = {
    "ended": None,
    "document_full": Refusal.DOCUMENT_FULL,
    "log_full": Refusal.LOG_FULL,
}


# One round trip: the batch as arrays, the function's rows back (migration live 0004).
APPEND_SQL = (
    "SELECT out_seq, out_refusal, out_log FROM live_updates_append("
    "%s::bigint[], %s::bytea[], %s::bigint[], %s, %s::text[], %s, %s)"
)


def append_arguments(pending: Sequence[PendingUpdate]) -> list[Any]:
    """The arguments of APPEND_SQL for a batch."""
    return [
        [item.document_id for item in pending],
        [item.data for item in pending],
        [item.author_id for item in pending],
        timezone.now(),
        OPEN_STATUSES,
        settings.LIVE_MAX_DOCUMENT_BYTES,
        settings.LIVE_MAX_LOG_BYTES,
    ]


def appended(pending: Sequence[PendingUpdate], rows: Sequence[Sequence[Any]]) -> Appended:
    """Read APPEND_SQL's rows: each update's seq or refusal, each document's log size."""
    seqs: list[int | Refusal | None] = [
        seq if seq is not None else _REFUSED[refusal] for seq, refusal, _ in rows
    ]
    logged = {
        item.document_id: log
        for item, (_, _, log) in zip(pending, rows, strict=True)
        if log is not None
    }
    return Appended(seqs, logged)


def _append_in_database(pending: Sequence[PendingUpdate]) -> Appended:
    with connection.cursor() as cursor:
        cursor.execute(APPEND_SQL, append_arguments(pending))
        return appended(pending, cursor.fetchall())


@functools.lru_cache(maxsize=512)
def _qmark(sql: str) -> str:
    return sql.replace("%s", "?")


class _QmarkCursor:
    """The SQLite cursor under Django's wrapper, with each statement's placeholders turned into
    SQLite's once per statement text (Django's wrapper does it by a regex on every call).

    For the statements of `_append` only: they hold no literal "%", and what they pass is plain
    values. On the thread that commits every keystroke, and holds the interpreter while
    it runs Python, the wrapper's work per statement was a fifth of a batch's CPU.
    """

    def __init__(self, wrapper: Any) -> None:
        self.cursor = wrapper.cursor
        self.errors = wrapper.db.wrap_database_errors  # sqlite3's errors as Django's

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        with self.errors:
            sqlite3.Cursor.execute(self.cursor, _qmark(sql), params)

    def fetchall(self) -> list[Any]:
        with self.errors:
            return self.cursor.fetchall()


def _append(pending: Sequence[PendingUpdate]) -> Appended:
    """Commit a batch of updates in one transaction, statement by statement.

    Document rows are locked in id order (two processes committing to the same documents
    never deadlock) and held until commit, so seq order is commit order and gap-free.
    Updates to an interview that has ended are refused inside this transaction: ending an
    interview takes the same locks, so no update slips in after the end. So are updates that
    would take the document's stored bytes past its limits: the counts live on the locked
    row, so sockets in parallel, on any number of processes, cannot pass a limit together.

    Plain SQL on purpose: this runs for every keystroke of every room, on a thread that
    shares the interpreter with the event loop, so per-row ORM work would slow every socket.
    """
    documents = LiveDocument._meta.db_table
    interviews = Interview._meta.db_table
    updates = DocumentUpdate._meta.db_table
    document_ids = sorted({item.document_id for item in pending})
    marks = ", ".join(["%s"] * len(document_ids))
    lock = " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = _QmarkCursor(wrapper) if connection.vendor == "sqlite" else wrapper
        cursor.execute(
            f"SELECT d.id, d.seq, d.interview_id, d.checkpoint_bytes, d.log_bytes "
            f"FROM {documents} d WHERE d.id IN ({marks}) ORDER BY d.id{lock}",
            document_ids,
        )
        current: dict[int, int] = {}
        interview_of: dict[int, int] = {}
        checkpoint_bytes: dict[int, int] = {}
        log_bytes: dict[int, int] = {}
        for document_id, seq, interview_id, checkpoint_size, log_size in cursor.fetchall():
            current[document_id] = seq
            interview_of[document_id] = interview_id
            checkpoint_bytes[document_id] = checkpoint_size
            log_bytes[document_id] = log_size
        # The status is read in a statement of its own, after the locks are held: a statement
        # sees what was committed before it began, so an end committed while this one waited
        # for the locks is seen (read in the locking statement, it would not be).
        interview_ids = sorted(set(interview_of.values()))
        cursor.execute(
            f"SELECT id, status FROM {interviews} "
            f"WHERE id IN ({', '.join(['%s'] * len(interview_ids))})",
            interview_ids,
        )
        open_interviews = {pk for pk, status in cursor.fetchall() if status in OPEN_STATUSES}
        writable = {pk for pk, interview in interview_of.items() if interview in open_interviews}
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        next_seq = dict(current)
        logged = dict(log_bytes)
        rows: list[tuple[Any, ...]] = []
        seqs: list[int | Refusal | None] = []
        for item in pending:
            if item.document_id not in writable:
                seqs.append(None)
                continue
            log_after = logged[item.document_id] + len(item.data)
            stored_after = checkpoint_bytes[item.document_id] + log_after
            if (
                stored_after > settings.LIVE_MAX_DOCUMENT_BYTES
                or len(item.data) > settings.LIVE_MAX_LOG_BYTES  # would never fit
            ):
                seqs.append(Refusal.DOCUMENT_FULL)
                continue
            if log_after > settings.LIVE_MAX_LOG_BYTES:
                seqs.append(Refusal.LOG_FULL)
                continue
            logged[item.document_id] = log_after
            next_seq[item.document_id] += 1
            seq = next_seq[item.document_id]
            seqs.append(seq)
            rows.append((item.document_id, seq, item.data, now, item.author_id))
        # A statement per chunk rather than per row: a round trip per row would cost more
        # than the commit itself. Chunks stay under every backend's limit on parameters.
        for chunk in _chunks(rows):
            cursor.execute(
                f"INSERT INTO {updates} (document_id, seq, data, created_at, author_id) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )
        changed = [(pk, seq, logged[pk]) for pk, seq in next_seq.items() if seq != current[pk]]
        for chunk in _chunks(changed):
            whens = " ".join(["WHEN %s THEN %s"] * len(chunk))
            cursor.execute(
                f"UPDATE {documents} SET seq = CASE id {whens} END, "
                f"log_bytes = CASE id {whens} END "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [value for pk, seq, _ in chunk for value in (pk, seq)]
                + [value for pk, _, size in chunk for value in (pk, size)]
                + [pk for pk, _, _ in chunk],
            )
    return Appended(seqs, logged)


# SQLite copies its write-ahead log into the database file in the commit that takes the log past
# its auto-checkpoint size, and that commit's batch waits for it. The store thread's connection
# does it every 4,000 pages (16 MB) rather than SQLite's 1,000: a quarter as many waits, each
# copying a page once however often it changed (bench/README.md).
STORE_AUTOCHECKPOINT_PAGES = 4_000


def store_connection_prepare(*, db: Any) -> None:
    """Set up a new database connection of the live store thread."""
    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={STORE_AUTOCHECKPOINT_PAGES}")


def document_compact(*, document_id: int) -> Checkpoint | None:
    """Merge the log into a new checkpoint; the raw log stays for replay.

    At most one checkpoint per LIVE_COMPACT_MIN_SECONDS: each one gives the log its budget
    back, so this is what bounds the bytes a flood of ever-new updates can store.
    """
    with exclusive(f"live:compact:{document_id}", expires=300) as held:
        if not held:
            return None  # another worker is compacting this document
        latest = (
            Checkpoint.objects.filter(document_id=document_id)
            .order_by("-seq")
            .only("seq", "created_at")
            .first()
        )
        recent = timezone.now() - timedelta(seconds=settings.LIVE_COMPACT_MIN_SECONDS)
        if latest is not None and latest.created_at > recent:
            return None
        stored = selectors.document_state(document_id=document_id)
        if stored.seq == 0 or (latest is not None and latest.seq >= stored.seq):
            return None
        # Through a document, so content deleted since is dropped (merging updates keeps it):
        # a checkpoint is as large as the document, not as everything ever typed into it.
        doc = selectors.doc_from_update(stored.update)
        state = doc.get_update()
        if get_update(stored.update, doc.get_state())[0] != 0:
            state = stored.update  # structs still waiting for what they follow: keep them all
        try:
            with transaction.atomic():
                # Under the row lock the appends take, so the counts move with the log.
                LiveDocument.objects.select_for_update().filter(pk=document_id).first()
                checkpoint = Checkpoint.objects.create(
                    document_id=document_id, seq=stored.seq, state=state
                )
                tail = DocumentUpdate.objects.filter(document_id=document_id, seq__gt=stored.seq)
                LiveDocument.objects.filter(pk=document_id).update(
                    checkpoint_bytes=len(state),
                    log_bytes=tail.aggregate(total=Sum(Length("data")))["total"] or 0,
                )
                return checkpoint
        except IntegrityError:
            return None
