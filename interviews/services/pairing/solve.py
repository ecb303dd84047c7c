"""The matching of one bucket: exact (Edmonds' blossom algorithm) or the greedy baseline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import rustworkx

from interviews.services.pairing.bucket import Bucket


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


Solver = Callable[[Bucket], list[tuple[int, int, float]]]


def _solve_optimal(bucket: Bucket) -> list[tuple[int, int, float]]:
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


def _solve_greedy(bucket: Bucket) -> list[tuple[int, int, float]]:
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


SOLVERS: dict[str, Solver] = {"optimal": _solve_optimal, "greedy": _solve_greedy}
