"""What a stored report says, derived for reading: verdicts, gaps, bands, the odds of a trend.

A report is stored as per-step columns (scoring.services.report_bodies); the decisions drawn
from them (a verdict against the bar, a self-assessment verdict, the bands) are the
estimation's (scoring.estimation), made here on read so a change of rule needs no rebuild. The
serializers only shape the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from scoring import estimation as est
from scoring.models.reports import STEP_COLUMNS
from sevenstep.framework import Pitfall, Step, step_budget_seconds


def report_view(report: Any) -> dict[str, Any]:
    """Expand a stored body (per-step columns) into one object per step, deriving the rest."""
    body = report.body
    columns = {
        name: np.asarray(body["steps"][name], dtype=float)
        for name in ("estimate", "lower", "upper", "bar", "n_ratings", "slope", "slope_sd")
    }
    n = columns["n_ratings"].astype(int)
    verdicts = est.bar_verdict(columns["lower"], columns["upper"], columns["bar"], n)
    gaps = np.round(columns["estimate"] - columns["bar"], 2)
    slope_lower = columns["slope"] - est.Z_90 * columns["slope_sd"]
    slope_upper = columns["slope"] + est.Z_90 * columns["slope_sd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_improving = stats.norm.cdf(columns["slope"] / columns["slope_sd"])
    claims = _self_columns(body["steps"])
    self_views = est.self_view_verdict(claims["self_gap"], claims["self_gap_sd"], claims["self_n"])
    received = claims["self_claimed"] - claims["self_gap"]
    gap_lower, gap_upper = est.self_view_band(
        claims["self_gap"], claims["self_gap_sd"], claims["self_n"]
    )

    def number(value: float, digits: int = 3) -> float | None:
        return None if value != value else round(float(value), digits)

    steps = []
    for s in range(est.N_STEPS):
        column = {name: values[s] for name, values in body["steps"].items()}
        steps.append(
            {
                "step": s + 1,
                "title": str(Step(s + 1).label),
                # The columns shown as stored: those before the trend, which is expanded below.
                **{name: column[name] for name in STEP_COLUMNS[: STEP_COLUMNS.index("trend")]},
                "gap": float(gaps[s]),
                "verdict": str(verdicts[s]),
                "p_below_bar": column.get("p_below_bar"),
                "p_weakest": column.get("p_weakest"),
                "trend": {
                    "direction": column["trend"],
                    "slope_per_30_days": column["slope"],
                    "lower": number(slope_lower[s]),
                    "upper": number(slope_upper[s]),
                    "p_improving": number(p_improving[s], 2),
                },
                "time": {
                    "interviews_reached": column["time_reached"],
                    "mean_seconds": column["time_mean_seconds"],
                    "budget_seconds": step_budget_seconds(s + 1),
                    "ratio": column["time_ratio"],
                },
                "self_assessment": {
                    "interviews": int(claims["self_n"][s]),
                    "mean_self_score": number(claims["self_claimed"][s], 2),
                    "mean_received": number(received[s], 2),
                    "gap": number(claims["self_gap"][s], 2),
                    "lower": number(gap_lower[s], 2),
                    "upper": number(gap_upper[s], 2),
                    "verdict": str(self_views[s]),
                },
                "evidence": report.evidence.get(s + 1, []),
            }
        )
    return {
        "user_id": report.user_id,
        "computed_at": report.computed_at,
        "kind": report.kind,
        "target_level": body["target_level"],
        "enough_data": body["enough_data"],
        "min_ratings": body["min_ratings"],
        "based_on": body["based_on"],
        "steps": steps,
        "weakest": body.get("weakest"),
        "time_management": body["time"],
        "pitfalls": [{**row, "label": str(Pitfall(row["tag"]).label)} for row in body["pitfalls"]],
        "recommended_questions": [
            {**report.questions[question_id], "stresses": stresses}
            for question_id, *stresses in body["recommended_questions"]
            if question_id in report.questions
        ],
        "communication": _communication_view(body.get("communication")),
    }


def _communication_view(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """Derive the communication block's gap and verdict; reports built before it have none."""
    if stored is None:
        return None
    bar, n = stored["bar"], stored["n_ratings"]
    if bar is None:
        verdict = "not_enough_data" if n < est.MIN_RATINGS else "no_bar"
        gap = None
    else:
        verdict = str(est.bar_verdict(stored["lower"], stored["upper"], bar, n))
        gap = round(stored["estimate"] - bar, 2)
    # A report built before communication stated its probability has none.
    return {**stored, "gap": gap, "verdict": verdict, "p_below_bar": stored.get("p_below_bar")}


def _self_columns(steps: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    """The self-assessment columns of a body; reports built before them compare nothing."""
    missing = [None] * est.N_STEPS
    columns = {
        name: np.asarray(steps.get(name, missing), dtype=float)
        for name in ("self_claimed", "self_gap", "self_gap_sd")
    }
    columns["self_n"] = np.asarray(steps.get("self_n", [0] * est.N_STEPS), dtype=int)
    return columns


def snapshot_view(snapshot: Any) -> dict[str, Any]:
    """A stored snapshot with its communication block's gap and verdict derived."""
    return {
        "computed_at": snapshot.computed_at,
        "n_scorecards": snapshot.n_scorecards,
        "steps": snapshot.steps,
        "communication": _communication_view(snapshot.communication),
    }
