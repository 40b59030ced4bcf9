"""Issue 17 item 8: an ambiguous Kling failure is recovered, not fatal, and never pays twice.

Against the sandbox Kling: "accepted_reset" creates (and bills) the task, then drops the
connection before the answer is complete; "reset" drops a poll's or a download's answer mid-body.
"""

import httpx
import pytest

from framecast.core.errors import ProviderUnavailable
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord
from framecast.sandbox import Fault
from framecast.transport.callbacks import record_key
from tests.providers.test_kling_callbacks import JOB, animate, kling, only_task

KEY = record_key("kling", JOB)


def store_job(store) -> JobRecord:
    return JobRecord(load=lambda: store.get_record(KEY), save=lambda data: store.put_record(KEY, data), key=KEY)


def test_a_reset_after_kling_accepted_the_job_is_recovered_without_paying_twice(sandbox, store, still, tmp_path):
    sandbox.state.inject("kling", "image2video", Fault(kind="accepted_reset"))
    job = store_job(store)
    clip = animate(kling(sandbox, poll=0.05), still, tmp_path, job)
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    assert sandbox.state.calls("kling", "paid") == 1 and len(sandbox.state.tasks) == 1
    assert sandbox.state.calls("kling", "image2video") == 1  # looked up by external_task_id, not posted again
    task = only_task(sandbox)
    assert store.get_record(KEY)["external_task_id"] == task["body"]["external_task_id"]
    assert task["body"]["external_task_id"].startswith(JOB[:40] + "-")


def test_a_lost_create_answer_is_found_by_the_next_attempt(sandbox, store, still, tmp_path):
    """A create reset, then the lookup failing too: the attempt fails, the record keeps its note, the next
    attempt finds the task by its external_task_id instead of paying again."""
    sandbox.state.inject("kling", "image2video", Fault(kind="accepted_reset"))
    sandbox.state.inject("kling", "image2video.get", Fault(status=503), times=2)  # both tries of the lookup
    job = store_job(store)
    with pytest.raises(ProviderUnavailable):
        animate(kling(sandbox, poll=0.05), still, tmp_path, job)
    assert store.get_record(KEY)["submitting"]["external_task_id"]
    clip = animate(kling(sandbox, poll=0.05), still, tmp_path, job)
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    assert sandbox.state.calls("kling", "paid") == 1 and sandbox.state.calls("kling", "image2video") == 1


def test_a_5xx_create_with_no_task_behind_it_is_submitted_again(sandbox, store, still, tmp_path):
    sandbox.state.inject("kling", "image2video", Fault(status=502))  # answered 502: looked up, none, posted again
    clip = animate(kling(sandbox, poll=0.05), still, tmp_path, store_job(store))
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    assert sandbox.state.calls("kling", "image2video") == 2 and sandbox.state.calls("kling", "paid") == 1


def test_resets_on_polls_and_downloads_are_retried(sandbox, store, still, tmp_path):
    sandbox.state.inject("kling", "image2video.get", Fault(kind="reset"))
    sandbox.state.inject("kling", "media", Fault(kind="reset"))
    clip = animate(kling(sandbox, poll=0.05), still, tmp_path, store_job(store))
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    assert sandbox.state.calls("kling", "paid") == 1 and sandbox.state.calls("kling", "media") == 2


def test_the_sandbox_refuses_a_reused_external_task_id(sandbox):
    from framecast.providers.kling.client import token

    headers = {"Authorization": f"Bearer {token('ak', 'sk-sandbox-secret-0123456789abcdefghij')}"}
    body = {"model_name": "kling-v2-1", "image": "AAAA", "duration": "5", "external_task_id": "ext-1"}
    base = sandbox.base_url("kling")
    first = httpx.post(f"{base}/v1/videos/image2video", json=body, headers=headers)
    assert first.json()["data"]["task_info"]["external_task_id"] == "ext-1"
    again = httpx.post(f"{base}/v1/videos/image2video", json=body, headers=headers)
    assert again.status_code == 400 and sandbox.state.calls("kling", "paid") == 1
    found = httpx.get(f"{base}/v1/videos/image2video/ext-1", headers=headers).json()["data"]
    assert found["task_id"] == first.json()["data"]["task_id"]
    assert httpx.get(f"{base}/v1/videos/image2video/ext-2", headers=headers).status_code == 404
