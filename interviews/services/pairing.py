"""Who interviews whom, when, on which question: the optimisation behind every matching run.

Pure computation on plain data (no database), so the benchmark and the tests drive it directly.

The objective, maximised
------------------------
Every booked pair (a, b) is worth

    BASE * interviews                        100 per interview (a swap is two): a booking
                                             matters more than any preference
  + 3 * level closeness                      1 - |level gap| / 3 (gaps above 2 are not allowed)
  + 3 * domain closeness                     Jaccard of the wanted domains; 0.5 if one wants any
  + 2 * overlapping time                     free time both share around the slot, capped at 3 h
  + 1 * [the interviewer knows the question] they did it as a candidate (swap: 0.5 per half)
  + priority(a) + priority(b)

    priority(u) = 4 * reliability            1 - 0.35 per no-show - 0.15 per late cancellation
                                             - 0.05 per late reschedule (last 90 days), >= 0
                + 1 * (1 + clip((given - received) / 4, -1, 1))   the reciprocity ledger:
                                             people who only take interviews wait longer
                + 2 * min(days waiting / 7, 1)
                + 1 * [reported a partner's no-show in the last 7 days]   the offered re-match

and the plan maximises the sum over all bookings. BASE dwarfs the other terms (at most 25
together), so a plan with more interviews wins unless that costs a long chain of exchanges;
among plans of the same size the preferences decide. Counting interviews rather than pairs makes
two swap-seekers prefer each other, which is the point of a swap.

Hard rules: roles fit (candidate with interviewer or swap, interviewer with swap, swap with swap
for a 90-minute swap); both are free for the whole interview and clear of their bookings; level
gap at most 2; no partner again within the no-repeat window; the weekly cap of each request:
at most max_per_week interviews in any 7 days in a row (a rolling window, so a week's worth
cannot land on a Sunday and another on the Monday after; a swap counts twice; every interview
of the person counts, however it was booked); the candidate gets a question they have never
seen in any role (past, live or booked, as interviewer or candidate: interviews.selectors
defines "seen" once), never one their interviewer is booked to take as a candidate; the
question the candidate asked to practise while it is still fresh for them, else where possible
one the interviewer did as a candidate. A pair with no such question left in the bank is never
paired (its edge is left out, so each finds another partner or waits); a swap needs two
different ones. Within a run, every booking adds its questions to both people's seen set
before the next round.

How it is solved
----------------
Time is cut into 15-minute cells and the start times into buckets (2 hours by default). Buckets
are solved in time order: the graph of requests that can start in the bucket, with an edge per
feasible pair weighted as above, pruned to each request's best TOP_K partners so it stays sparse,
goes to an exact maximum-weight matching (Edmonds' blossom algorithm in rustworkx; the same
algorithm in networkx gives the same optimum far more slowly, and HiGHS on the matching integer
programme stalls on these near-equal weights, see bench/README.md). Matched requests leave the
later buckets, so the soonest good slot wins. A run repeats this in rounds (each request gets at
most one more booking per round, which spreads interviews fairly) until a round books nothing or
max_rounds is reached, so running again at once books nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache

import numpy as np
import rustworkx

ROLE_CANDIDATE, ROLE_INTERVIEWER, ROLE_SWAP = 0, 1, 2
ROLE_CODES = {"candidate": ROLE_CANDIDATE, "interviewer": ROLE_INTERVIEWER, "swap": ROLE_SWAP}

CELL = timedelta(minutes=15)
INTERVIEW_CELLS = 3
SWAP_CELLS = 6
PAD_CELLS = 8  # context either side of a bucket for the overlapping-time term
OVERLAP_CAP_CELLS = 12
MAX_BUCKET_CELLS = 64 - 2 * PAD_CELLS  # a bucket and its context fit one 64-bit word
WEEK_CELLS = 7 * 24 * 4  # the rolling window of the weekly cap

# Which roles can meet in a single interview: [role a][role b].
SINGLE_OK = np.array(
    [
        [False, True, True],
        [True, False, True],
        [True, True, False],
    ]
)


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


# --- solving ---------------------------------------------------------------------------


def max_weight_matching(
    n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray
) -> list[int]:
    """Return the indices of the edges in a maximum-weight matching of an n-node graph.

    Edmonds' blossom algorithm as rustworkx implements it (the networkx algorithm in Rust), on
    weights scaled to integers so ties and sums are exact.
    """
    if len(weight) == 0:
        return []
    graph = rustworkx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    scaled = np.rint(weight * 1000).astype(np.int64).tolist()
    graph.add_edges_from(list(zip(left.tolist(), right.tolist(), range(len(scaled)), strict=True)))
    matched = rustworkx.max_weight_matching(
        graph, max_cardinality=False, weight_fn=lambda edge: scaled[edge]
    )
    index = {
        (min(a, b), max(a, b)): e
        for e, (a, b) in enumerate(zip(left.tolist(), right.tolist(), strict=True))
    }
    return [index[(min(a, b), max(a, b))] for a, b in matched]


Solver = Callable[["_Bucket"], list[tuple[int, int, float]]]


def plan(problem: Problem, *, method: str = "optimal") -> Plan:
    """Pair the open requests; method="greedy" is the first-come baseline the benchmark uses."""
    if not 1 <= problem.bucket_cells <= MAX_BUCKET_CELLS:
        raise ValueError(f"bucket_cells must be 1..{MAX_BUCKET_CELLS}")
    solvers: dict[str, Solver] = {"optimal": _solve_optimal, "greedy": _solve_greedy}
    solver = solvers[method]
    seekers = [replace(s, booked=list(s.booked)) for s in problem.seekers]
    recent = set(problem.recent_pairs)
    pairings: list[Pairing] = []
    rounds = 0
    for _ in range(problem.max_rounds):
        found = _round(problem, seekers, recent, solver)
        if not found:
            break
        rounds += 1
        for pairing in found:
            _apply(problem, pairing)
            recent.add(pair_key(pairing.interviewer.user_id, pairing.candidate.user_id))
        pairings.extend(found)
    return Plan(pairings=pairings, rounds=rounds)


@dataclass
class _Bucket:
    """The requests that can start in one bucket, as arrays, and their candidate edges."""

    problem: Problem
    members: list[Seeker]
    role: np.ndarray
    level: np.ndarray
    domains: np.ndarray
    s45: np.ndarray
    s90: np.ndarray
    near: np.ndarray
    prio: np.ndarray
    cap1: np.ndarray
    cap2: np.ndarray
    waited: np.ndarray
    seen: np.ndarray  # question masks (uint64, or Python ints past 64 questions)
    taking: np.ndarray
    user_index: dict[int, int]
    recent: dict[int, set[int]]

    def weights(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (weight, is_swap) for rows x all members; -inf where a pair is not allowed."""
        w = self.problem.weights
        r_role, c_role = self.role[rows, None], self.role[None, :]
        swap = (r_role == ROLE_SWAP) & (c_role == ROLE_SWAP)
        single = SINGLE_OK[r_role, c_role] & ((self.s45[rows, None] & self.s45[None, :]) != 0)
        single &= self.cap1[rows, None] & self.cap1[None, :]
        swap &= (self.s90[rows, None] & self.s90[None, :]) != 0
        swap &= self.cap2[rows, None] & self.cap2[None, :]
        gap = np.abs(self.level[rows, None] - self.level[None, :])
        feasible = (single | swap) & (gap <= self.problem.max_level_gap)
        feasible &= self._questions_left(rows, swap)
        feasible[np.arange(len(rows)), rows] = False
        for a, b in self._recent_within(rows):
            feasible[a, b] = False
        r_dom, c_dom = self.domains[rows, None], self.domains[None, :]
        union = np.bitwise_count(r_dom | c_dom)
        jaccard = np.where(
            (r_dom == 0) | (c_dom == 0), 0.5, np.bitwise_count(r_dom & c_dom) / np.maximum(union, 1)
        )
        shared = np.bitwise_count(self.near[rows, None] & self.near[None, :])
        value = (
            w.base * (1 + swap)
            + w.level * (1 - gap / 3)
            + w.domain * jaccard
            + w.overlap * np.minimum(shared, OVERLAP_CAP_CELLS) / OVERLAP_CAP_CELLS
            + self.prio[rows, None]
            + self.prio[None, :]
        )
        return np.where(feasible, value, -np.inf), swap

    def _questions_left(self, rows: np.ndarray, swap: np.ndarray) -> np.ndarray:
        """Where the bank still holds a question for the pair (two different ones for a swap)."""
        everyone = _mask_type(len(self.problem.questions))((1 << len(self.problem.questions)) - 1)
        # for_col[r, c]: questions c can take as the candidate with r interviewing; for_row the
        # reverse.
        for_col = ~self.seen[None, :] & ~self.taking[rows, None] & everyone
        for_row = ~self.seen[rows, None] & ~self.taking[None, :] & everyone
        r_role, c_role = self.role[rows, None], self.role[None, :]
        row_leads = (r_role == ROLE_INTERVIEWER) | (
            (r_role == ROLE_SWAP) & (c_role == ROLE_CANDIDATE)
        )
        single = np.where(row_leads, for_col, for_row) != 0
        only_one = (for_col == for_row) & (_popcount(for_col) == 1)
        both = (for_col != 0) & (for_row != 0) & ~only_one
        return np.where(swap, both, single)

    def _recent_within(self, rows: np.ndarray) -> Iterable[tuple[int, int]]:
        for row_pos, row in enumerate(rows):
            mine = self.recent.get(self.members[row].user_id)
            if mine:
                for other in mine:
                    col = self.user_index.get(other)
                    if col is not None:
                        yield row_pos, col

    def bonus(self, i: int, j: int, is_swap: bool) -> float:
        """The known-question term: the interviewer did an available question as a candidate."""
        known = self.problem.weights.known_question
        a, b = self.members[i], self.members[j]
        if is_swap:
            return known / 2 * (_knows(a, b) + _knows(b, a))
        leader, follower = _orient(a, b, int(self.role[i]), int(self.role[j]))
        return known * _knows(leader, follower)


def _knows(interviewer: Seeker, candidate: Seeker) -> bool:
    return (interviewer.done & ~candidate.seen & ~interviewer.taking) != 0


def _mask_type(questions: int) -> Callable[[int], object]:
    """Question masks fit a uint64 for banks of up to 64 questions; past that, Python ints."""
    return np.uint64 if questions <= 64 else int


def _masks(values: list[int], questions: int) -> np.ndarray:
    return np.array(values, dtype=np.uint64 if questions <= 64 else object)


def _popcount(masks: np.ndarray) -> np.ndarray:
    if masks.dtype == object:
        return np.vectorize(int.bit_count, otypes=[np.int64])(masks)
    return np.bitwise_count(masks)


def _orient(a: Seeker, b: Seeker, role_a: int, role_b: int) -> tuple[Seeker, Seeker]:
    """Return (interviewer, candidate) for a single interview between a and b.

    role_a and role_b are their roles in this round (a swap-seeker who has seen every question
    only interviews); the pair is known to fit, so a either interviews or b must.
    """
    if role_a == ROLE_INTERVIEWER or (role_a == ROLE_SWAP and role_b == ROLE_CANDIDATE):
        return a, b
    return b, a


def _solve_optimal(bucket: _Bucket) -> list[tuple[int, int, float]]:
    n = len(bucket.members)
    k = min(bucket.problem.top_k, n - 1)
    keys: list[np.ndarray] = []
    values: list[np.ndarray] = []
    swaps: list[np.ndarray] = []
    for start in range(0, n, 512):
        rows = np.arange(start, min(n, start + 512))
        value, swap = bucket.weights(rows)
        best = np.argpartition(-value, k - 1, axis=1)[:, :k]
        row_pos = np.repeat(np.arange(len(rows)), k)
        col = best.ravel()
        keep = np.isfinite(value[row_pos, col])
        row_pos, col = row_pos[keep], col[keep]
        low, high = np.minimum(rows[row_pos], col), np.maximum(rows[row_pos], col)
        keys.append(low.astype(np.int64) * n + high)
        values.append(value[row_pos, col])
        swaps.append(swap[row_pos, col])
    unique, first = np.unique(np.concatenate(keys), return_index=True)
    low, high = unique // n, unique % n
    is_swap = np.concatenate(swaps)[first]
    weight = np.concatenate(values)[first] + np.array(
        [
            bucket.bonus(int(a), int(b), bool(sw))
            for a, b, sw in zip(low, high, is_swap, strict=True)
        ]
    )
    chosen = max_weight_matching(n, low, high, weight)
    return [(int(low[e]), int(high[e]), float(weight[e])) for e in chosen]


def _solve_greedy(bucket: _Bucket) -> list[tuple[int, int, float]]:
    """First come, first served: the longest-waiting request takes its best free partner."""
    n = len(bucket.members)
    value, swap = bucket.weights(np.arange(n))
    taken = np.zeros(n, dtype=bool)
    pairs = []
    for i in np.argsort(-bucket.waited, kind="stable"):
        if taken[i]:
            continue
        row = np.where(taken, -np.inf, value[i])
        j = int(np.argmax(row))
        if np.isfinite(row[j]):
            taken[i] = taken[j] = True
            pairs.append((int(i), j, float(row[j]) + bucket.bonus(int(i), j, bool(swap[i, j]))))
    return pairs


# --- one round ---------------------------------------------------------------------------


def _round(
    problem: Problem, seekers: list[Seeker], recent: set[tuple[int, int]], solver: Solver
) -> list[Pairing]:
    size = problem.bucket_cells
    buckets = -(-problem.cells // size)
    live: dict[int, set[int]] = {}
    for low, high in recent:
        live.setdefault(low, set()).add(high)
        live.setdefault(high, set()).add(low)
    everyone = (1 << len(problem.questions)) - 1
    roles = [_effective_role(s, everyone) for s in seekers]
    active = [i for i, role in enumerate(roles) if role is not None]
    if len(active) < 2:
        return []
    people = [seekers[i] for i in active]
    s45, s90, near = _bucket_words(problem, people, buckets)
    present = s45 != 0
    role = np.array([roles[i] for i in active])
    level = np.array([s.level for s in people])
    domains = np.array([s.domains for s in people], dtype=np.uint64)
    prio = np.array([s.priority for s in people])
    waited = np.array([s.waited for s in people])
    seen = _masks([s.seen for s in people], len(problem.questions))
    taking = _masks([s.taking for s in people], len(problem.questions))
    cap = np.array([s.max_per_week for s in people])
    # Only people with interviews near the horizon can be short of room under the cap.
    counted = [k for k, s in enumerate(people) if s.booked]
    matched = np.zeros(len(active), dtype=bool)
    found: list[Pairing] = []
    for b in range(buckets):
        # Starts anywhere in the bucket, and a swap's second half 45 minutes later.
        first, last = b * size, b * size + size - 1 + INTERVIEW_CELLS
        left = cap.copy()
        for k in counted:
            if present[k, b]:
                left[k] = people[k].left_over(first, last)
        members = np.flatnonzero(present[:, b] & ~matched & (left >= 1))
        if len(members) < 2:
            continue
        chosen = [people[m] for m in members]
        bucket = _Bucket(
            problem=problem,
            members=chosen,
            role=role[members],
            level=level[members],
            domains=domains[members],
            s45=s45[members, b],
            s90=s90[members, b],
            near=near[members, b],
            prio=prio[members],
            cap1=np.ones(len(members), dtype=bool),
            cap2=left[members] >= 2,
            waited=waited[members],
            seen=seen[members],
            taking=taking[members],
            user_index={s.user_id: k for k, s in enumerate(chosen)},
            recent=live,
        )
        for i, j, weight in solver(bucket):
            pairing = _pairing(bucket, i, j, weight, b * size, problem)
            if pairing is not None:
                matched[members[i]] = matched[members[j]] = True
                found.append(pairing)
    return found


def _effective_role(seeker: Seeker, everyone: int) -> int | None:
    """A request whose owner has seen every question can still interview, never be a candidate."""
    if seeker.role == ROLE_INTERVIEWER:
        return ROLE_INTERVIEWER
    if everyone & ~seeker.seen:
        return seeker.role
    return ROLE_INTERVIEWER if seeker.role == ROLE_SWAP else None


def _bucket_words(
    problem: Problem, seekers: list[Seeker], buckets: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per seeker and bucket: 45- and 90-minute start bits, and free cells around the bucket."""
    size = problem.bucket_cells
    width = buckets * size + SWAP_CELLS + 2 * PAD_CELLS
    nbytes = -(-width // 8)
    mask = (1 << problem.cells) - 1

    def bits(values: Iterable[int]) -> np.ndarray:
        raw = b"".join((v & mask).to_bytes(nbytes, "little") for v in values)
        array = np.frombuffer(raw, dtype=np.uint8).reshape(len(seekers), nbytes)
        return np.unpackbits(array, axis=1, bitorder="little")[:, :width].astype(bool)

    free = [s.free for s in seekers]
    start45 = [f & (f >> 1) & (f >> 2) for f in free]
    start90 = [s & (s >> 3) for s in start45]

    def per_bucket(grid: np.ndarray, span: int, offset: int) -> np.ndarray:
        padded = np.zeros((len(seekers), width + 2 * PAD_CELLS), dtype=bool)
        padded[:, PAD_CELLS : PAD_CELLS + width] = grid
        windows = np.lib.stride_tricks.sliding_window_view(padded, span, axis=1)
        picked = windows[:, offset : offset + buckets * size : size][:, :buckets]
        packed = np.packbits(picked, axis=2, bitorder="little")
        out = np.zeros((len(seekers), buckets, 8), dtype=np.uint8)
        out[:, :, : packed.shape[2]] = packed
        return out.view("<u8")[:, :, 0]

    return (
        per_bucket(bits(start45), size, PAD_CELLS),
        per_bucket(bits(start90), size, PAD_CELLS),
        per_bucket(bits(free), size + 2 * PAD_CELLS, 0),
    )


def _pairing(
    bucket: _Bucket, i: int, j: int, weight: float, first_cell: int, problem: Problem
) -> Pairing | None:
    a, b = bucket.members[i], bucket.members[j]
    is_swap = bool(bucket.role[i] == ROLE_SWAP and bucket.role[j] == ROLE_SWAP)
    if is_swap:
        common = int(bucket.s90[i] & bucket.s90[j])
        leader, follower = (a, b) if a.user_id < b.user_id else (b, a)
    else:
        common = int(bucket.s45[i] & bucket.s45[j])
        leader, follower = _orient(a, b, int(bucket.role[i]), int(bucket.role[j]))
    first = choose_question(problem.questions, leader, follower)
    if first is None:
        return None
    question_ids = (problem.questions[first].id,)
    if is_swap:
        second = choose_question(problem.questions, follower, leader, exclude=first)
        if second is None:
            return None
        question_ids += (problem.questions[second].id,)
    return Pairing(
        interviewer=leader,
        candidate=follower,
        start_cell=first_cell + (common & -common).bit_length() - 1,
        swap=is_swap,
        question_ids=question_ids,
        weight=weight,
    )


def choose_question(
    questions: list[QuestionRef], interviewer: Seeker, candidate: Seeker, exclude: int = -1
) -> int | None:
    """Pick the candidate's best question they have never seen, or None if the bank has none.

    The one place a question is chosen: never one the candidate has seen in any role, never
    one the interviewer is booked to take as a candidate; the one the candidate asked for if it
    is still fresh, else one the interviewer did as a candidate where possible.
    """
    order = _preference(tuple(questions), candidate.domains, candidate.level)
    barred = candidate.seen | interviewer.taking
    fresh = [q for q in order if not barred >> q & 1 and q != exclude]
    if candidate.wanted in fresh:
        return candidate.wanted
    for q in fresh:
        if interviewer.done >> q & 1:
            return q
    return fresh[0] if fresh else None


@cache
def _preference(questions: tuple[QuestionRef, ...], domains: int, level: int) -> list[int]:
    """Question indices, those in the wanted domains and closest in level first."""

    def rank(index: int) -> tuple[int, int, int]:
        q = questions[index]
        outside = 0 if domains == 0 or domains >> q.domain & 1 else 1
        return (outside, abs(q.level - level), index)

    return sorted(range(len(questions)), key=rank)


def _apply(problem: Problem, pairing: Pairing) -> None:
    """Take a booked pairing out of what later rounds can use."""
    length = SWAP_CELLS if pairing.swap else INTERVIEW_CELLS
    used = ((1 << length) - 1) << pairing.start_cell
    starts = [pairing.start_cell]
    if pairing.swap:
        starts.append(pairing.start_cell + INTERVIEW_CELLS)
    index = {q.id: k for k, q in enumerate(problem.questions)}
    for person in (pairing.interviewer, pairing.candidate):
        person.free &= ~used
        person.booked.extend(starts)
    # What this run booked counts as seen for the later rounds of the same run, as it will
    # for the next run once it is in the database.
    halves = [(pairing.interviewer, pairing.candidate, pairing.question_ids[0])]
    if pairing.swap:
        halves.append((pairing.candidate, pairing.interviewer, pairing.question_ids[1]))
    for interviewer, candidate, question_id in halves:
        bit = 1 << index[question_id]
        interviewer.seen |= bit
        candidate.seen |= bit
        candidate.taking |= bit
