"""The 7-step ML system design framework and the vocabulary built on it.

Every other module (session timeline, notes sections, rubric, reports) keys on these
enumerations; nothing else spells out a step, level, role, domain or pitfall.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Step(models.IntegerChoices):
    CLARIFY = 1, "Clarifying requirements"
    FRAME = 2, "Framing as an ML task"
    DATA = 3, "Data preparation"
    MODEL = 4, "Model development"
    EVALUATION = 5, "Evaluation"
    SERVING = 6, "Deployment and serving"
    MONITORING = 7, "Monitoring and infrastructure"


@dataclass(frozen=True)
class StepInfo:
    step: Step
    slug: str
    budget_share: float  # typical share of a 45-minute interview
    covers: str


INTERVIEW_MINUTES = 45

STEPS: tuple[StepInfo, ...] = (
    StepInfo(
        Step.CLARIFY,
        "clarify",
        0.10,
        "business objective, features to support, data available, constraints, scale, "
        "latency and throughput",
    ),
    StepInfo(
        Step.FRAME,
        "frame",
        0.10,
        "ML objective serving the business goal, inputs and outputs, ML category",
    ),
    StepInfo(
        Step.DATA,
        "data",
        0.15,
        "data sources, labelling, data engineering, user/item/context features, "
        "missing data, imbalance, privacy",
    ),
    StepInfo(
        Step.MODEL,
        "model",
        0.25,
        "baseline first, model choices and trade-offs, training data, loss, sampling, "
        "scaling training",
    ),
    StepInfo(
        Step.EVALUATION,
        "evaluation",
        0.15,
        "offline metrics tied to the objective, online metrics and A/B tests, fairness",
    ),
    StepInfo(
        Step.SERVING,
        "serving",
        0.15,
        "cloud vs on-device, latency budget, compression, batch vs online, candidate "
        "generation and ranking, shadow and canary",
    ),
    StepInfo(
        Step.MONITORING,
        "monitoring",
        0.10,
        "failure modes, data and prediction drift, alerts, retraining, bottlenecks",
    ),
)

STEP_INFO: dict[int, StepInfo] = {info.step.value: info for info in STEPS}


def step_budget_seconds(step: int, total_minutes: int = INTERVIEW_MINUTES) -> int:
    """Return the time budget of a step for an interview of the given length."""
    return round(STEP_INFO[step].budget_share * total_minutes * 60)


class Level(models.TextChoices):
    NEW_GRAD = "new_grad", "New grad"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    STAFF = "staff", "Staff"


LEVEL_ORDER: tuple[str, ...] = tuple(level.value for level in Level)


class TargetRole(models.TextChoices):
    MLE = "mle", "Machine learning engineer"
    APPLIED_SCIENTIST = "applied_scientist", "Applied scientist"
    ML_PLATFORM = "ml_platform", "ML platform engineer"


class Domain(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    SEARCH = "search", "Search and ranking"
    ADS = "ads", "Ads"
    VISION = "vision", "Computer vision"
    NLP_LLM = "nlp_llm", "NLP and LLMs"
    TRUST_SAFETY = "trust_safety", "Trust and safety"
    FRAUD = "fraud", "Fraud and risk"
    MARKETPLACE = "marketplace", "Marketplaces"


class Pitfall(models.TextChoices):
    """Pitfall tags an interviewer can tick; the step they belong to is in PITFALL_STEP."""

    NO_CLARIFYING_QUESTIONS = "no_clarifying_questions", "No clarifying questions"
    NO_SCALE_ESTIMATES = "no_scale_estimates", "No scale or latency estimates"
    OBJECTIVE_NOT_TIED_TO_BUSINESS = (
        "objective_not_tied_to_business",
        "ML objective not tied to the business goal",
    )
    RANKING_AS_CLASSIFICATION = (
        "ranking_as_classification",
        "Ranking treated as plain classification",
    )
    IGNORES_DATA_PIPELINE = "ignores_data_pipeline", "Ignores the data pipeline"
    IGNORES_LABEL_QUALITY = "ignores_label_quality", "Ignores label quality or imbalance"
    FEATURES_UNAVAILABLE_AT_SERVING = (
        "features_unavailable_at_serving",
        "Features unavailable at serving time",
    )
    COMPLEX_MODEL_NO_BASELINE = (
        "complex_model_no_baseline",
        "Jumps to a complex model without a baseline",
    )
    NO_METRICS_OR_ACCURACY_ONLY = "no_metrics_or_accuracy_only", "No metrics, or only accuracy"
    NO_ONLINE_METRIC = "no_online_metric", "No online metric or A/B test"
    NO_DEPLOYMENT_PLAN = "no_deployment_plan", "No deployment or rollout plan"
    IGNORES_LATENCY_BUDGET = "ignores_latency_budget", "Ignores the latency budget"
    IGNORES_MONITORING = "ignores_monitoring", "Ignores monitoring and drift"
    NO_TRADEOFFS = "no_tradeoffs", "No trade-offs discussed"
    STEPS_OUT_OF_ORDER = "steps_out_of_order", "Steps out of order"
    POOR_TIME_MANAGEMENT = "poor_time_management", "Poor time management"


# None = cross-cutting (communication, trade-offs, structure).
PITFALL_STEP: dict[str, int | None] = {
    Pitfall.NO_CLARIFYING_QUESTIONS: Step.CLARIFY,
    Pitfall.NO_SCALE_ESTIMATES: Step.CLARIFY,
    Pitfall.OBJECTIVE_NOT_TIED_TO_BUSINESS: Step.FRAME,
    Pitfall.RANKING_AS_CLASSIFICATION: Step.FRAME,
    Pitfall.IGNORES_DATA_PIPELINE: Step.DATA,
    Pitfall.IGNORES_LABEL_QUALITY: Step.DATA,
    Pitfall.FEATURES_UNAVAILABLE_AT_SERVING: Step.DATA,
    Pitfall.COMPLEX_MODEL_NO_BASELINE: Step.MODEL,
    Pitfall.NO_METRICS_OR_ACCURACY_ONLY: Step.EVALUATION,
    Pitfall.NO_ONLINE_METRIC: Step.EVALUATION,
    Pitfall.NO_DEPLOYMENT_PLAN: Step.SERVING,
    Pitfall.IGNORES_LATENCY_BUDGET: Step.SERVING,
    Pitfall.IGNORES_MONITORING: Step.MONITORING,
    Pitfall.NO_TRADEOFFS: None,
    Pitfall.STEPS_OUT_OF_ORDER: None,
    Pitfall.POOR_TIME_MANAGEMENT: None,
}
