"""The planner's plain data: requests, questions, the problem, the plan, and the weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

ROLE_CANDIDATE, ROLE_INTERVIEWER, ROLE_SWAP = 0, 1, 2
ROLE_CODES = {"candidate": ROLE_CANDIDATE, "interviewer": ROLE_INTERVIEWER, "swap": ROLE_SWAP}

CELL = timedelta(minutes=15)
INTERVIEW_CELLS = 3
SWAP_CELLS = 6
PAD_CELLS = 8  # context either side of a bucket for the overlapping-time term
OVERLAP_CAP_CELLS = 12
MAX_BUCKET_CELLS = 64 - 2 * PAD_CELLS  # a bucket and its context fit one 64-bit word
WEEK_CELLS = 7 * 24 * 4  # the rolling window of the weekly cap


@dataclass(frozen=True)
class Weights:
    base: float = 100.0
    level: float = 3.0
    domain: float = 3.0
    overlap: float = 2.0
    known_question: float = 1.0
    reliability: float = 4.0
    reciprocity: float = 1.0
    waiting: float = 2.0
    rematch: float = 1.0


def priority(
    *,
    reliability: float,
    given: int,
    received: int,
    waited_days: float,
    rematch: bool = False,
    weights: Weights = Weights(),
) -> float:
    """Return a request's own share of every edge weight (see the module docstring)."""
    balance = max(-1.0, min(1.0, (given - received) / 4))
    return (
        weights.reliability * max(0.0, min(1.0, reliability))
        + weights.reciprocity * (1 + balance)
        + weights.waiting * min(max(waited_days, 0.0) / 7, 1.0)
        + (weights.rematch if rematch else 0.0)
    )


@dataclass
class Seeker:
    """An open request as the planner sees it; `free` has bit i set when cell i is bookable."""

    request_id: int
    user_id: int
    role: int
    level: int
    domains: int  # bit per domain; 0 = any
    free: int
    priority: float
    max_per_week: int  # interviews in any 7 days in a row (a swap is two)
    booked: list[int] = field(default_factory=list)  # start cells of the person's interviews
    seen: int = 0  # question bits seen in any role: never again as a candidate
    taking: int = 0  # question bits booked as a candidate: never to interview on
    done: int = 0  # question bits completed as a candidate
    wanted: int = -1  # index of the question asked for as the candidate ("Practise next")
    waited: float = 0.0  # seconds since the request was opened

    def left_over(self, first: int, last: int) -> int:
        """Return how many interviews may still start at any cell from first to last.

        Every 7-day window that could hold such a start must stay within max_per_week, so the
        busiest of them decides. A person holds a handful of interviews, so this is cheap.
        """
        near = [c for c in self.booked if first - WEEK_CELLS < c < last + WEEK_CELLS]
        if not near:
            return self.max_per_week
        # The count of a window [s, s + WEEK_CELLS) only rises when its end reaches a booking;
        # so the busiest window starts at the earliest allowed cell or just takes one in.
        lowest, highest = first - WEEK_CELLS + 1, last
        starts = {lowest, *(min(max(c - WEEK_CELLS + 1, lowest), highest) for c in near)}
        busiest = max(sum(s <= c < s + WEEK_CELLS for c in near) for s in starts)
        return self.max_per_week - busiest


@dataclass(frozen=True)
class QuestionRef:
    id: int
    domain: int  # bit index of its domain
    level: int


@dataclass
class Problem:
    seekers: list[Seeker]
    questions: list[QuestionRef]
    origin: datetime  # the start of cell 0 (UTC)
    cells: int
    recent_pairs: set[tuple[int, int]] = field(default_factory=set)  # (low, high) user ids
    bucket_cells: int = 8
    top_k: int = 12
    max_rounds: int = 4
    max_level_gap: int = 2
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class Pairing:
    """A booking to make: `interviewer` interviews `candidate` first; a swap reverses after."""

    interviewer: Seeker
    candidate: Seeker
    start_cell: int
    swap: bool
    question_ids: tuple[int, ...]
    weight: float


@dataclass
class Plan:
    pairings: list[Pairing]
    rounds: int

    @property
    def interviews(self) -> int:
        return sum(2 if p.swap else 1 for p in self.pairings)

    @property
    def objective(self) -> float:
        return sum(p.weight for p in self.pairings)


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
