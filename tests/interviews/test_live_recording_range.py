"""A track answers byte ranges, so a player can seek in it; no header makes it fail."""

from __future__ import annotations

import pytest

from tests.interviews.test_live_recording import both_consent, streamed, upload
from tests.support.yjs import live_interview

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("storage")]

# Three chunks of different sizes, so ranges fall inside one, across two and across all.
CHUNKS = (b"0123456789", b"abcde", b"ABCDEFGHIJKLMNOPQRST")
TRACK = b"".join(CHUNKS)
SIZE = len(TRACK)  # 35


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


@pytest.fixture
def track(client_for, interview, interviewer, candidate):
    """Return a function fetching the candidate's three-chunk track with some headers."""
    both_consent(client_for, interview, interviewer, candidate)
    for seq, data in enumerate(CHUNKS):
        assert upload(client_for, candidate, interview, seq, data).status_code == 201
    url = f"/api/interviews/{interview.pk}/recording/tracks/candidate/"

    def get(**headers: str):
        return client_for(interviewer).get(url, headers=headers)

    return get


def test_the_whole_track_says_it_takes_ranges_and_how_long_it_is(track) -> None:
    response = track()
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert not response.has_header("Content-Range")
    assert streamed(response) == TRACK


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=2-7", 2, 7),  # inside the first chunk
        ("bytes=8-11", 8, 11),  # across the first two
        ("bytes=9-15", 9, 15),  # the whole middle chunk and a byte either side
        ("bytes=10-14", 10, 14),  # exactly the middle chunk
        ("bytes=3-", 3, SIZE - 1),
        ("bytes=20-1000", 20, SIZE - 1),  # a last byte past the end is the end
        ("bytes=-5", SIZE - 5, SIZE - 1),
        ("bytes=-1000", 0, SIZE - 1),  # a suffix longer than the track is all of it
        ("bytes=34-34", 34, 34),
        (" bytes = 4 - 6 ", 4, 6),
    ],
)
def test_one_range_is_answered_206_with_exactly_those_bytes(track, header, first, last) -> None:
    response = track(Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/webm"
    assert streamed(response) == TRACK[first : last + 1]


def test_every_range_of_the_track_is_its_bytes(track) -> None:
    for first in range(SIZE):
        for last in range(first, SIZE + 2):
            response = track(Range=f"bytes={first}-{last}")
            assert streamed(response) == TRACK[first : last + 1], (first, last)


def test_a_range_reads_only_the_chunks_it_falls_in(track) -> None:
    # One part per chunk touched: the stream never gathers the track before sending.
    async def parts(response) -> list[bytes]:
        return [part async for part in response.streaming_content]

    from asgiref.sync import async_to_sync

    assert async_to_sync(parts)(track(Range="bytes=12-13")) == [b"cd"]
    assert async_to_sync(parts)(track(Range="bytes=14-15")) == [b"e", b"A"]
    assert async_to_sync(parts)(track()) == list(CHUNKS)


@pytest.mark.parametrize("header", ["bytes=35-", "bytes=35-40", "bytes=1000-2000", "bytes=-0"])
def test_a_range_past_the_end_is_416_and_says_how_long_the_track_is(track, header) -> None:
    response = track(Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-1,3-4",  # several ranges: RFC 9110 lets us send the whole
        "bytes=7-2",
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=--1",
        "bytes=1-2-3",
        "items=0-1",
        "0-1",
        "bytes=0x10-20",
        "bytes=\u0661-\u0662",  # digits, but Arabic-Indic ones
        # Longer than any file's size: past what int() reads from a string (4,300 digits).
        "bytes=" + "9" * 5000 + "-",
        "bytes=-" + "9" * 5000,
        "bytes=0-" + "9" * 19,
    ],
)
def test_a_range_header_we_cannot_serve_alone_gets_the_whole_track(track, header) -> None:
    response = track(Range=header)
    assert response.status_code == 200, header
    assert streamed(response) == TRACK


def test_if_range_without_a_validator_of_ours_gets_the_whole_track(track) -> None:
    response = track(Range="bytes=0-3", **{"If-Range": '"some-etag"'})
    assert response.status_code == 200
    assert streamed(response) == TRACK


def test_an_outsider_asking_for_a_range_gets_404_not_bytes(
    client_for, track, interview, outsider
) -> None:
    url = f"/api/interviews/{interview.pk}/recording/tracks/candidate/"
    response = client_for(outsider).get(url, headers={"Range": "bytes=0-3"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
