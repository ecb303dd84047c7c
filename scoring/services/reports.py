"""Weakness reports of one user: requested after a submission, rebuilt by a debounced job.

The job is idempotent and safe to run twice at once: the user's ReportState row is locked while
the report is written, and each build records the requested_version it covered, so a duplicate,
redelivered or stale job finds nothing to do. The nightly refit is in scoring.services.nightly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from scoring import estimation as est
from scoring.models import (
    InterviewerFeedback,
    ModelFit,
    Report,
    ReportKind,
    ReportSnapshot,
    ReportState,
    Scorecard,
    SubmissionStatus,
    report_document,
)
from scoring.selectors.report_inputs import (
    TAGS,
    Bank,
    bank_load,
    bars_load,
    communication_bars_load,
    evidence_load,
    levels_load,
    rater_model_load,
    seen_questions_load,
    timing_load,
)
from scoring.selectors.submissions import deadline_hours
from scoring.services.report_bodies import Context, report_contents, snapshot_steps
from scoring.services.timings import interview_timings_fill
from sevenstep.bulk import upsert
from sevenstep.framework import LEVEL_ORDER
from sevenstep.jobs import enqueue_on_commit


def report_request(*, user_id: int) -> int:
    """Mark the user's report stale and enqueue a debounced rebuild once the caller commits."""
    ReportState.objects.get_or_create(user_id=user_id)
    ReportState.objects.filter(user_id=user_id).update(
        requested_version=F("requested_version") + 1, requested_at=timezone.now()
    )
    version = (
        ReportState.objects.filter(user_id=user_id)
        .values_list("requested_version", flat=True)
        .get()
    )
    # With the broker down the submission still stands; the nightly rebuild catches up.
    enqueue_on_commit(
        "scoring.report_update", user_id, version, countdown=settings.REPORT_DEBOUNCE_SECONDS
    )
    return version


def reports_request_released(*, now: datetime | None = None) -> int:
    """Request the update of each report a scorecard released by its deadline has changed.

    A submission requests its candidate's update itself, but a scorecard released because its
    deadline passed (blind release) has no such moment, so a periodic job calls this. It looks
    at scorecards whose deadline passed since the last nightly rebuild (which saw everything
    released before it) and leaves out the candidates asked for since then. Returns how many.
    """
    now = now or timezone.now()
    hours = timedelta(hours=deadline_hours())
    deadline = ExpressionWrapper(
        Coalesce("interview__ended_at", "interview__ends_at") + hours,
        output_field=DateTimeField(),
    )
    released = (
        Scorecard.objects.filter(status=SubmissionStatus.SUBMITTED, candidate__is_active=True)
        .annotate(deadline=deadline)
        .filter(deadline__lte=now)
        # Released by the candidate's feedback instead: that submission asked already.
        .exclude(
            Exists(
                InterviewerFeedback.objects.filter(
                    interview_id=OuterRef("interview_id"), status=SubmissionStatus.SUBMITTED
                )
            )
        )
        .exclude(
            Exists(
                ReportState.objects.filter(
                    user_id=OuterRef("candidate_id"), requested_at__gte=OuterRef("deadline")
                )
            )
        )
    )
    last_rebuild = ModelFit.objects.order_by("-fitted_at").values_list("fitted_at", flat=True)[:1]
    if last_rebuild:
        released = released.filter(deadline__gt=last_rebuild[0])
    candidates = sorted(set(released.values_list("candidate_id", flat=True)))
    for user_id in candidates:
        report_request(user_id=user_id)
    return len(candidates)


def weakest_threshold() -> float:
    """Return how sure the report must be before it names a step the weakest (a setting)."""
    return settings.REPORT_WEAKEST_PERCENT / 100.0


# --- building -----------------------------------------------------------------------------------


def context_load(
    params: est.Params,
    fit: ModelFit | None,
    pitfall_rates: est.FloatArray,
    *,
    bars: dict[str, est.FloatArray] | None = None,
    bank: Bank | None = None,
    communication_bars: dict[str, float] | None = None,
) -> Context:
    """Load what every report of one build shares (bars and bank unless already read)."""
    return Context(
        params=params,
        fit_id=fit.pk if fit else None,
        fitted_at=fit.fitted_at if fit else None,
        bars=bars_load() if bars is None else bars,
        levels_order=LEVEL_ORDER,
        bank=bank_load() if bank is None else bank,
        pitfall_rates=pitfall_rates,
        communication_bars=communication_bars_load()
        if communication_bars is None
        else communication_bars,
    )


class Built(NamedTuple):
    """One user's report as built: its body and figures, scorecards behind it, its digest."""

    body: dict[str, Any]
    figures: bytes
    scorecards: int
    digest: int


class ReportRow(NamedTuple):
    """A report to store: whose, as built, and which request it answers."""

    user_id: int
    built: Built
    version: int


def report_compute(*, user_id: int, now: datetime | None = None) -> Built:
    """Build one user's report against the latest fit from what is stored; write nothing."""
    now = now or timezone.now()
    evidence = evidence_load(now=now, user_id=user_id)
    model = rater_model_load()
    raters = model.rater_arrays(evidence.rater_ids)
    leniency, leniency_var, noise_var = raters
    r = evidence.ratings
    estimates = est.posterior(
        user=r.user,
        step=r.step,
        score=r.score,
        age_days=r.age_days,
        leniency=leniency[r.rater],
        leniency_var=leniency_var[r.rater],
        noise_var=noise_var[r.rater],
        n_users=1,
        params=model.params,
        card=r.card,
    )
    threshold = weakest_threshold()
    stored = model.fit.params if model.fit else {}
    c = evidence.communication
    communication = est.communication_posterior(
        c,
        leniency=leniency[c.rater],
        leniency_var=leniency_var[c.rater],
        n_users=1,
        params=est.CommunicationParams.from_json(stored.get("communication")),
        half_life_days=model.params.half_life_days,
        noise_var=noise_var[c.rater],
    )
    levels = levels_load([user_id])
    tables = stored.get("percentiles", {}).get(levels[0], {})
    percentiles = np.asarray(
        [
            [
                _none_to_nan(
                    est.percentile_from_quantiles(
                        float(estimates.estimate[0, s]), tables.get(str(s + 1), [])
                    )
                )
                for s in range(est.N_STEPS)
            ]
        ]
    )
    rates = stored.get("pitfall_rates", {})
    context = context_load(
        model.params, model.fit, np.asarray([rates.get(tag, np.nan) for tag in TAGS], dtype=float)
    )
    contents = report_contents(
        evidence=evidence,
        estimates=estimates,
        percentiles=percentiles,
        levels=levels,
        timing=timing_load([user_id]),
        done=seen_questions_load([user_id], context.bank),
        rater_arrays=(leniency, leniency_var, noise_var),
        communication=communication,
        context=context,
        weakest=est.weakest_claims(estimates, threshold=threshold),
        threshold=threshold,
    )
    only = np.zeros(1, dtype=np.int64)
    return Built(
        body=contents.bodies(only, context)[0],
        figures=contents.figures(only)[0],
        scorecards=int(evidence.scorecards[0]),
        digest=int(contents.digests()[0]),
    )


def _none_to_nan(value: float | None) -> float:
    return np.nan if value is None else value


def report_update(*, user_id: int, version: int | None = None) -> bool:
    """Rebuild one user's report unless a newer job will, or it is already up to date."""
    now = timezone.now()
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        return False  # erased accounts get no report
    with transaction.atomic():
        state = ReportState.objects.select_for_update().filter(user_id=user_id).first()
        if state is None:
            state = ReportState.objects.create(user_id=user_id)
        if version is not None and (
            state.requested_version > version or state.built_version >= state.requested_version
        ):
            return False
        # Interviews completed since the last build get their time-on-step summary first.
        interview_timings_fill(candidate_id=user_id)
        built = report_compute(user_id=user_id, now=now)
        report_store(
            [ReportRow(user_id, built, state.requested_version)],
            kind=ReportKind.INCREMENTAL,
            fit_id=built.body["based_on"]["model_fit_id"],
            now=now,
        )
        state.built_version = state.requested_version
        state.save(update_fields=["built_version"])
    return True


def report_store(
    rows: list[ReportRow],
    *,
    kind: str,
    fit_id: int | None,
    now: datetime,
    previous: dict[int, int] | None = None,
) -> None:
    """Upsert reports and snapshot the ones whose scorecard count changed.

    previous: each stored report's scorecard count, when the caller has read them already.
    """
    if previous is None:
        previous = dict(
            Report.objects.filter(user_id__in=[row.user_id for row in rows]).values_list(
                "user_id", "n_scorecards"
            )
        )
    upsert(
        Report,
        [
            {
                "user_id": row.user_id,
                "computed_at": now,
                "kind": kind,
                "fit_id": fit_id,
                "source_version": row.version,
                "n_scorecards": row.built.scorecards,
                "n_ratings": row.built.body["based_on"]["ratings"],
                "body": row.built.body,
                "figures": row.built.figures,
                "digest": row.built.digest,
            }
            for row in rows
        ],
        unique=["user"],
        update=[
            "computed_at",
            "kind",
            "fit_id",
            "source_version",
            "n_scorecards",
            "n_ratings",
            "body",
            "figures",
            "digest",
        ],
    )
    upsert(
        ReportSnapshot,
        [
            {
                "user_id": row.user_id,
                "computed_at": now,
                "n_scorecards": row.built.scorecards,
                "steps": snapshot_steps(report_document(row.built.body, row.built.figures)),
                "communication": row.built.body.get("communication"),
            }
            for row in rows
            if row.built.scorecards and previous.get(row.user_id) != row.built.scorecards
        ],
        unique=["user", "n_scorecards"],
        update=[],
    )
