"""Recordings on an S3-compatible store: django-storages against moto's S3 server on loopback.

The server is real HTTP speaking the S3 API (started by the test, no AWS account): what the
app stores, serves by range and deletes is checked by listing the bucket with boto3.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto.server import ThreadedMotoServer

from config.settings import recording_storage
from interviews.live.models import RecordingChunk
from tests.factories import UserFactory
from tests.interviews.test_live_recording import (
    both_consent,
    record_old_and_fresh,
    streamed,
    upload,
)
from tests.support.yjs import live_interview

pytestmark = [pytest.mark.s3, pytest.mark.django_db(transaction=True)]

PREFIX = "sevenstep-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """Start moto's S3 server on a free loopback port for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> Callable[[], list[str]]:
    """Point the recordings storage at a fresh bucket, configured as production would be."""
    name = f"recordings-{uuid.uuid4().hex[:12]}"
    env = {
        "RECORDING_STORAGE": "s3",
        "RECORDING_S3_BUCKET": name,
        "RECORDING_S3_PREFIX": f"{PREFIX}/",
        "RECORDING_S3_ENDPOINT_URL": s3_endpoint,
        "RECORDING_S3_REGION": "eu-west-1",
        "RECORDING_S3_ACCESS_KEY_ID": "test-key",
        "RECORDING_S3_SECRET_ACCESS_KEY": "test-secret",
        "RECORDING_S3_ADDRESSING_STYLE": "path",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "recordings": recording_storage()}
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    def keys() -> list[str]:
        listed = client.list_objects_v2(Bucket=name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    return keys


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


def test_chunks_are_objects_in_the_bucket_and_a_track_reads_back_whole_and_by_range(
    client_for, bucket, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    for seq, data in ((1, b"-two"), (0, b"one"), (2, b"-three")):
        assert upload(client_for, candidate, interview, seq, data).status_code == 201
    assert upload(client_for, interviewer, interview, 0, b"hello").status_code == 201
    # A retry is stored once, in the bucket as in the table.
    assert upload(client_for, candidate, interview, 0, b"one").status_code == 200
    names = sorted(RecordingChunk.objects.values_list("name", flat=True))
    assert bucket() == [f"{PREFIX}/{name}" for name in names]
    assert len(names) == 4

    url = f"/api/interviews/{interview.pk}/recording/tracks/candidate/"
    whole = client_for(interviewer).get(url)
    assert whole.status_code == 200
    assert streamed(whole) == b"one-two-three"
    part = client_for(interviewer).get(url, headers={"Range": "bytes=2-8"})
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 2-8/13"
    assert streamed(part) == b"e-two-t"
    past = client_for(interviewer).get(url, headers={"Range": "bytes=13-"})
    assert past.status_code == 416
    assert past["Content-Range"] == "bytes */13"


def test_deleting_a_recording_removes_its_objects(
    client_for, bucket, interview, interviewer, candidate
) -> None:
    # Another pair's interview at the same time (one person is never booked twice at once).
    pair = (UserFactory(), UserFactory())
    other = live_interview(*pair)
    for each, (ivy, carl) in ((interview, (interviewer, candidate)), (other, pair)):
        both_consent(client_for, each, ivy, carl)
        upload(client_for, ivy, each, 0, b"ivy")
        upload(client_for, carl, each, 0, b"carl")
    assert len(bucket()) == 4
    response = client_for(candidate).delete(f"/api/interviews/{interview.pk}/recording/")
    assert response.status_code == 204
    kept = sorted(RecordingChunk.objects.values_list("name", flat=True))
    assert bucket() == [f"{PREFIX}/{name}" for name in kept]
    assert {name.split("/")[1] for name in kept} == {str(other.pk)}


def test_the_retention_purge_removes_old_recordings_objects(
    client_for, settings, bucket, interviewer, candidate
) -> None:
    from interviews.live.tasks import recordings_purge

    _, fresh = record_old_and_fresh(client_for, settings, interviewer, candidate)
    assert len(bucket()) == 2
    recordings_purge()  # what the beat entry runs
    fresh_name = RecordingChunk.objects.get().name
    assert fresh_name.split("/")[1] == str(fresh.pk)
    assert bucket() == [f"{PREFIX}/{fresh_name}"]


def test_a_store_that_fails_after_the_commit_does_not_fail_the_delete(
    client_for, settings, bucket, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    upload(client_for, interviewer, interview, 0, b"ivy")
    # The store goes away: botocore raises its own connection error, which is no OSError.
    recordings = settings.STORAGES["recordings"]
    unreachable = {**recordings["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}
    settings.STORAGES = {**settings.STORAGES, "recordings": {**recordings, "OPTIONS": unreachable}}
    response = client_for(interviewer).delete(f"/api/interviews/{interview.pk}/recording/")
    assert response.status_code == 204
    assert not RecordingChunk.objects.exists()
    assert len(bucket()) == 1  # left behind, and said so in the log


# --- the settings that choose the store ---------------------------------------------------


def test_recordings_are_files_under_the_var_dir_unless_told_otherwise(monkeypatch) -> None:
    from django.conf import settings

    monkeypatch.delenv("RECORDING_STORAGE", raising=False)
    assert recording_storage() == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(settings.VAR_DIR / "media")},
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RECORDING_STORAGE": "ftp"}, "RECORDING_STORAGE must be files or s3"),
        ({"RECORDING_STORAGE": "s3"}, "RECORDING_STORAGE=s3 needs RECORDING_S3_BUCKET"),
        (
            {
                "RECORDING_STORAGE": "s3",
                "RECORDING_S3_BUCKET": "b",
                "RECORDING_S3_ADDRESSING_STYLE": "sideways",
            },
            "RECORDING_S3_ADDRESSING_STYLE must be auto, path or virtual",
        ),
    ],
)
def test_a_storage_setting_that_cannot_work_stops_the_start(monkeypatch, env, message) -> None:
    monkeypatch.delenv("RECORDING_S3_BUCKET", raising=False)
    monkeypatch.delenv("RECORDING_S3_ADDRESSING_STYLE", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        recording_storage()
