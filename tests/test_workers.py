"""The test workers' Redis databases: each xdist worker moves down from the one REDIS_URL names."""

import pytest

from config.settings.services import pubsub_prefix
from tests.support.workers import redis_url_for_worker


@pytest.mark.parametrize(
    ("url", "number", "expected"),
    [
        ("redis://127.0.0.1:6379/15", 1, "redis://127.0.0.1:6379/14"),
        ("redis://127.0.0.1:6379/15", 0, "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379", 1, "redis://127.0.0.1:6379/15"),
        (
            "redis://:secret@cache:6379/0?socket_timeout=5",
            1,
            "redis://:secret@cache:6379/15?socket_timeout=5",
        ),
        # redis-py lets ?db= win over the path: the worker's database must be the only one named.
        ("redis://cache:6379?db=3", 1, "redis://cache:6379/2"),
        ("rediss://cache/2", 2, "rediss://cache/0"),
    ],
)
def test_a_worker_gets_the_database_below_the_one_configured(
    url: str, number: int, expected: str
) -> None:
    assert redis_url_for_worker(url, number) == expected


def test_workers_fan_out_on_pub_sub_channels_of_their_own() -> None:
    url = "redis://cache:6379?db=3"
    prefixes = {pubsub_prefix(redis_url_for_worker(url, n)) for n in range(2)}
    assert prefixes == {"asgi.db3.", "asgi.db2."}
