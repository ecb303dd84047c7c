"""The joint posterior of one user's seven skills, scorecard by scorecard (see the package doc)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scoring.estimation.basics import N_STEPS, FloatArray, IntArray
from scoring.estimation.ordinal import Derivatives, interval, rounded

# Newton steps of the posterior mode: the log-likelihood of rounded scores is concave and
# smooth, so Newton converges in a handful of steps from the prior mean.
_NEWTON_STEPS = 8
# Points. Newton converges quadratically here, so once a step moves the mode by less than this
# the mode left is ~1e-6 away (4e-7 measured on bench/report_accuracy.py's base population,
# against stopping at 1e-4); reports keep two decimals.
NEWTON_TOLERANCE = 1e-3


def joint_posterior(
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
) -> tuple[FloatArray, FloatArray]:
    """Return each user's 7 step deviations from mu: posterior mode (users, 7), cov (users, 7, 7).

    prior: the (7, 7) covariance of the deviations (scoring.estimation.model: theta = a + d,
    so tau2_user everywhere plus tau2 on the diagonal). Each
    scorecard's scores share one error in the rater's leniency (variance v), so a card's
    scores are not independent: its precision is diag(q) - v / (1 + v sum q) q q' (Sherman-
    Morrison), which is what keeps seven scores from one harsh-or-not rater from counting as
    seven independent pieces of evidence about the user's general level. Rounded scores enter
    through their working response and weight (scoring.estimation.ordinal), recomputed at each
    Newton step: the Laplace approximation of the posterior.
    """
    if not len(user):
        return np.zeros((n_users, N_STEPS)), np.broadcast_to(
            prior, (n_users, N_STEPS, N_STEPS)
        ).copy()
    prior_precision = np.linalg.inv(prior)
    compact, card_index = np.unique(card, return_inverse=True)
    n_cards = compact.size
    card_user = np.zeros(n_cards, dtype=np.int64)
    card_user[card_index] = user
    card_v = np.zeros(n_cards)
    card_v[card_index] = card_leniency_var
    to_user = sparse.csr_array(
        (np.ones(n_cards), (card_user, np.arange(n_cards))), shape=(n_users, n_cards)
    )
    whole = rounded(score)
    all_whole = bool(whole.all())
    derivatives = Derivatives(score, noise_var) if all_whole else None
    group = user * N_STEPS + step
    mean = np.zeros((n_users, N_STEPS)) if start is None else start
    # Exact scores need one step (the posterior is Gaussian); rounded ones a few, fewer from a
    # start near the mode (the last EM step's), until no estimate moves by the tolerance.
    for _ in range(_NEWTON_STEPS if whole.any() else 1):
        before = mean
        m = offset + np.take(mean, group)
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
        precision, weighted = _card_information(card_index, step, q, residual, card_v, to_user)
        precision += prior_precision
        # A solve costs half an inverse; the covariance is needed at the last step only.
        # numpy's stubs type this float64 arithmetic as floating[Any].
        mean = np.linalg.solve(precision, weighted[:, :, None])[:, :, 0]  # type: ignore[assignment]
        if np.abs(mean - before).max(initial=0.0) < tolerance:
            break
    # numpy's stubs type this float64 arithmetic as floating[Any].
    return mean, np.linalg.inv(precision)  # type: ignore[return-value]


def _card_information(
    card: IntArray,
    step: IntArray,
    q: FloatArray,
    residual: FloatArray,
    card_v: FloatArray,
    to_user: sparse.csr_array,
) -> tuple[FloatArray, FloatArray]:
    """Sum each user's scorecards' precision matrices (users, 7, 7) and precision x residual.

    to_user: (users, cards), 1 where the card is the user's.
    """
    n_cards = to_user.shape[1]
    q_card = np.zeros((n_cards, N_STEPS))
    qr_card = np.zeros((n_cards, N_STEPS))
    # One score per step on a scorecard (a database constraint), so assignment is a sum.
    q_card[card, step] = q
    qr_card[card, step] = q * residual
    kappa = card_v / (1.0 + card_v * q_card.sum(axis=1))
    shared = kappa * qr_card.sum(axis=1)
    outer = kappa[:, None, None] * q_card[:, :, None] * q_card[:, None, :]
    per_card = np.concatenate(
        [-outer.reshape(n_cards, -1), q_card, qr_card - q_card * shared[:, None]], axis=1
    )
    per_user = np.asarray(to_user @ per_card)
    square = N_STEPS * N_STEPS
    precision = per_user[:, :square].reshape(-1, N_STEPS, N_STEPS)
    diagonal = np.arange(N_STEPS)
    precision[:, diagonal, diagonal] += per_user[:, square : square + N_STEPS]
    return precision, per_user[:, square + N_STEPS :]
