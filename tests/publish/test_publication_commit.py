"""A publication becomes visible in one commit, on the local store and on GCS (emulator, real client).

The interruption is a real crash: a child process publishes and is killed (SIGKILL) at the moment
between its staged files and the commit — the rename into published/ locally, the marker's upload on
GCS — so no cleanup of framecast's runs. What is left must be invisible to every reader, and the next
publication of the slot (another video, or the same one again) must leave a consistent folder.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from framecast.storage.gcs import GcsArtifactStore
from framecast.storage.local import LocalArtifactStore

SLOT = "demo/2026-11-24-how-tides-work"
META = {"channel": "demo", "topic": "How tides work", "date": "2026-11-24", "title": "How tides work"}
ROOT = Path(__file__).resolve().parents[2]

LOCAL_CRASH = """
import json, os, signal, sys
from pathlib import Path
from framecast.core.models import ArtifactRef
from framecast.storage.local import LocalArtifactStore

store = LocalArtifactStore(Path(sys.argv[1]))
files = {k: ArtifactRef(**v) for k, v in json.loads(sys.argv[2]).items()}
published = store.root / "published"

def crash_at_commit(real):
    def move(src, dst, *args, **kwargs):
        if Path(dst).resolve().is_relative_to(published):  # the move into published/: die just before it
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, *args, **kwargs)
    return move

os.rename, os.replace = crash_at_commit(os.rename), crash_at_commit(os.replace)
store.publish(sys.argv[3], files, json.loads(sys.argv[4]))
"""

GCS_CRASH = """
import json, os, signal, sys
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from requests.adapters import HTTPAdapter
from framecast.core.models import ArtifactRef
from framecast.storage.gcs import GcsArtifactStore

class CrashAtMarker(HTTPAdapter):
    def send(self, request, **kwargs):
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        if "/upload/" in request.url and (b"metadata.json" in body[:4096] or "metadata.json" in request.url):
            os.kill(os.getpid(), signal.SIGKILL)  # every file is staged: die before the marker exists
        return super().send(request, **kwargs)

client = storage.Client(project="framecast-test", credentials=AnonymousCredentials())
client._http.mount(os.environ["STORAGE_EMULATOR_HOST"] + "/", CrashAtMarker())
store = GcsArtifactStore(client, sys.argv[1], prefix="media", cache_dir=sys.argv[5])
files = {k: ArtifactRef(**v) for k, v in json.loads(sys.argv[2]).items()}
store.publish(sys.argv[3], files, json.loads(sys.argv[4]))
"""


def crash_while_publishing(script: str, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == -9, proc.stderr[-2000:]  # killed at the commit point, not failed before it


def files_json(files: dict) -> str:
    return json.dumps({k: v.model_dump() for k, v in files.items()})


def make(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def videos(store, tmp_path: Path):
    """Video A (with captions) and video B (without): different bytes, different companions."""
    a = {
        "video": store.put(make(tmp_path, "a.mp4", os.urandom(50_000)), "video/mp4"),
        "captions": store.put(
            make(tmp_path, "a.srt", b"1\n00:00:00,000 --> 00:00:01,000\nA\n"), "application/x-subrip"
        ),
    }
    b = {"video": store.put(make(tmp_path, "b.mp4", os.urandom(40_000)), "video/mp4")}
    return a, b


# -- local store ---------------------------------------------------------------------------------------
@pytest.fixture
def local(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


def test_local_a_crash_before_the_commit_leaves_nothing_visible(local, tmp_path):
    a, _ = videos(local, tmp_path)
    crash_while_publishing(LOCAL_CRASH, str(local.root), files_json(a), SLOT, json.dumps(META))
    assert [p.name for p in local.root.rglob("metadata.json")]  # it really had staged everything
    assert local.publications("demo") == []
    assert not list((local.root / "published").rglob("metadata.json"))
    assert not list((local.root / "published").rglob("video.mp4"))


def test_local_another_video_after_a_crash_gets_a_consistent_slot(local, tmp_path):
    a, b = videos(local, tmp_path)
    crash_while_publishing(LOCAL_CRASH, str(local.root), files_json(a), SLOT, json.dumps(META))
    location = Path(local.publish(SLOT, b, {**META, "title": "B"}))
    assert location == local.root / "published" / SLOT  # the slot was never taken by the crashed one
    meta = json.loads((location / "metadata.json").read_text())
    video = (location / "video.mp4").read_bytes()
    assert meta["video_sha256"] == b["video"].sha256 == hashlib.sha256(video).hexdigest()
    assert sorted(p.name for p in location.iterdir()) == ["metadata.json", "video.mp4"]  # nothing of A
    assert [p["title"] for p in local.publications("demo")] == ["B"]
    # A again: the slot is B's now, so A goes beside it, whole.
    again = Path(local.publish(SLOT, a, META))
    assert again.name.endswith("-2")
    assert json.loads((again / "metadata.json").read_text())["video_sha256"] == a["video"].sha256
    assert (again / "video.mp4").read_bytes() == local.local_path(a["video"]).read_bytes()


def test_local_the_same_video_after_a_crash_finishes_its_publication(local, tmp_path):
    a, _ = videos(local, tmp_path)
    crash_while_publishing(LOCAL_CRASH, str(local.root), files_json(a), SLOT, json.dumps(META))
    location = Path(local.publish(SLOT, a, META))
    assert location == local.root / "published" / SLOT
    assert sorted(p.name for p in location.iterdir()) == ["captions.srt", "metadata.json", "video.mp4"]
    assert local.publish(SLOT, a, META) == str(location)  # and again: a no-op


# -- GCS (emulator) ------------------------------------------------------------------------------------
@pytest.fixture
def gcs(gcs_bucket, tmp_path):
    client, bucket = gcs_bucket
    return GcsArtifactStore(
        client, bucket, prefix="media", cache_dir=tmp_path / "cache", scope=lambda: "demo/2026-11-24/run-1"
    )


def names(store: GcsArtifactStore, prefix: str) -> set[str]:
    return {b.name.removeprefix(prefix + "/") for b in store.client.list_blobs(store.bucket, prefix=prefix + "/")}


def test_gcs_a_crash_before_the_marker_is_not_a_publication(gcs, tmp_path):
    a, _ = videos(gcs, tmp_path)
    crash_while_publishing(GCS_CRASH, gcs.bucket.name, files_json(a), SLOT, json.dumps(META), str(tmp_path / "c2"))
    prefix = f"media/published/{SLOT}"
    assert names(gcs, prefix) == {"video.mp4", "captions.srt"}  # staged, but no marker
    assert gcs.publications("demo") == []


def test_gcs_another_video_after_a_crash_gets_a_consistent_slot(gcs, tmp_path):
    a, b = videos(gcs, tmp_path)
    crash_while_publishing(GCS_CRASH, gcs.bucket.name, files_json(a), SLOT, json.dumps(META), str(tmp_path / "c2"))
    location = gcs.publish(SLOT, b, {**META, "title": "B"})
    prefix = f"media/published/{SLOT}"
    assert location == f"gs://{gcs.bucket.name}/{prefix}"
    assert names(gcs, prefix) == {"video.mp4", "metadata.json"}  # A's captions are gone with A
    meta = json.loads(gcs.bucket.blob(f"{prefix}/metadata.json").download_as_bytes())
    video = gcs.bucket.blob(f"{prefix}/video.mp4").download_as_bytes()
    assert meta["video_sha256"] == b["video"].sha256 == hashlib.sha256(video).hexdigest()
    assert [p["title"] for p in gcs.publications("demo")] == ["B"]


def test_gcs_the_same_video_after_a_crash_finishes_its_publication(gcs, tmp_path):
    a, _ = videos(gcs, tmp_path)
    crash_while_publishing(GCS_CRASH, gcs.bucket.name, files_json(a), SLOT, json.dumps(META), str(tmp_path / "c2"))
    location = gcs.publish(SLOT, a, META)
    prefix = f"media/published/{SLOT}"
    assert location == f"gs://{gcs.bucket.name}/{prefix}"
    assert names(gcs, prefix) == {"video.mp4", "captions.srt", "metadata.json"}
    meta = json.loads(gcs.bucket.blob(f"{prefix}/metadata.json").download_as_bytes())
    assert meta["video_sha256"] == a["video"].sha256
    assert gcs.publish(SLOT, a, META) == location
