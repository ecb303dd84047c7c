"""Scoring use cases, one module per area (rubrics, submissions, reports)."""
