"""Report contents: a digest that changes exactly when what a report says changes."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
import pytest

from scoring.models.reports import STEP_COLUMNS
from scoring.services.report_bodies import Contents


def contents(users: int = 2) -> Contents:
    """Return the contents of a few reports that say nothing much."""
    per_step = (users, 7)
    steps: dict[str, np.ndarray] = {name: np.full(per_step, 2.5) for name in STEP_COLUMNS}
    steps["n_ratings"] = np.zeros(per_step, dtype=np.int64)
    steps["trend"] = np.full(per_step, "flat")
    return Contents(
        level=np.zeros(users, dtype=np.int64),
        scorecards=np.ones(users, dtype=np.int64),
        raters=np.ones(users, dtype=np.int64),
        latest=np.full(users, 1.7e9),
        steps=steps,
        weakest=np.zeros(users, dtype=np.int64),
        weakest_probability=np.full(users, 0.4),
        weakest_more=np.full(users, 3, dtype=np.int64),
        weakest_threshold=np.full(users, 0.65),
        interviews=np.ones(users, dtype=np.int64),
        rushed=np.zeros(per_step, dtype=bool),
        over_budget=np.zeros(per_step, dtype=bool),
        often_not_reached=np.zeros(per_step, dtype=bool),
        pitfall_counts=np.zeros((users, 3), dtype=np.int64),
        pitfall_recurring=np.zeros((users, 3), dtype=bool),
        pitfall_population=np.full((users, 3), np.nan),
        questions=np.full((users, 3, 3), -1, dtype=np.int64),
        communication={
            "estimate": np.full(users, 2.5),
            "lower": np.full(users, 2.0),
            "upper": np.full(users, 3.0),
            "raw_mean": np.full(users, np.nan),
            "n_ratings": np.zeros(users, dtype=np.int64),
            "bar": np.full(users, 2.5),
        },
    )


def changed_for_the_first_user(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: changed_for_the_first_user(column) for name, column in value.items()}
    value = value.copy()
    first = value[:1]  # the first user, as a view
    if value.dtype.kind == "U":
        first[...] = "unclear"
    elif value.dtype.kind == "b":
        first[...] = ~first
    else:
        first[...] = np.nan_to_num(first) + 1
    return value


def test_the_same_contents_have_the_same_digest_and_users_differ_only_by_their_own() -> None:
    same = contents().digests()
    assert same.tolist() == contents().digests().tolist()
    assert same[0] == same[1]  # two users saying the same thing


@pytest.mark.parametrize("name", [field.name for field in fields(Contents)])
def test_a_change_in_any_part_of_a_report_changes_its_digest_and_no_other(name: str) -> None:
    before = contents()
    after = replace(before, **{name: changed_for_the_first_user(getattr(before, name))})
    old, new = before.digests(), after.digests()
    assert old[0] != new[0]
    assert old[1] == new[1]


def test_a_digest_does_not_depend_on_the_longest_text_next_to_it() -> None:
    alone = contents()
    beside = contents()
    beside.steps["trend"] = beside.steps["trend"].astype("<U15")
    beside.steps["trend"][1] = "not_enough_data"
    assert alone.digests()[0] == beside.digests()[0]


def test_nan_and_negative_zero_say_nothing_new() -> None:
    plain = contents()
    odd = contents()
    odd.steps["estimate"][0, 0] = -0.0
    plain.steps["estimate"][0, 0] = 0.0
    odd.steps["lower"][0, 0] = -np.nan
    plain.steps["lower"][0, 0] = np.nan
    assert plain.digests()[0] == odd.digests()[0]


@pytest.mark.parametrize("column", STEP_COLUMNS)
def test_a_change_in_any_per_step_column_changes_the_digest(column: str) -> None:
    before = contents()
    steps = {**before.steps, column: changed_for_the_first_user(before.steps[column])}
    assert before.digests()[0] != replace(before, steps=steps).digests()[0]


def test_the_estimation_works_on_as_many_steps_as_the_framework_defines() -> None:
    # The estimation stays free of Django and spells the count out; this keeps the two equal.
    from scoring.estimation import N_STEPS
    from sevenstep.framework import Step

    assert len(Step) == N_STEPS
