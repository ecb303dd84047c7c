"""The rooms bench's reading of /metrics: deltas between two scrapes and quantiles from buckets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from bench.rooms.run import Samples, bucket_quantile, from_metrics, metric_deltas, parse_samples


class Fixed(Collector):
    """Serve given families: the test process's own metrics are multiprocess files shared by
    name with every other test, so real Counter and Histogram objects would not start empty."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def scrape(*families: Metric) -> Samples:
    """What a server serving these families answers, through the bench's own parser."""
    registry = CollectorRegistry()
    registry.register(Fixed(list(families)))
    return parse_samples(generate_latest(registry).decode())


def lag(*cumulative: float) -> HistogramMetricFamily:
    counts = zip(("0.01", "0.1", "1.0", "+Inf"), cumulative, strict=True)
    return HistogramMetricFamily("lag_seconds", "lag", buckets=list(counts), sum_value=0)


def test_only_what_happened_between_the_scrapes_counts():
    # 50 observations of 0.5 s before the window, then 100 of 5 ms within it.
    delta = metric_deltas(scrape(lag(0, 0, 50, 50)), scrape(lag(100, 100, 150, 150)))

    assert bucket_quantile(delta, "lag_seconds", 0.99) == pytest.approx(0.0099)
    assert bucket_quantile(delta, "lag_seconds", 0.5) == pytest.approx(0.005)


def test_a_quantile_interpolates_inside_its_bucket_as_prometheus_does():
    # Rank 75 of 100 lies halfway through the (0.01, 0.1] bucket.
    assert bucket_quantile(scrape(lag(50, 100, 100, 100)), "lag_seconds", 0.75) == pytest.approx(
        0.055
    )


def test_a_rank_past_the_last_bound_reads_as_that_bound():
    assert bucket_quantile(scrape(lag(0, 0, 0, 1)), "lag_seconds", 0.99) == 1.0


def test_an_empty_histogram_has_no_quantile():
    assert bucket_quantile(scrape(lag(0, 0, 0, 0)), "lag_seconds", 0.99) is None


def test_the_breakdown_counts_closes_by_code_and_a_missing_counter_as_zero():
    def families(committed: float, forbidden: float) -> list[Metric]:
        updates = CounterMetricFamily("sevenstep_live_updates_committed", "updates")
        updates.add_metric([], committed)
        closes = CounterMetricFamily(
            "sevenstep_websocket_closes", "closes", labels=["code", "reason", "by"]
        )
        closes.add_metric(["1000", "normal", "client"], 7)
        closes.add_metric(["4403", "forbidden", "server"], forbidden)
        return [updates, closes]

    start, end = scrape(*families(40, 1)), scrape(*families(540, 3))
    figures = from_metrics(metric_deltas(start, end), seconds=5.0, processes=1)

    assert figures["updates_committed_per_second"] == 100.0
    assert figures["closes"] == {"4403 forbidden (server)": 2}
    assert figures["outbox_overflows"] == 0
    assert figures["commit_ms_p99"] is None
    assert "fanout_lag_ms_p99" not in figures
