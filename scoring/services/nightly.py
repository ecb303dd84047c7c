"""The nightly job: refit the rater model over every released scorecard, rebuild all reports.

It holds an exclusive lock (a PostgreSQL advisory lock, released by the server if the worker
dies; a cache lock elsewhere) and writes everything in one transaction, so a second run at the
same time steps aside, and a worker killed mid-way leaves the previous reports intact while the
redelivered job (acks_late) starts again.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from scoring import estimation as est
from scoring.models import ModelFit, RaterStats, ReportKind, ReportState
from scoring.selectors.report_inputs import (
    RATER_FIGURES,
    TAGS,
    Bank,
    Evidence,
    Timing,
    bank_load,
    bars_load,
    evidence_load,
    levels_load,
    rater_model_load,
    seen_questions_load,
    stored_rater_stats_load,
    stored_reports_load,
    timing_load,
)
from scoring.services.report_bodies import report_contents
from scoring.services.reports import (
    Built,
    ReportRow,
    context_load,
    report_store,
    weakest_threshold,
)
from scoring.services.timings import interview_timings_fill
from sevenstep.arrays import in_background
from sevenstep.bulk import upsert
from sevenstep.framework import LEVEL_ORDER
from sevenstep.locks import exclusive

log = logging.getLogger(__name__)

NIGHTLY_LOCK = "scoring-nightly-rebuild"
CACHE_LOCK_SECONDS = 3600


@dataclass(frozen=True)
class Rebuild:
    skipped: bool
    users: int = 0
    ratings: int = 0
    raters: int = 0
    written: int = 0
    deferred: int = 0
    fit_id: int | None = None
    seconds: dict[str, float] | None = None


def reports_rebuild_all(*, now: datetime | None = None) -> Rebuild:
    """Refit the rater model over every released scorecard and rebuild every report."""
    with exclusive(NIGHTLY_LOCK, expires=CACHE_LOCK_SECONDS) as acquired:
        if not acquired:
            log.info("nightly report rebuild already running elsewhere; skipping")
            return Rebuild(skipped=True)
        with _collector_paused():
            return _rebuild_all(now or timezone.now())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of a rebuild.

    A rebuild makes hundreds of thousands of short-lived objects, none of them in a cycle, so
    reference counting frees them all; each full collection would only walk them (~10%).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rebuild_all(now: datetime) -> Rebuild:
    clock = _Clock()
    # Versions first: everything read afterwards is at least as new as these versions.
    versions_seen = dict(ReportState.objects.values_list("user_id", "requested_version"))
    interview_timings_fill()
    clock.lap("timings")
    evidence = evidence_load(now=now)
    previous = rater_model_load()
    # Last night's leniencies and raters' noise, where the sweeps and the noise's EM resume; a
    # rater with no stored noise (new tonight) gets nan: the fit's own estimate from the sweeps,
    # not the population's.
    known, _, noise = (
        previous.rater_arrays(evidence.rater_ids, unknown_noise=np.nan)
        if previous.fit
        else (None,) * 3
    )
    # What the reports need besides the scores, read while the model is fitted.
    side = in_background(lambda: _side_inputs(evidence.user_ids))
    clock.lap("load")
    result = est.fit(
        evidence.ratings,
        start=previous.params if previous.fit else None,
        start_leniency=known,
        start_noise=noise,
    )
    estimates = est.estimate_all(evidence.ratings, result)
    threshold = weakest_threshold()
    weakest = est.weakest_claims(estimates, threshold=threshold)
    c = evidence.communication
    # The raters' figures as stored in RaterStats, from which an incremental update reads them.
    leniency, leniency_var, noise_var = result.stored_rater_arrays(c.rater)
    communication_params = est.communication_fit(
        c,
        leniency=leniency,
        leniency_var=leniency_var,
        n_users=evidence.n_users,
        half_life_days=result.params.half_life_days,
        noise_var=noise_var,
        change_tau2=result.params.change_tau2,
        # Last night's, where the EM resumes and whose spread correction may still hold.
        start=est.CommunicationParams.from_json(previous.fit.params.get("communication"))
        if previous.fit
        else None,
    )
    # The stored, rounded parameters, so that an incremental update computes the same figures.
    communication_params = est.CommunicationParams.from_json(communication_params.to_json())
    communication = est.communication_posterior(
        c,
        leniency=leniency,
        leniency_var=leniency_var,
        n_users=evidence.n_users,
        params=communication_params,
        half_life_days=result.params.half_life_days,
        noise_var=noise_var,
    )
    clock.lap("fit")
    levels, timing, done, bars, bank = side()
    percentiles, tables = _percentiles(estimates, levels)
    total_cards = max(int(evidence.scorecards.sum()), 1)
    pitfall_rates = evidence.pitfall_counts.sum(axis=0) / total_cards
    fit = ModelFit(
        fitted_at=now,
        n_ratings=len(evidence.ratings),
        n_users=evidence.n_users,
        n_raters=len(evidence.rater_ids),
        params={
            **result.params.to_json(),
            "iterations": result.iterations,
            "percentiles": tables,
            "communication": communication_params.to_json(),
            "pitfall_rates": {
                tag: round(float(r), 6) for tag, r in zip(TAGS, pitfall_rates, strict=True)
            },
        },
    )
    context = context_load(result.params, None, pitfall_rates, bars=bars, bank=bank)
    contents = report_contents(
        evidence=evidence,
        estimates=estimates,
        percentiles=percentiles,
        levels=levels,
        timing=timing,
        done=done,
        rater_arrays=(result.leniency, result.leniency_var, result.rater_noise_var),
        communication=communication,
        context=context,
        weakest=weakest,
        threshold=threshold,
    )
    digests = contents.digests().tolist()
    clock.lap("build")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Everything written here is derived and rebuilt by the next run, so the commit
            # need not wait for the disk; a crash at that instant loses no submission.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        fit.duration_ms = int(clock.total() * 1000)
        fit.save()
        # Lock every state row: a user whose submission arrived during the build keeps the
        # pending incremental job (it will use this fit); everyone else is written now.
        states = {
            user_id: (requested, built)
            for user_id, requested, built in ReportState.objects.select_for_update().values_list(
                "user_id", "requested_version", "built_version"
            )
        }
        stored = stored_reports_load()
        # Erased accounts still count as candidates for the raters' leniency, but get no report.
        erased = set(User.objects.filter(is_active=False).values_list("pk", flat=True))
        changed, versions, deferred = [], [], 0
        for u, user_id in enumerate(evidence.user_ids):
            requested, _ = states.get(user_id, (0, 0))
            if user_id in erased:
                continue
            if requested != versions_seen.get(user_id, 0):
                deferred += 1
                continue
            # A report that would say the same as the stored one is left as it is.
            digest, version, _ = stored.get(user_id, (None, None, None))
            if (digest, version) != (digests[u], requested):
                changed.append(u)
                versions.append(requested)
        users = np.asarray(changed, dtype=np.int64)
        built = zip(
            contents.bodies(users, replace(context, fit_id=fit.pk, fitted_at=now)),
            contents.figures(users),
            evidence.scorecards[users].tolist(),
            [digests[u] for u in changed],
            strict=True,
        )
        rows = [
            ReportRow(evidence.user_ids[u], Built(*parts), version)
            for u, parts, version in zip(changed, built, versions, strict=True)
        ]
        report_store(
            rows,
            kind=ReportKind.NIGHTLY,
            fit_id=fit.pk,
            now=now,
            previous={user_id: cards for user_id, (_, _, cards) in stored.items()},
        )
        upsert(
            ReportState,
            [
                {
                    "user_id": row.user_id,
                    "requested_version": row.version,
                    "built_version": row.version,
                }
                for row in rows
                if states.get(row.user_id, (0, 0))[1] < row.version
            ],
            unique=["user"],
            update=["built_version"],
        )
        _store_rater_stats(evidence, result, fit, now)
    clock.lap("write")
    return Rebuild(
        skipped=False,
        users=evidence.n_users,
        ratings=len(evidence.ratings),
        raters=len(evidence.rater_ids),
        written=len(rows),
        deferred=deferred,
        fit_id=fit.pk,
        seconds=clock.laps,
    )


def _side_inputs(
    user_ids: list[int],
) -> tuple[list[str], Timing, np.ndarray, dict[str, est.FloatArray], Bank]:
    """Read the users' levels, timings and questions done, the rubric's bars, the bank."""
    bank = bank_load()
    return (
        levels_load(user_ids),
        timing_load(user_ids),
        seen_questions_load(user_ids, bank),
        bars_load(),
        bank,
    )


def _percentiles(
    estimates: est.Estimates, levels: list[str]
) -> tuple[est.FloatArray, dict[str, dict[str, list[float]]]]:
    """Percentile of each estimate among users of the same target level with enough ratings."""
    percentiles = np.full(estimates.estimate.shape, np.nan)
    tables: dict[str, dict[str, list[float]]] = {}
    level_of = np.asarray(levels)
    eligible = estimates.n >= est.MIN_RATINGS
    for level in LEVEL_ORDER:
        tables[level] = {}
        in_level = level_of == level
        for s in range(est.N_STEPS):
            population = np.sort(estimates.estimate[in_level & eligible[:, s], s])
            tables[level][str(s + 1)] = est.quantiles(population)
            if population.size:
                percentiles[in_level, s] = est.percentile_of(
                    estimates.estimate[in_level, s], population
                )
    return percentiles, tables


def _store_rater_stats(evidence: Evidence, result: est.Fit, fit: ModelFit, now: datetime) -> None:
    """Write each rater's figures where they differ from the stored ones.

    From one night to the next most raters' rounded figures stay as they were (at the bench's
    10,000 raters, 865 rows changed; bench/README.md): rewriting every row cost the nightly
    rebuild 125-130 ms and the database a dead row per rater each night.
    """
    leniency, leniency_sd, noise_sd = (figure.tolist() for figure in result.rater_figures())
    ratings, cards = result.rater_n.tolist(), evidence.rater_scorecards.tolist()
    stored = stored_rater_stats_load()
    rows = []
    for r, rater_id in enumerate(evidence.rater_ids):
        figures = (leniency[r], leniency_sd[r], noise_sd[r], ratings[r], cards[r])
        if stored.get(rater_id) != figures:
            figured = dict(zip(RATER_FIGURES, figures, strict=True))
            rows.append({"rater_id": rater_id, "fit_id": fit.pk, "updated_at": now, **figured})
    upsert(RaterStats, rows, unique=["rater"], update=["fit_id", *RATER_FIGURES, "updated_at"])


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 4)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start
