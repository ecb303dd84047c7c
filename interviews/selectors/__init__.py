"""Reads for the scheduling API and the matching service.

The parts: `questions` (the bank, and which questions a person has seen), `interviews` (a
person's interviews, the guide's opening, shared free times), `reliability` (reliability and
the reciprocity ledger), `requests` (why an open request waits), `instant` (the instant
queue) and `matching` (the matching run's problem, loaded into plain data).
"""

from __future__ import annotations

from interviews.selectors.instant import InstantQueue, instant_queue
from interviews.selectors.interviews import (
    MAX_FREE_TIMES,
    RESCHEDULE_LEAD,
    asked_for_a_swap,
    guide_available_at,
    guide_preparation_opens_at,
    guide_visible,
    interview_for_viewer,
    interviews_of,
    second_half_of,
    shared_free_times,
)
from interviews.selectors.matching import (
    DOMAIN_BITS,
    LEVEL_INDEX,
    REMATCH_WINDOW,
    WEEK_STATUSES,
    LoadedProblem,
    QuestionHistory,
    domain_bits,
    problem_load,
    question_history,
    question_refs,
)
from interviews.selectors.questions import (
    SEEN_STATUSES,
    TAKING_STATUSES,
    QuestionExposure,
    question_exposure,
    question_list,
    seen_interviews,
)
from interviews.selectors.reliability import (
    RELIABILITY_PENALTY,
    RELIABILITY_WINDOW,
    ledger_of,
    reliability_of,
)
from interviews.selectors.requests import (
    INTERVIEW_LENGTH,
    PARTNER_ROLES,
    WANT,
    RequestMatching,
    request_matching,
)

__all__ = [
    "DOMAIN_BITS",
    "INTERVIEW_LENGTH",
    "LEVEL_INDEX",
    "MAX_FREE_TIMES",
    "PARTNER_ROLES",
    "RELIABILITY_PENALTY",
    "RELIABILITY_WINDOW",
    "REMATCH_WINDOW",
    "RESCHEDULE_LEAD",
    "SEEN_STATUSES",
    "TAKING_STATUSES",
    "WANT",
    "WEEK_STATUSES",
    "InstantQueue",
    "LoadedProblem",
    "QuestionExposure",
    "QuestionHistory",
    "RequestMatching",
    "asked_for_a_swap",
    "domain_bits",
    "guide_available_at",
    "guide_preparation_opens_at",
    "guide_visible",
    "instant_queue",
    "interview_for_viewer",
    "interviews_of",
    "ledger_of",
    "problem_load",
    "question_exposure",
    "question_history",
    "question_list",
    "question_refs",
    "reliability_of",
    "request_matching",
    "second_half_of",
    "seen_interviews",
    "shared_free_times",
]
