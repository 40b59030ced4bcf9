"""Paid-job records belong to the endpoint they were made at, and a job the provider no longer knows is bought again.

Found with `framecast make ... --sandbox --out X` run twice: each run's sandbox listens on a new port, and the
second run polled the first run's Runway task ids at its own sandbox ("task ... was cancelled or deleted", exit 2).
Two real sandboxes stand in for two endpoints (a sandbox and the real provider, or two base URLs).
"""

from types import SimpleNamespace

import httpx
import pytest

from framecast import providers, visuals
from framecast.core.errors import InvalidRequest, StorageError, is_retryable
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord, JobVanished
from framecast.providers.kling.client import KlingVideoGenerator, kling_error
from framecast.providers.local.image import LocalImageGenerator
from framecast.providers.runway.client import RunwayVideoGenerator
from framecast.sandbox import Fault, Sandbox
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

FMT = SimpleNamespace(width=320, height=180, fps=12)
IMAGE = SimpleNamespace(ref=SimpleNamespace(sha256="cd" * 32))
PROVIDERS = ("runway", "kling")


@pytest.fixture
def still(tmp_path):
    return LocalImageGenerator().generate("Tides: the moon", width=320, height=180, seed=4, out=tmp_path / "s.png")


@pytest.fixture
def other():
    """A second sandbox on another port: another endpoint, as a second `--sandbox` run gets."""
    with Sandbox(providers.sandbox_routes(), media_scale=0.2) as sb:
        yield sb


def generator(sandbox, provider: str):
    """A Runway or Kling generator talking to `sandbox`, polling fast."""
    headers = {"Authorization": "Bearer key-123456"} if provider == "runway" else {}
    client = httpx.Client(base_url=sandbox.base_url(provider), headers=headers, timeout=30)
    if provider == "runway":
        http = ProviderHTTP("runway", client, secrets=["key-123456"], retry=RetryPolicy(base_delay=0.01))
        return RunwayVideoGenerator(http, "gen4_turbo", poll_seconds=0.01, deadline_seconds=30)
    http = ProviderHTTP("kling", client, reader=kling_error, retry=RetryPolicy(attempts=2, base_delay=0.01))
    return KlingVideoGenerator(
        http,
        "kling-v2-1",
        "ak-sandbox",
        "sk-sandbox-secret-0123456789abcdefghij",
        poll_seconds=0.05,
        deadline_seconds=30,
    )


def animate(gen, still, tmp_path, job):
    return gen.animate(
        still, prompt="slow pan", duration=5, width=320, height=180, fps=12, seed=1, out=tmp_path / "clip.mp4", job=job
    )


def record(store, gen, refunds: list | None = None) -> JobRecord:
    """The job record as `visuals.animate` wires it (a clear refunds the job in the ledger: noted in `refunds`)."""
    return visuals.job_record(
        store, gen, IMAGE, "slow pan", 5.0, FMT, 1, on_clear=(refunds.append if refunds is not None else None)
    )


def paid(sandbox, provider: str) -> int:
    return sandbox.state.calls(provider, "paid")


def polls(sandbox, provider: str) -> int:
    return sandbox.state.calls(provider, "tasks" if provider == "runway" else "image2video.get")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_job_recorded_at_one_endpoint_is_never_resumed_at_another(sandbox, other, store, still, tmp_path, provider):
    first, second = generator(sandbox, provider), generator(other, provider)
    animate(first, still, tmp_path, record(store, first))
    assert paid(sandbox, provider) == 1
    made_here = polls(sandbox, provider)

    clip = animate(second, still, tmp_path, record(store, second))  # the same inputs, another endpoint
    assert ffmpeg.duration(clip) > 4
    assert paid(other, provider) == 1 and polls(sandbox, provider) == made_here  # its own job, the first left alone
    one, two = record(store, first), record(store, second)
    assert one.key != two.key
    assert one.get()["endpoint"] == first.endpoint and two.get()["endpoint"] == second.endpoint
    assert one.get()["task_id"] != two.get()["task_id"]

    animate(first, still, tmp_path, record(store, first))  # back at the first endpoint: its own job, resumed
    assert paid(sandbox, provider) == 1 and paid(other, provider) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_record_naming_another_endpoint_is_refused_before_anything_is_sent(sandbox, store, still, tmp_path, provider):
    gen = generator(sandbox, provider)
    job = record(store, gen)
    store.put_record(job.key, {"task_id": "real-task-1", "seconds": 5, "endpoint": "https://api.dev.runwayml.com"})
    with pytest.raises(StorageError, match="made at https://api.dev.runwayml.com, not at http://127.0.0.1"):
        animate(gen, still, tmp_path, job)
    assert polls(sandbox, provider) == 0 and paid(sandbox, provider) == 0
    assert store.get_record(job.key)["task_id"] == "real-task-1"  # kept: it is someone's paid job


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_record_from_before_endpoints_is_taken_over_once_and_its_job_resumed(
    sandbox, store, still, tmp_path, provider
):
    """A job in flight across the upgrade is resumed, not paid again (guards the migration; passed before too)."""
    gen = generator(sandbox, provider)
    legacy = visuals.job_record(store, SimpleNamespace(name=provider, model=gen.model), IMAGE, "slow pan", 5.0, FMT, 1)
    animate(gen, still, tmp_path, legacy)
    task = legacy.get()["task_id"]
    job = record(store, gen)
    assert job.key != legacy.key and job.get()["task_id"] == task and job.get()["endpoint"] == gen.endpoint
    assert store.get_record(legacy.key) is None  # taken over: no other endpoint can adopt it too
    animate(gen, still, tmp_path, job)
    assert paid(sandbox, provider) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_recorded_job_the_provider_no_longer_knows_is_forgotten_and_the_retry_buys_one(
    sandbox, store, still, tmp_path, provider
):
    gen = generator(sandbox, provider)
    refunds: list = []
    job = record(store, gen, refunds)
    job.put({"task_id": "expired-task-7", "seconds": 5, "submitted_at": 1.0})  # made at this endpoint, long gone
    with pytest.raises(JobVanished, match="expired-task-7.*a retry submits one new task") as raised:
        animate(gen, still, tmp_path, job)
    assert is_retryable(raised.value) and not getattr(raised.value, "attempts_exhausted", False)
    assert job.get() == {} and refunds == []  # forgotten, not refunded: it may have been billed
    assert paid(sandbox, provider) == 0

    clip = animate(gen, still, tmp_path, job)  # what the Prefect task retry does
    assert ffmpeg.duration(clip) > 4 and paid(sandbox, provider) == 1 and job.get()["task_id"] != "expired-task-7"


def test_a_task_of_this_attempt_that_vanishes_is_not_bought_again(sandbox, store, still, tmp_path):
    """Deleted while we polled it (someone's decision): a permanent error, the record cleared, nothing resubmitted."""
    sandbox.state.inject("runway", "image_to_video", Fault(kind="cancelled"))
    gen = generator(sandbox, "runway")
    job = record(store, gen)
    gone = r"cancelled or deleted \(404 from GET http://127\.0\.0\.1:\d+/runway/v1/tasks/"
    with pytest.raises(InvalidRequest, match=gone) as raised:
        animate(gen, still, tmp_path, job)
    assert not is_retryable(raised.value) and raised.value.status is None  # not "model not available" to the chain
    assert job.get() == {} and paid(sandbox, "runway") == 1


def test_the_endpoint_in_records_and_messages_carries_no_credentials():
    from framecast.providers.base import api_endpoint

    client = httpx.Client(base_url="https://user:s3cret-pass@proxy.example:8443/runway/?token=abc")
    assert api_endpoint(client) == "https://proxy.example:8443/runway"
