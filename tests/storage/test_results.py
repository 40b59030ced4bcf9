"""Prefect task results are loaded only as framecast's own JSON: a forged record is refused and runs no code.

A real flow on the real Prefect engine: its cached task resumes from the stored JSON result; then the
record is replaced by one naming another serializer (pickle, or "json" with pickle as its library, or a
class framecast never returns), whose loading would create a marker file. It must not appear, and the
task runs again instead.
"""

import base64
import json
import pickle
from pathlib import Path

import pytest
from prefect import flow, task
from prefect.serializers import JSONSerializer, PickleSerializer

from framecast.core.models import ArtifactRef
from framecast.settings import reset_settings

pytestmark = pytest.mark.usefixtures("prefect_server")

KEY = "framecast-results-test-key"
calls: list[int] = []


@task(cache_key_fn=lambda *args: KEY, persist_result=True)
def make_ref(n: int) -> ArtifactRef:
    calls.append(n)
    return ArtifactRef(uri="file:///store/objects/ab/x.mp4", sha256="ab" * 32, size=n, media_type="video/mp4")


@flow(persist_result=True, result_serializer="json")
def a_run(n: int) -> ArtifactRef:
    return make_ref(n)


class Touch:
    """Unpickling this creates the marker file: the stand-in for any code in a forged pickle."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def forged(kind: str, marker: Path) -> bytes:
    """A result record as Prefect 3.9 writes it, but naming something other than plain JSON."""
    metadata = {"storage_key": KEY, "expiration": None, "prefect_version": "3.9.1", "storage_block_id": None}
    if kind == "pickle":
        serializer = PickleSerializer(picklelib="pickle").model_dump(mode="json")
        result = base64.b64encode(pickle.dumps(Touch(marker))).decode()
    elif kind == "json-with-own-hook":  # "json" by name, but Prefect imports the object hook the record names
        serializer = {**JSONSerializer().model_dump(mode="json"), "object_decoder": "subprocess.run"}
        result = json.dumps({"touch": 0, str(marker): 0})  # the hook gets this dict: its keys are the argv
    else:  # plain JSON whose object hook would import and validate a class framecast never returns
        serializer = JSONSerializer().model_dump(mode="json")
        result = json.dumps({"__class__": "framecast_evil.Touch", "data": {"path": str(marker)}})
    return json.dumps({"metadata": {**metadata, "serializer": serializer}, "result": result}).encode()


def run_with_results(n: int) -> ArtifactRef:
    from tasks.results import result_storage

    return a_run.with_options(result_storage=result_storage())(n)


@pytest.fixture
def local_results(tmp_path, monkeypatch):
    from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    monkeypatch.delenv("FRAMECAST_STORE", raising=False)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    reset_settings()
    calls.clear()
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: tmp_path / "results"}):
        yield tmp_path / "results" / KEY
    reset_settings()


@pytest.mark.parametrize("kind", ["pickle", "json-with-own-hook", "foreign-class"])
def test_a_forged_local_result_is_refused_and_runs_no_code_while_json_results_resume(local_results, tmp_path, kind):
    first = run_with_results(1)
    assert run_with_results(2) == first and calls == [1]  # the second run resumed from the stored JSON result
    assert json.loads(local_results.read_bytes())["metadata"]["serializer"]["type"] == "json"

    marker = tmp_path / "code-ran"
    local_results.write_bytes(forged(kind, marker))
    again = run_with_results(3)
    assert not marker.exists()
    assert calls == [1, 3] and again.size == 3  # refused, so the task ran again rather than load it
    assert json.loads(local_results.read_bytes())["metadata"]["serializer"] == JSONSerializer().model_dump(mode="json")


def test_the_refusal_is_one_line_naming_the_record_and_the_serializer(local_results, tmp_path):
    from tasks.results import ResultRefused, result_storage

    local_results.parent.mkdir(parents=True)
    local_results.write_bytes(forged("pickle", tmp_path / "code-ran"))
    with pytest.raises(ResultRefused, match=r"results: the stored Prefect result .* names serializer 'pickle'"):
        result_storage().read_path(KEY, _sync=True)
    assert not (tmp_path / "code-ran").exists()


def on_bucket(monkeypatch, tmp_path, bucket: str, results: str | None = None) -> None:
    """Artifacts (and results, when given) in the emulated bucket; fresh settings and task counter."""
    monkeypatch.setenv("FRAMECAST_STORE", f"gs://{bucket}/media")
    if results:
        monkeypatch.setenv("FRAMECAST_RESULTS_STORE", results)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "framecast-test")
    reset_settings()
    calls.clear()


def test_a_forged_result_in_the_bucket_is_refused_and_runs_no_code(gcs_bucket, tmp_path, monkeypatch):
    from tasks.results import result_storage
    from tests.flows.test_produce_video_gcs import emulator_credentials

    client, bucket = gcs_bucket
    on_bucket(monkeypatch, tmp_path, bucket)
    try:

        def run(n):
            return a_run.with_options(result_storage=result_storage(emulator_credentials()))(n)

        first = run(1)
        assert run(2) == first and calls == [1]
        blob = client.bucket(bucket).blob(f"media/prefect-results/{KEY}")
        blob.upload_from_string(forged("pickle", tmp_path / "code-ran"))
        again = run(3)
    finally:
        reset_settings()
    assert not (tmp_path / "code-ran").exists()
    assert calls == [1, 3] and again.size == 3
    assert json.loads(blob.download_as_bytes())["metadata"]["serializer"]["type"] == "json"


def test_a_bare_value_is_loaded_only_as_json_reviving_framecast_classes(tmp_path):
    """What Prefect writes for a flow's own result: no record around it, the API's state names the serializer."""
    from tasks.results import ResultRefused, json_only

    ref = ArtifactRef(uri="file:///s/objects/ab/x.mp4", sha256="ab" * 32, size=1, media_type="video/mp4")
    ok = JSONSerializer().dumps(ref)
    assert json_only(ok, "k") == ok
    error = json.dumps({"__exc_type__": "framecast.core.errors.InvalidRequest", "message": "motion: refused"}).encode()
    assert json_only(error, "k") == error
    for bad in (
        pickle.dumps(Touch(tmp_path / "code-ran")),
        json.dumps({"__class__": "subprocess.Popen", "data": ["touch", str(tmp_path / "code-ran")]}).encode(),
        json.dumps({"__exc_type__": "not_loaded_module.Boom", "message": "x"}).encode(),
        json.dumps({"__exc_type__": "framecast.context.clean_stale_scratch", "message": "x"}).encode(),
        json.dumps({"__class__": "framecast.context.clean_stale_scratch", "data": None}).encode(),
        json.dumps({"__class__": "framecast.storage.local.LocalArtifactStore", "data": "/"}).encode(),
        json.dumps({"__class__": "framecast.settings.Settings", "data": {}}).encode(),
        json.dumps({"__class__": "framecast.core.models.NotAModel", "data": {}}).encode(),
        json.dumps({"metadata": {"storage_key": "k"}, "result": "1"}).encode(),
    ):
        with pytest.raises(ResultRefused):
            json_only(bad, "k")
    assert not (tmp_path / "code-ran").exists()


def test_a_record_prefect_cannot_validate_is_checked_whole_not_only_its_result(tmp_path):
    """Prefect decodes a record that fails validation as one JSON document: a class named beside the result counts."""
    from tasks.results import ResultRefused, json_only

    evil = {
        "metadata": {"serializer": JSONSerializer().model_dump(mode="json"), "storage_key": [1]},
        "result": "null",
        "x": {"__class__": "fractions.Fraction", "data": "1/3"},
    }
    with pytest.raises(ResultRefused, match="fractions.Fraction"):
        json_only(json.dumps(evil).encode(), "k")


def test_results_can_live_in_their_own_bucket_apart_from_the_artifacts(gcs_bucket, tmp_path, monkeypatch):
    from tasks.results import result_storage
    from tests.flows.test_produce_video_gcs import emulator_credentials

    client, bucket = gcs_bucket
    results = client.create_bucket(f"{bucket[:50]}-results").name
    on_bucket(monkeypatch, tmp_path, bucket, results=f"gs://{results}/runs")
    try:
        a_run.with_options(result_storage=result_storage(emulator_credentials()))(1)
    finally:
        reset_settings()
    names = [b.name for b in client.list_blobs(results)]
    assert f"runs/{KEY}" in names and all(name.startswith("runs/") for name in names)
    assert list(client.list_blobs(bucket)) == []


def test_a_results_store_that_is_not_a_bucket_names_the_variable(monkeypatch):
    from framecast.settings import Settings

    monkeypatch.setenv("FRAMECAST_RESULTS_STORE", "s3://elsewhere/results")
    with pytest.raises(ValueError, match=r"FRAMECAST_RESULTS_STORE must be empty \(local folder\) or gs://"):
        Settings()
