"""Fallback chains end to end: a provider that fails for good hands its stage to the next one, and says so."""

import json
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.sandbox import Fault
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")


def manifest_of(publication) -> dict:
    return json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())


def test_runway_out_of_quota_on_every_job_the_run_completes_on_kling_and_says_why(cloud, sandbox, tmp_path):
    sandbox.state.inject("runway", "image_to_video", Fault(kind="daily_cap"), times=50)
    publication = produce_video(channel=cloud(motion={"providers": ["runway", "kling"]}), topic="How kites fly")

    assert publication.published and (Path(publication.location) / "video.mp4").is_file()
    manifest = manifest_of(publication)
    scenes = manifest["scenes"]
    # Runway created nothing; Kling made (and billed) one clip per scene.
    assert sandbox.state.calls("runway", "paid") == 0
    assert 1 <= sandbox.state.calls("runway", "image_to_video") <= len(scenes)  # scenes in flight may each ask once
    assert sandbox.state.calls("kling", "paid") == len(scenes)
    billed = [e for e in ledger_entries(tmp_path / "out") if e["role"] == "motion"]
    assert sorted(e["provider"] for e in billed) == ["kling"] * len(scenes)
    # Each scene says who made its motion and why Runway was skipped.
    for scene in scenes:
        motion = scene["motion"]
        assert motion["provider"] == "kling" and motion["model"] == "kling-v2-1"
        [skipped] = motion["skipped"]
        assert skipped["provider"] == "runway" and "quota used up" in skipped["reason"]
    assert scenes[0]["image"] == {"provider": "openai", "model": "gpt-image-2", "skipped": []}
    [line] = manifest["fallbacks"]
    assert line.startswith("motion, scenes 1, 2") and "kling (kling-v2-1); runway skipped: quota used up" in line


def test_a_voice_that_fails_mid_video_moves_the_whole_video_to_the_next_voice(cloud, sandbox, tmp_path):
    # ElevenLabs refuses the credentials once: that scene falls back to the local voice, and every scene
    # ElevenLabs had already spoken is spoken again locally, so the video never changes voice mid-way.
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=401))
    channel = cloud(voice={"providers": ["elevenlabs", "local"], "engine": "flite"})
    publication = produce_video(channel=channel, topic="How glaciers move")

    assert publication.published
    scenes = manifest_of(publication)["scenes"]
    assert {s["voice"]["provider"] for s in scenes} == {"local"}
    assert all(s["voice"]["skipped"] and s["voice"]["skipped"][0]["provider"] == "elevenlabs" for s in scenes)
    spoken = sandbox.state.calls("elevenlabs", "tts.with_timestamps")
    billed = [e for e in ledger_entries(tmp_path / "out") if (e["provider"], e["role"]) == ("elevenlabs", "voice")]
    assert len(billed) == spoken - 1  # the refused call cost nothing; the ones spoken before it were paid


def test_a_chain_whose_links_all_fail_stops_with_everything_it_tried(cloud, sandbox):
    from framecast.core.errors import PermanentError

    sandbox.state.inject("runway", "image_to_video", Fault(kind="daily_cap"), times=50)
    sandbox.state.inject("kling", "image2video", Fault(status=401), times=50)
    with pytest.raises(PermanentError, match=r"tried before it: runway: quota used up"):
        produce_video(channel=cloud(motion={"providers": ["runway", "kling"]}), topic="How bridges stand")
    assert sandbox.state.calls("runway", "paid") == 0 and sandbox.state.calls("kling", "paid") == 0
