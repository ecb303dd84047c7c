"""Everything a report is built from, read in bulk as numpy arrays (one user or all of them).

Only released scorecards count (blind release): a report never reveals a scorecard the
candidate may not see yet. The nightly rebuild reads every step score ever given: the released
scorecards once (who rated whom, when), then the step scores as three plain number columns
without a join, matched to their scorecard in numpy. On PostgreSQL each query arrives as a
single packed binary value that numpy reads in place instead of as 700k Python tuples.

The parts: `evidence` (the scorecards and what they say) and `measures` (what the evidence is
measured against). The generic database-to-numpy reads are in sevenstep.arrays.
"""

from __future__ import annotations

from scoring.selectors.report_inputs.evidence import TAGS, Evidence, SelfAssessed, evidence_load
from scoring.selectors.report_inputs.measures import (
    RATER_FIGURES,
    Bank,
    RaterModel,
    Timing,
    bank_load,
    bars_load,
    communication_bars_load,
    levels_load,
    rater_model_load,
    seen_questions_load,
    stored_rater_stats_load,
    stored_reports_load,
    timing_load,
)

__all__ = [
    "RATER_FIGURES",
    "TAGS",
    "Bank",
    "Evidence",
    "RaterModel",
    "SelfAssessed",
    "Timing",
    "bank_load",
    "bars_load",
    "communication_bars_load",
    "evidence_load",
    "levels_load",
    "rater_model_load",
    "seen_questions_load",
    "stored_rater_stats_load",
    "stored_reports_load",
    "timing_load",
]
