"""Publishing rubric versions from their JSON document (scoring/data/rubric_v*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from sevenstep.errors import ApplicationError
from sevenstep.framework import LEVEL_ORDER, Pitfall, Step

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def rubric_document_load(version: int) -> dict[str, Any]:
    """Read a shipped rubric document."""
    return json.loads((DATA_DIR / f"rubric_v{version}.json").read_text())


def rubric_document_check(document: dict[str, Any]) -> None:
    """Raise ApplicationError unless the document is a complete rubric for the framework."""
    problems: list[str] = []
    sections = document.get("sections", [])
    steps = sorted(s.get("step") for s in sections if s.get("step") is not None)
    if steps != [step.value for step in Step]:
        problems.append("needs exactly one section per framework step 1..7")
    if sum(1 for s in sections if s.get("step") is None) != 1:
        problems.append("needs exactly one cross-cutting section (step null)")
    for section in sections:
        key = section.get("key", "?")
        if set(section.get("bars", {})) != set(LEVEL_ORDER):
            problems.append(f"{key}: bars must name every level {', '.join(LEVEL_ORDER)}")
        elif not all(1 <= float(bar) <= 4 for bar in section["bars"].values()):
            problems.append(f"{key}: bars must lie between 1 and 4")
        if not section.get("criteria"):
            problems.append(f"{key}: needs criteria")
        for criterion in section.get("criteria", []):
            if set(criterion.get("levels", {})) != {"1", "2", "3", "4"}:
                problems.append(f"{key}/{criterion.get('key')}: needs descriptors for 1, 2, 3, 4")
    weights = sum(float(s.get("weight", 0)) for s in sections)
    if abs(weights - 1.0) > 1e-6:
        problems.append(f"section weights must sum to 1 (they sum to {weights:.3f})")
    tags = [p.get("tag") for p in document.get("pitfalls", [])]
    unknown = sorted(set(tags) - set(Pitfall.values))
    if unknown or len(set(tags)) != len(tags):
        problems.append(f"pitfall tags must be distinct Pitfall values (unknown: {unknown})")
    if problems:
        raise ApplicationError("The rubric is incomplete: " + "; ".join(problems) + ".")


def rubric_publish(*, document: dict[str, Any], models: dict[str, Any] | None = None) -> Any:
    """Create a new rubric version from a document; an existing version is never touched.

    `models` lets a data migration pass its historical model classes.
    """
    if models is None:
        from scoring.models import Rubric, RubricCriterion, RubricPitfall, RubricSection

        models = {
            "Rubric": Rubric,
            "RubricSection": RubricSection,
            "RubricCriterion": RubricCriterion,
            "RubricPitfall": RubricPitfall,
        }
    rubric_document_check(document)
    with transaction.atomic():
        if models["Rubric"].objects.filter(version=document["version"]).exists():
            raise ApplicationError(
                f"Rubric version {document['version']} exists; publish a new version number.",
                code="rubric_version_exists",
            )
        rubric = models["Rubric"].objects.create(
            version=document["version"], title=document["title"]
        )
        for position, section in enumerate(document["sections"]):
            row = models["RubricSection"].objects.create(
                rubric=rubric,
                key=section["key"],
                step=section["step"],
                title=section["title"],
                position=position,
                weight=section["weight"],
                bars={level: float(section["bars"][level]) for level in LEVEL_ORDER},
            )
            models["RubricCriterion"].objects.bulk_create(
                models["RubricCriterion"](
                    section=row,
                    key=criterion["key"],
                    title=criterion["title"],
                    position=index,
                    **{f"level_{n}": criterion["levels"][str(n)] for n in range(1, 5)},
                )
                for index, criterion in enumerate(section["criteria"])
            )
        models["RubricPitfall"].objects.bulk_create(
            models["RubricPitfall"](
                rubric=rubric, tag=pitfall["tag"], description=pitfall["description"], position=i
            )
            for i, pitfall in enumerate(document["pitfalls"])
        )
    return rubric
