"""The resume-pending-uploads task on the real Prefect engine: what a run does first when YouTube refused yesterday."""

import pytest
from prefect import flow

from framecast import context as runtime
from framecast.core.errors import QuotaExhausted
from framecast.sandbox import Fault
from tasks.delivery import resume_pending_uploads
from tests.providers.test_youtube_best_effort import finished_video, publish, uploaded, youtube_channel  # noqa: F401

pytestmark = pytest.mark.usefixtures("prefect_server")


@flow
def next_run(channel: str) -> list[dict]:
    return resume_pending_uploads(channel, runtime.services())


def test_the_task_uploads_what_is_pending_once_and_then_finds_nothing(sandbox, youtube_channel, tmp_path):
    inputs = finished_video(tmp_path)
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="upload_limit"))
    with pytest.raises(QuotaExhausted):
        publish(youtube_channel, inputs)
    [done] = next_run("tiny-yt")
    assert done["video_id"] and len(uploaded(sandbox)) == 1
    assert runtime.store().list_records("pending/youtube/tiny-yt") == {}
    assert next_run("tiny-yt") == [] and len(uploaded(sandbox)) == 1
