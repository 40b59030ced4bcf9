"""The flow with every artifact on (emulated) Google Cloud Storage."""

import json

import pytest

from flows.produce_video import produce_video
from framecast.media import ffmpeg
from framecast.settings import reset_settings
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_artifacts_manifest_and_publication_land_in_the_bucket_and_reruns_reuse_them(
    gcs_bucket, tiny_channel, tmp_path, monkeypatch
):
    client, bucket = gcs_bucket
    monkeypatch.setenv("FRAMECAST_STORE", f"gs://{bucket}/media")
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "framecast-test")
    reset_settings()
    try:
        first = produce_video(channel=str(tiny_channel), topic="How glaciers move")
        calls = len(ledger_entries(tmp_path / "local"))
        again = produce_video(channel=str(tiny_channel), topic="How glaciers move")
    finally:
        reset_settings()
    assert first.location.startswith(f"gs://{bucket}/media/published/tiny/")
    assert again.location == first.location  # same video: publishing again is a no-op
    assert len(ledger_entries(tmp_path / "local")) == calls  # second run generated nothing
    names = {b.name for b in client.list_blobs(bucket)}
    prefix = first.location.removeprefix(f"gs://{bucket}/")
    assert {f"{prefix}/video.mp4", f"{prefix}/metadata.json", f"{prefix}/thumbnail.jpg"} <= names
    manifest = json.loads(
        client.bucket(bucket).blob(first.manifest.uri.removeprefix(f"gs://{bucket}/")).download_as_bytes()
    )
    scene_refs = [ref for name, ref in manifest["artifacts"].items() if name.startswith("scene_")]
    assert scene_refs and all(ref["uri"].startswith(f"gs://{bucket}/media/tiny/") for ref in scene_refs)
    video = tmp_path / "v.mp4"
    client.bucket(bucket).blob(f"{prefix}/video.mp4").download_to_filename(str(video))
    assert ffmpeg.stream(ffmpeg.probe(video), "video")["codec_name"] == "h264"


def emulator_credentials():
    from google.auth.credentials import AnonymousCredentials
    from prefect_gcp import GcpCredentials

    class EmulatorCredentials(GcpCredentials):
        def get_credentials_from_service_account(self):
            return AnonymousCredentials()

    return EmulatorCredentials(project="framecast-test")


def test_task_results_live_in_the_bucket_so_another_machine_resumes_without_paying(
    gcs_bucket, tiny_channel, tmp_path, monkeypatch
):
    from tasks.results import result_storage

    client, bucket = gcs_bucket
    monkeypatch.setenv("FRAMECAST_STORE", f"gs://{bucket}/media")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "framecast-test")
    results = {}
    for machine in ("a", "b"):  # two machines: separate local folders and Prefect storage, one bucket
        monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / machine))
        monkeypatch.setenv("PREFECT_LOCAL_STORAGE_PATH", str(tmp_path / machine / "prefect"))
        reset_settings()
        flow = produce_video.with_options(result_storage=result_storage(emulator_credentials()))
        results[machine] = flow(channel=str(tiny_channel), topic="Why leaves change colour")
    reset_settings()
    assert any(b.name.startswith("media/prefect-results/") for b in client.list_blobs(bucket))
    assert results["a"].location == results["b"].location
    assert ledger_entries(tmp_path / "a") and ledger_entries(tmp_path / "b") == []  # machine b paid for nothing


def test_prefect_setup_makes_the_bucket_the_servers_result_storage_for_every_worker(
    gcs_bucket, tiny_channel, tmp_path, monkeypatch
):
    """What deployments get: no result storage in the flow or the job, the server's default says where."""
    from prefect.client.orchestration import get_client

    from tasks.operations import ensure_result_storage

    client, bucket = gcs_bucket
    monkeypatch.setenv("FRAMECAST_STORE", f"gs://{bucket}")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "framecast-test")
    reset_settings()
    with get_client(sync_client=True) as prefect:
        try:
            assert ensure_result_storage(prefect, emulator_credentials()) == f"framecast-results-{bucket}"
            results = {}
            for machine in ("a", "b"):  # two workers: nothing shared but the bucket and the server
                monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / machine))
                monkeypatch.setenv("PREFECT_RESULTS_LOCAL_STORAGE_PATH", str(tmp_path / machine / "prefect"))
                reset_settings()
                results[machine] = produce_video(channel=str(tiny_channel), topic="How tides work")
        finally:
            prefect.clear_server_default_result_storage()
            reset_settings()
    assert any(b.name.startswith("prefect-results/") for b in client.list_blobs(bucket))
    assert not (tmp_path / "a" / "prefect").exists()  # nothing went to the worker's local result folder
    assert results["a"].location == results["b"].location
    assert ledger_entries(tmp_path / "a") and ledger_entries(tmp_path / "b") == []  # the second worker paid for nothing
