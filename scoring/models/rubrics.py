"""Versioned rubrics: sections per framework step, anchored criteria, bars, pitfall tags."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sevenstep.errors import Conflict
from sevenstep.framework import Pitfall, Step


class RubricQuerySet(models.QuerySet["Rubric"]):
    def current(self) -> Rubric | None:
        return self.order_by("-version").first()


class Rubric(models.Model):
    """One published version; scorecards point at the version they were written against.

    A published version is never edited: a change is a new version, so old scorecards keep
    the descriptors and bars they were scored with.
    """

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=160)
    published_at = models.DateTimeField(auto_now_add=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="rubric_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise Conflict("A published rubric never changes; publish a new version.")
        super().save(*args, **kwargs)


class RubricSection(models.Model):
    """A framework step (step 1..7) or the cross-cutting section (step is null)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    step = models.PositiveSmallIntegerField(null=True, blank=True, choices=Step.choices)
    title = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField()
    weight = models.FloatField()
    # {level: bar}, one entry per sevenstep.framework.Level; checked when a rubric is published.
    bars = models.JSONField()

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "key"], name="rubric_section_key"),
            models.UniqueConstraint(fields=["rubric", "step"], name="rubric_section_step"),
            models.CheckConstraint(
                condition=Q(step__isnull=True) | Q(step__gte=1, step__lte=7),
                name="rubric_section_step_valid",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=1), name="rubric_section_weight"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    """What a 1, 2, 3 and 4 look like for one aspect of a section."""

    section = models.ForeignKey(RubricSection, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=160)
    position = models.PositiveSmallIntegerField()
    level_1 = models.TextField()
    level_2 = models.TextField()
    level_3 = models.TextField()
    level_4 = models.TextField()

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="rubric_criterion_key"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def levels(self) -> dict[str, str]:
        return {"1": self.level_1, "2": self.level_2, "3": self.level_3, "4": self.level_4}


class RubricPitfall(models.Model):
    """A pitfall tag the interviewer can tick, described in this rubric's words."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="pitfalls")
    tag = models.CharField(max_length=40, choices=Pitfall.choices)
    description = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "tag"], name="rubric_pitfall_tag"),
            models.CheckConstraint(
                condition=Q(tag__in=Pitfall.values), name="rubric_pitfall_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_tag_display()
