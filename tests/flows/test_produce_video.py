"""End to end: the real flow on the real Prefect engine, real ffmpeg, local providers, tiny frames."""

import json
import os
import stat
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from flows.produce_video import produce_video
from framecast.core.errors import ConfigError, MediaError, QualityGateFailed, ScriptError
from framecast.media import ffmpeg
from framecast.media.analysis import parse_ebur128
from framecast.settings import reset_settings
from framecast.storage.local import sha256_file
from tests.conftest import ledger_entries, write_channel

pytestmark = pytest.mark.usefixtures("prefect_server")
TOPIC = "How volcanoes work"


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory) -> Path:
    """One output folder shared by the tests below, so later runs can reuse cached generation."""
    return tmp_path_factory.mktemp("shared") / "out"


@pytest.fixture
def use_store(monkeypatch):
    def use(path: Path) -> Path:
        monkeypatch.setenv("FRAMECAST_DATA_DIR", str(path))
        reset_settings()
        return path

    yield use
    reset_settings()


@pytest.fixture(scope="module")
def channels(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("channels")
    made = {}
    for name, overrides in {
        "default": {},
        "no-burn": {"name": "tiny-no-burn", "captions": {"burn_in": False}},
        "strict": {"quality": {"max_silence_seconds": 0.2}},
    }.items():
        folder = base / name
        folder.mkdir()
        made[name] = write_channel(folder, **overrides)
    return made


@pytest.fixture(scope="module")
def published(shared_store, channels):
    os.environ["FRAMECAST_DATA_DIR"] = str(shared_store)
    reset_settings()
    try:
        return produce_video(channel=str(channels["default"]), topic=TOPIC)
    finally:
        os.environ.pop("FRAMECAST_DATA_DIR", None)
        reset_settings()


def calls(data_dir: Path) -> Counter:
    """Generation calls in the ledger (the gate's analysis is charged too, but judges, not generates)."""
    return Counter(entry["role"] for entry in ledger_entries(data_dir) if entry["role"] != "quality")


def test_published_video_matches_the_plan_and_youtube_encoding(published):
    folder = Path(published.location)
    video = folder / "video.mp4"
    info = ffmpeg.probe(video)
    v, a = ffmpeg.stream(info, "video"), ffmpeg.stream(info, "audio")
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (v["width"], v["height"], ffmpeg.frame_rate(v)) == (320, 180, 12.0)
    assert v.get("color_primaries") == "bt709"
    assert (a["codec_name"], a["sample_rate"], a["channels"]) == ("aac", "48000", 2)
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["quality"]["passed"] is True
    assert meta["title"] == TOPIC
    assert abs(float(info["format"]["duration"]) - meta["duration"]) < 0.1
    assert 10 < meta["duration"] < 60
    for name in ("thumbnail.jpg", "captions.srt", "captions_vtt.vtt", "script.json"):
        assert (folder / name).stat().st_size > 0
    assert (folder / "captions.srt").read_text().count(" --> ") >= 3
    assert "volcanoes" in (folder / "captions.srt").read_text().lower()


def test_loudness_is_normalised_for_online_video(published):
    video = Path(published.location) / "video.mp4"
    proc = ffmpeg.run(
        ["-i", str(video), "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"], what="measuring"
    )
    integrated, peak = parse_ebur128(proc.stderr)
    assert abs(integrated - (-14)) <= 1.0
    assert peak <= -1.0


def test_manifest_lists_every_artifact_and_each_matches_its_checksum(published):
    manifest = json.loads(Path(published.manifest.uri.removeprefix("file://")).read_text())
    artifacts = manifest["artifacts"]
    scenes = sum(1 for k in artifacts if k.endswith("_image"))
    assert scenes >= 2
    assert {"video", "thumbnail", "script", "quality_report", "captions_srt", "music"} <= set(artifacts)
    assert sum(1 for k in artifacts if k.endswith("_narration")) == scenes
    for ref in artifacts.values():
        path = Path(ref["uri"].removeprefix("file://"))
        assert path.stat().st_size == ref["size"] and sha256_file(path) == ref["sha256"]


def test_each_generation_step_ran_once_per_scene(published, shared_store):
    counted = calls(shared_store)
    scenes = len(json.loads((Path(published.location) / "script.json").read_text())["scenes"])
    assert counted["script"] == 1
    assert counted["image"] == counted["voice"] == counted["motion"] == scenes


def frame(video: Path, at: float, out: Path) -> Image.Image:
    ffmpeg.run(["-ss", f"{at:.2f}", "-i", str(video), "-frames:v", "1", str(out)], what="grabbing a frame")
    return Image.open(out).convert("L")


def test_captions_are_really_burned_in(published, channels, shared_store, use_store, tmp_path):
    use_store(shared_store)
    plain = produce_video(channel=str(channels["no-burn"]), topic=TOPIC)
    srt = (Path(published.location) / "captions.srt").read_text().split("\n\n")[1].splitlines()[1]
    start, end = [
        sum(float(x) * m for x, m in zip(t.replace(",", ".").split(":"), (3600, 60, 1))) for t in srt.split(" --> ")
    ]
    at = (start + end) / 2
    with_caps = frame(Path(published.location) / "video.mp4", at, tmp_path / "a.png")
    without = frame(Path(plain.location) / "video.mp4", at, tmp_path / "b.png")
    diff = ImageChops.difference(with_caps, without)
    bottom = ImageStat.Stat(diff.crop((0, 120, 320, 180))).mean[0]
    top = ImageStat.Stat(diff.crop((0, 0, 320, 90))).mean[0]
    assert bottom > 5 * max(top, 0.5), (bottom, top)


def test_a_video_failing_the_gate_is_kept_but_not_published(published, channels, shared_store, use_store):
    use_store(shared_store)
    before = calls(shared_store)
    publications_before = sorted((shared_store / "published").rglob("metadata.json"))
    with pytest.raises(QualityGateFailed) as info:
        produce_video(channel=str(channels["strict"]), topic=TOPIC, publish_date=None)
    report = info.value.report
    assert not report.passed
    assert any(c.name == "silence" and c.scene_index is not None for c in report.failures)
    # Same generation inputs as the published run: nothing was generated again.
    assert calls(shared_store) == before
    runs = list((shared_store / "runs").rglob("manifest.json"))
    rejected = [json.loads(p.read_text()) for p in runs if not json.loads(p.read_text())["quality_passed"]]
    assert len(rejected) == 1
    assert Path(rejected[0]["artifacts"]["video"]["uri"].removeprefix("file://")).is_file()  # kept for inspection
    assert sorted((shared_store / "published").rglob("metadata.json")) == publications_before


def test_rerun_after_assembly_failure_pays_for_no_generation_twice(channels, use_store, tmp_path, monkeypatch):
    out = use_store(tmp_path / "out")
    crashing = tmp_path / "ffmpeg-crashing-at-render"
    crashing.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = "+faststart" ] && { echo "simulated crash during render" >&2; exit 1; }; done\n'
        f'exec {ffmpeg.tools().ffmpeg} "$@"\n'
    )
    crashing.chmod(crashing.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FRAMECAST_FFMPEG", str(crashing))
    reset_settings()  # the settings are read once per process: as a new process would
    with pytest.raises(MediaError, match="simulated crash during render"):
        produce_video(channel=str(channels["default"]), topic="Why the sky is blue")
    first = calls(out)
    assert first["image"] >= 2 and first["motion"] == first["image"] and first["voice"] == first["image"]
    assert not (out / "published").exists()

    monkeypatch.delenv("FRAMECAST_FFMPEG")
    reset_settings()
    publication = produce_video(channel=str(channels["default"]), topic="Why the sky is blue")
    assert publication.published and (Path(publication.location) / "video.mp4").is_file()
    assert calls(out) == first  # every generation step came from the cache


def test_empty_topic_fails_before_anything_is_spent(channels, use_store, tmp_path):
    out = use_store(tmp_path / "out")
    with pytest.raises(ScriptError, match="topic: must not be empty"):
        produce_video(channel=str(channels["default"]), topic="   ")
    assert calls(out) == Counter()
    assert not (out / "published").exists()


def test_unknown_channel_is_a_clear_error(use_store, tmp_path):
    use_store(tmp_path / "out")
    with pytest.raises(ConfigError, match="unknown channel 'no-such-channel'.*Known channels: .*demo"):
        produce_video(channel="no-such-channel", topic=TOPIC)


def test_each_scene_records_its_illustration_and_the_description_credits_the_icon_set(published):
    from framecast.media import illustrations

    if not illustrations.available():
        pytest.skip("the illustrate extra is not installed")
    manifest = json.loads(Path(published.manifest.uri.removeprefix("file://")).read_text())
    chosen = [scene["illustration"] for scene in manifest["scenes"]]
    assert chosen and all(
        c["set"] == "material" and c["icon"] and c["how"] in ("keyword", "similarity") for c in chosen
    )
    assert all(c["matched"] or c["score"] > 0 for c in chosen)
    described = json.loads((Path(published.location) / "metadata.json").read_text())["description"]
    assert "Material Design Icons by Pictogrammers (Apache-2.0)" in described
    # Offline relevance: each illustration was compared with its scene's intent by the gate.
    assert any(c.name == "label-match" for c in published.quality.checks)
