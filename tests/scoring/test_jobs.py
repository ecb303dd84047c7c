"""The report jobs on a real Celery worker with the real Redis broker."""

from __future__ import annotations

import pytest

from scoring.models import ModelFit, Report, ReportState
from tests.scoring.conftest import FEEDBACK, held_interview, scorecard_body
from tests.support.servers import celery_worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_submissions_update_the_report_on_a_real_worker(
    client_for, interviewer, candidate, settings, queue
) -> None:
    from scoring.tasks import reports_rebuild_all

    settings.REPORT_DEBOUNCE_SECONDS = 1
    interview = held_interview(interviewer, candidate)
    url = f"/api/interviews/{interview.pk}"
    writer, reader = client_for(interviewer), client_for(candidate)
    writer.put(f"{url}/scorecard/", scorecard_body(), format="json")
    assert writer.post(f"{url}/scorecard/submit/").status_code == 200
    reader.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
    assert reader.post(f"{url}/interviewer-feedback/submit/").status_code == 200
    assert not Report.objects.filter(user=candidate).exists()  # queued, nobody ran it yet

    with celery_worker(queue):

        def built() -> bool:
            state = ReportState.objects.get(user=candidate)
            return state.built_version == state.requested_version == 2

        wait_for(built)
        nightly = reports_rebuild_all.apply_async(queue=queue).get(timeout=60)

    report = Report.objects.get(user=candidate)
    assert report.n_scorecards == 1
    assert report.document()["steps"]["raw_mean"][0] == 3
    assert nightly["skipped"] is False and nightly["users"] == 1
    assert ModelFit.objects.get().pk == nightly["fit_id"]
    assert report.kind == "nightly"
