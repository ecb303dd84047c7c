"""The joint posterior of one user's seven skills, scorecard by scorecard (see the package doc)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from scoring.estimation.basics import N_STEPS, FloatArray, IntArray, one_of_a_split
from scoring.estimation.ordinal import Derivatives, interval, rounded

# Newton steps of the posterior mode: the log-likelihood of rounded scores is concave and
# smooth, so Newton converges in a handful of steps from the prior mean.
_NEWTON_STEPS = 8
# Points. Newton converges quadratically here, so once a step moves the mode by less than this
# the mode left is ~1e-6 away (4e-7 measured on bench/report_accuracy.py's base population,
# against stopping at 1e-4); reports keep two decimals.
NEWTON_TOLERANCE = 1e-3
# Threads for the posterior of a large population (joint_state), and the fewest users a thread
# is given (so a split starts at twice this many): below that, a thread costs more than it saves.
POSTERIOR_THREADS = 2
POSTERIOR_USERS_PER_THREAD = 1000
# joint_state's arguments, as _over_threads hands them to each range: one value per rating (cut
# to the range's), or shared by all (n_users, start and threads are set per range).
PER_RATING = (
    "user",
    "step",
    "card",
    "score",
    "offset",
    "noise_var",
    "card_leniency_var",
    "months",
)
SHARED = ("prior", "tolerance", "change_tau2")


def joint_state(
    *,
    user: IntArray,
    step: IntArray,
    card: IntArray,
    score: FloatArray,
    offset: FloatArray,
    noise_var: FloatArray,
    card_leniency_var: FloatArray,
    n_users: int,
    prior: FloatArray,
    start: FloatArray | None = None,
    tolerance: float = NEWTON_TOLERANCE,
    months: FloatArray | None = None,
    change_tau2: float | None = None,
    threads: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Return each user's posterior mode (users, 7, or 14 with the slopes) and cov (users, 7, 7).

    start: (users, 7) near the skills' mode, or (users, 14) near the skills' and the slopes'
    (a mode this returned before, under params a little different: an EM step's), from which
    Newton needs fewer steps than from slopes of zero.

    prior: the (7, 7) covariance of the deviations (scoring.estimation.model: theta = a + d,
    so tau2_user everywhere plus tau2 on the diagonal). Each
    scorecard's scores share one error in the rater's leniency (variance v), so a card's
    scores are not independent: its precision is diag(q) - v / (1 + v sum q) q q' (Sherman-
    Morrison), which is what keeps seven scores from one harsh-or-not rater from counting as
    seven independent pieces of evidence about the user's general level. Rounded scores enter
    through their working response and weight (scoring.estimation.ordinal), recomputed at each
    Newton step: the Laplace approximation of the posterior.

    months and change_tau2: the model of change. Each (user, step) skill moves along its own
    slope ~ N(0, change_tau2) points per 30 days, and a score `months` (age / 30 days) old saw
    the skill `months` slopes before today's. The seven slopes are added to the user's state
    (14 numbers, the slopes' prior independent of the skills) and integrated out: the
    deviations returned are today's, and several old scores of one step, which share that
    step's slope, are not taken as independent evidence about it. A scorecard's scores are all
    as old, so a card's information enters as [1, -months] (x) [1, -months]' (x) its 7x7
    information. None: no change (noise_var then carries any discounting of old scores).

    threads: how many ranges of users to compute at once (_over_threads); by default one per
    POSTERIOR_USERS_PER_THREAD users, at most POSTERIOR_THREADS.
    """
    given = dict(locals())
    changing = months is not None and change_tau2 is not None and change_tau2 > 0
    if not len(user):
        # As wide as with ratings (the slopes' modes are 0), so that ranges join.
        width = 2 * N_STEPS if changing else N_STEPS
        return np.zeros((n_users, width)), np.broadcast_to(
            prior, (n_users, N_STEPS, N_STEPS)
        ).copy()
    if threads is None:
        threads = min(POSTERIOR_THREADS, n_users // POSTERIOR_USERS_PER_THREAD)
    if threads > 1:
        return _over_threads(threads, given)
    ages = np.zeros(len(user)) if months is None else months
    spread_of_change = change_tau2 or 0.0
    farthest = 1.0
    prior_precision = np.linalg.inv(prior)
    cards = _Cards.of(user, card, card_leniency_var, ages if changing else None, n_users)
    width = N_STEPS
    if changing:
        width = 2 * N_STEPS
        grown = np.zeros((width, width))
        grown[:N_STEPS, :N_STEPS] = prior_precision
        grown[N_STEPS:, N_STEPS:] = np.eye(N_STEPS) / spread_of_change
        prior_precision = grown
        farthest = float(ages.max(initial=0.0))
    whole = rounded(score)
    all_whole = bool(whole.all())
    derivatives = Derivatives(score, noise_var) if all_whole else None
    group = user * N_STEPS + step
    mean = np.zeros((n_users, width))
    if start is not None:
        given = min(width, start.shape[1])
        mean[:, :given] = start[:, :given]
    # Exact scores need one step (the posterior is Gaussian); rounded ones a few, fewer from a
    # start near the mode (the last EM step's), until no estimate moves by the tolerance.
    for _ in range(_NEWTON_STEPS if whole.any() else 1):
        before = mean
        m = offset + np.take(mean[:, :N_STEPS], group)
        if changing:
            m = m - ages * np.take(mean[:, N_STEPS:], group)
        if derivatives is not None:
            gradient, q = derivatives.at(m)
            residual = m - offset + gradient / q
        elif whole.any():
            moments = interval(score, m, noise_var)
            q = moments.weight
            residual = m - offset + moments.gradient / q
        else:
            q = 1.0 / noise_var
            residual = score - offset
        precision, weighted = _card_information(cards, step, q, residual)
        precision += prior_precision
        # A solve costs half an inverse; the covariance is needed at the last step only.
        # numpy's stubs type this float64 arithmetic as floating[Any].
        mean = np.linalg.solve(precision, weighted[:, :, None])[:, :, 0]  # type: ignore[assignment]
        moved = np.abs(mean - before)
        if changing:
            # A slope moves the oldest score's mean by that many months as much.
            moved[:, N_STEPS:] *= max(farthest, 1.0)
        if moved.max(initial=0.0) < tolerance:
            break
    cov = np.linalg.inv(precision)
    # numpy's stubs type this float64 arithmetic as floating[Any].
    return mean, cov[:, :N_STEPS, :N_STEPS]  # type: ignore[return-value]


# The (i, j) pairs of a 7x7 symmetric matrix with i <= j: a card's precision is summed as these
# 28 numbers, not 49.
_UPPER = np.triu_indices(N_STEPS)
_N_UPPER = len(_UPPER[0])


@dataclass(frozen=True, slots=True)
class _Cards:
    """The scorecards of a posterior, numbered so that each user's cards are consecutive.

    index: each rating's card in that numbering; leniency_var: each card's; to_user: (users,
    cards), 1 where the card is the user's, and with the model of change also the card's age in
    months and its square there. The sums over a user's cards are products with these, which
    then read the cards' rows in memory order: five times faster than in the order the cards
    were stored. The rest are each Newton step's arrays per card, made once: a card's rated
    steps are the same at every step, so its unrated entries stay 0.
    """

    index: IntArray
    leniency_var: FloatArray
    to_user: list[sparse.csr_array]
    q: FloatArray
    qr: FloatArray
    precision: FloatArray
    vector: FloatArray

    @classmethod
    def of(
        cls,
        user: IntArray,
        card: IntArray,
        card_leniency_var: FloatArray,
        months: FloatArray | None,
        n_users: int,
    ) -> _Cards:
        compact, index = np.unique(card, return_inverse=True)
        n_cards = compact.size
        card_user = np.zeros(n_cards, dtype=np.int64)
        card_user[index] = user
        order = np.argsort(card_user, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(n_cards)
        index = rank[index]
        leniency_var = np.zeros(n_cards)
        leniency_var[index] = card_leniency_var
        weights = [np.ones(n_cards)]
        if months is not None:
            card_months = np.zeros(n_cards)
            card_months[index] = months
            weights += [card_months, card_months**2]
        where = (card_user[order], np.arange(n_cards))
        to_user = [sparse.csr_array((w, where), shape=(n_users, n_cards)) for w in weights]
        return cls(
            index,
            leniency_var,
            to_user,
            q=np.zeros((n_cards, N_STEPS)),
            qr=np.zeros((n_cards, N_STEPS)),
            precision=np.empty((n_cards, _N_UPPER + N_STEPS)),
            vector=np.empty((n_cards, N_STEPS)),
        )


def _card_information(
    cards: _Cards, step: IntArray, q: FloatArray, residual: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Sum each user's scorecards' precision matrices (users, 7, 7) and precision x residual.

    With the model of change (cards.to_user holds the ages) the sums are (users, 14, 14) and
    (users, 14) over the skills and their slopes (see joint_state).
    """
    card, q_card, qr_card = cards.index, cards.q, cards.qr
    # One score per step on a scorecard (a database constraint), so assignment is a sum.
    q_card[card, step] = q
    qr_card[card, step] = q * residual
    card_v = cards.leniency_var
    kappa = card_v / (1.0 + card_v * q_card.sum(axis=1))
    shared = kappa * qr_card.sum(axis=1)
    # Each card's precision, diag(q) - kappa q q', as its upper triangle (row by row) and its
    # diagonal's q; then its precision times its residuals.
    kq = kappa[:, None] * q_card
    precision = cards.precision
    column = 0
    for i in range(N_STEPS):
        span = N_STEPS - i
        np.multiply(kq[:, i : i + 1], q_card[:, i:], out=precision[:, column : column + span])
        column += span
    np.negative(precision[:, :_N_UPPER], out=precision[:, :_N_UPPER])
    precision[:, _N_UPPER:] = q_card
    vector = np.subtract(qr_card, q_card * shared[:, None], out=cards.vector)
    p0 = _square(np.asarray(cards.to_user[0] @ precision))
    b0 = np.asarray(cards.to_user[0] @ vector)
    if len(cards.to_user) == 1:
        return p0, b0
    by_age, by_square = cards.to_user[1:]
    p1 = _square(np.asarray(by_age @ precision))
    b1 = np.asarray(by_age @ vector)
    # The age squared weighs the slopes' precision only.
    p2 = _square(np.asarray(by_square @ precision))
    return np.block([[p0, -p1], [-p1, p2]]), np.concatenate([b0, -b1], axis=1)


def _square(packed: FloatArray) -> FloatArray:
    """Unpack summed precision rows (upper triangle, then diagonal's q) into (users, 7, 7)."""
    upper_i, upper_j = _UPPER
    square = np.empty((packed.shape[0], N_STEPS, N_STEPS))
    square[:, upper_i, upper_j] = packed[:, :_N_UPPER]
    square[:, upper_j, upper_i] = packed[:, :_N_UPPER]
    diagonal = np.arange(N_STEPS)
    square[:, diagonal, diagonal] += packed[:, _N_UPPER:]
    return square


def _over_threads(threads: int, given: dict[str, Any]) -> tuple[FloatArray, FloatArray]:
    """joint_state over contiguous ranges of users, one per thread, joined; given: the
    arguments joint_state was called with (PER_RATING's are cut to the range's ratings,
    SHARED's passed as they are).

    Users are independent given the prior, and numpy's and SciPy's array work (LAPACK's
    batched solves, the special functions, the sparse sums) runs without the interpreter lock:
    the posterior of 10,000 users, the nightly's costliest part, takes both of a machine's
    cores. Each range's Newton stops on its own users' moves, within the same tolerance of the
    mode (test_the_posterior_split_over_threads_is_the_posterior_computed_at_once).
    """
    per_rating = {name: given[name] for name in PER_RATING}
    shared = {name: given[name] for name in SHARED}
    n_users, start = given["n_users"], given["start"]
    user = per_rating["user"]
    bounds = np.linspace(0, n_users, threads + 1).astype(np.int64)
    order = np.argsort(user, kind="stable")
    cuts = np.searchsorted(user[order], bounds)

    def part(i: int) -> tuple[FloatArray, FloatArray]:
        rows = order[cuts[i] : cuts[i + 1]]
        low, high = int(bounds[i]), int(bounds[i + 1])
        arrays: dict[str, Any] = {
            name: None if a is None else a[rows] for name, a in per_rating.items()
        }
        arrays["user"] = arrays["user"] - low
        with one_of_a_split():
            return joint_state(
                **arrays,
                **shared,
                n_users=high - low,
                start=None if start is None else start[low:high],
                threads=1,
            )

    with ThreadPoolExecutor(threads, thread_name_prefix="posterior") as pool:
        parts = list(pool.map(part, range(threads)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
