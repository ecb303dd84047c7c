"""Reading a Prometheus scrape in tests."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """Sum the samples of a scrape that carry these labels (0 when there are none).

    Summed, not the first found: a series is split by labels a test does not name (another
    test's requests leave the same route with other statuses, other processes other pids).
    """
    return sum(
        found.value
        for family in text_string_to_metric_families(text)
        for found in family.samples
        if found.name == name and all(found.labels.get(k) == v for k, v in labels.items())
    )
