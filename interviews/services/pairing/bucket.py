"""One bucket of a round: the requests that can start in it, as arrays, and their edges."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from interviews.services.pairing.model import (
    OVERLAP_CAP_CELLS,
    PAD_CELLS,
    ROLE_CANDIDATE,
    ROLE_INTERVIEWER,
    ROLE_SWAP,
    SWAP_CELLS,
    Problem,
    Seeker,
)
from interviews.services.pairing.questions import knows

# Which roles can meet in a single interview: [role a][role b].
SINGLE_OK = np.array(
    [
        [False, True, True],
        [True, False, True],
        [True, True, False],
    ]
)


@dataclass
class Bucket:
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
            return known / 2 * (knows(a, b) + knows(b, a))
        leader, follower = orient(a, b, int(self.role[i]), int(self.role[j]))
        return known * knows(leader, follower)


def _mask_type(questions: int) -> Callable[[int], object]:
    """Question masks fit a uint64 for banks of up to 64 questions; past that, Python ints."""
    return np.uint64 if questions <= 64 else int


def masks(values: list[int], questions: int) -> np.ndarray:
    return np.array(values, dtype=np.uint64 if questions <= 64 else object)


def _popcount(masks: np.ndarray) -> np.ndarray:
    if masks.dtype == object:
        return np.vectorize(int.bit_count, otypes=[np.int64])(masks)
    return np.bitwise_count(masks)


def orient(a: Seeker, b: Seeker, role_a: int, role_b: int) -> tuple[Seeker, Seeker]:
    """Return (interviewer, candidate) for a single interview between a and b.

    role_a and role_b are their roles in this round (a swap-seeker who has seen every question
    only interviews); the pair is known to fit, so a either interviews or b must.
    """
    if role_a == ROLE_INTERVIEWER or (role_a == ROLE_SWAP and role_b == ROLE_CANDIDATE):
        return a, b
    return b, a


def bucket_words(
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
