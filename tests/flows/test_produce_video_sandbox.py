"""End to end with a cloud provider at every stage, against the sandbox's real wire protocols."""

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from prefect.settings import PREFECT_TASKS_REFRESH_CACHE, temporary_settings

from flows.produce_video import produce_video
from framecast.core.errors import BudgetExceeded, QualityGateFailed
from framecast.cost import pricing
from framecast.providers.runway.client import API_VERSION
from framecast.providers.runway.sandbox import runway_tasks
from framecast.sandbox import Fault
from framecast.sandbox.server import SANDBOX_KEY
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_every_stage_on_a_cloud_provider_publishes_and_costs_add_up(cloud, sandbox, tmp_path):
    sandbox.state.inject("runway", "image_to_video", Fault(status=429, retry_after="0.2"))
    publication = produce_video(channel=cloud(), topic="How volcanoes work")
    assert publication.published and (Path(publication.location) / "video.mp4").is_file()

    scenes = len(json.loads((Path(publication.location) / "script.json").read_text())["scenes"])
    assert sandbox.state.calls("openai", "chat.completions") == 1
    assert sandbox.state.calls("openai", "images.generations") == scenes
    assert sandbox.state.calls("runway", "image_to_video") == scenes + 1  # one 429, retried once
    assert sandbox.state.calls("elevenlabs", "tts.with_timestamps") == scenes

    everything = ledger_entries(tmp_path / "out")
    assert {(e["provider"], e["role"], e["usd"]) for e in everything if e["provider"] == "local"} == {
        ("local", "quality", 0.0)
    }  # the local gate is recorded, and free
    entries = [e for e in everything if e["provider"] != "local"]
    by_provider = {(e["provider"], e["role"]) for e in entries}
    assert by_provider == {
        ("openai", "script"),
        ("openai", "image"),
        ("runway", "motion"),
        ("elevenlabs", "voice"),
        ("elevenlabs", "sound"),
        ("gemini", "quality"),  # the gate's cloud eye, billed by the tokens Google counted
    }
    assert sandbox.state.calls("gemini", "generateContent") == 1
    sounds = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())["sounds"]
    assert sounds and {s["made_by"] for s in sounds} == {"elevenlabs (eleven_text_to_sound_v2)"}
    # The looped music bed, and each distinct transition sound once.
    assert sandbox.state.calls("elevenlabs", "sound_generation") == 1 + len(
        {(s["prompt"], s["seconds"]) for s in sounds}
    )
    for e in entries:
        listed = pricing.cost(e["provider"], e["role"], e["units"], model=e["model"])
        if (e["provider"], e["role"]) == ("openai", "image"):  # billed from the reply's usage tokens (medium)
            assert e["usd"] == pytest.approx(listed, rel=0.05) and e["usd"] != listed
        else:
            assert e["usd"] == listed > 0
        assert e["run"].startswith("tiny-sandbox/")
    runway = [e for e in entries if e["provider"] == "runway"]
    assert all(e["unit"] == "second" and e["units"] in range(2, 11) for e in runway)


def test_budget_stops_the_run_before_the_call_that_would_exceed_it(cloud, sandbox, tmp_path):
    budget = (
        0.20  # a per-run budget this low fails in pre-flight (tests/plan/test_preflight.py); a day's is met mid-run
    )
    with pytest.raises(BudgetExceeded, match="budget.max_usd_per_day"):
        produce_video(channel=cloud(budget={"max_usd_per_day": budget}), topic="Why the sky is blue")
    entries = ledger_entries(tmp_path / "out")
    assert entries and sum(e["usd"] for e in entries) <= budget
    assert not (tmp_path / "out" / "published").exists()


def test_the_gate_runs_local_google_and_gemini_checks_together(cloud, sandbox, tmp_path, tiny_channel, monkeypatch):
    """Both cloud eyes on the real pipeline path: Video Intelligence (deprecated) and Gemini through the
    google-genai SDK against the sandbox's fakes; each one's failed scene is sent back, and only that scene."""
    from framecast.plan.load import load_channel

    data = load_channel(str(tiny_channel)).model_dump(mode="json")
    data["quality"]["analyzers"] = ["local", "google", "gemini"]
    path = tmp_path / "gated.yaml"
    path.write_text(yaml.safe_dump(data))
    publication = produce_video(channel=str(path), topic="How volcanoes work")
    names = {c.name for c in publication.quality.checks}
    assert publication.quality.analyzer == "local+google+gemini"
    assert {"loudness", "black-frames", "shot-alignment", "speech-transcript", "explicit-content"} <= names
    assert {"scene-match", "caption-match", "text-legibility"} <= names  # Gemini's own judgements
    assert publication.quality.passed, publication.quality.summary()

    # A gate setting changed (so the cached report does not apply), Video Intelligence flags a frame in
    # scene 0 and Gemini says scene 1 does not match its intent: only those scenes are regenerated, everything
    # else comes from the cache, and it publishes.
    images_before = sum(1 for e in ledger_entries(tmp_path / "out") if e["role"] == "image")
    data["quality"]["max_word_error_rate"] = 0.2
    path.write_text(yaml.safe_dump(data))
    sandbox.state.inject("videointelligence", "annotate", Fault(kind="explicit"))
    sandbox.state.inject("gemini", "generateContent", Fault(kind="mismatch"))
    # Another day: the first video holds this day's slot (a slot publishes one video, ever).
    fixed = produce_video(channel=str(path), topic="How volcanoes work", publish_date=date(2026, 12, 3))
    assert fixed.published and fixed.quality.passed
    manifest = json.loads(Path(fixed.manifest.uri.removeprefix("file://")).read_text())
    assert manifest["regenerated_scenes"] == [0, 1]
    assert sum(1 for e in ledger_entries(tmp_path / "out") if e["role"] == "image") == images_before + 2
    assert sandbox.state.calls("videointelligence", "annotate") == 3
    analyses = [e for e in ledger_entries(tmp_path / "out") if (e["provider"], e["role"]) == ("google", "quality")]
    assert len(analyses) == 3 and all(e["usd"] == pricing.cost("google", "quality", 1) > 0 for e in analyses)
    # Gemini: upload, generate, delete for every look; billed by the tokens the answer reported.
    assert sandbox.state.calls("gemini", "generateContent") == sandbox.state.calls("gemini", "files.delete") == 3
    looks = [e for e in ledger_entries(tmp_path / "out") if (e["provider"], e["role"]) == ("gemini", "quality")]
    assert len(looks) == 3 and all(e["unit"] == "token" and e["usd"] > 0 for e in looks)

    # With no regeneration allowed, the same finding blocks publishing.
    data["quality"].update(max_word_error_rate=0.15, max_regenerations=0)
    path.write_text(yaml.safe_dump(data))
    sandbox.state.inject("videointelligence", "annotate", Fault(kind="explicit"))
    with pytest.raises(QualityGateFailed, match="explicit-content") as info:
        produce_video(channel=str(path), topic="How volcanoes work")
    assert any(c.name == "explicit-content" and c.scene_index == 0 for c in info.value.report.failures)


def test_publishing_to_youtube_happens_once_per_channel_date_and_topic(cloud, sandbox, tmp_path, tiny_channel):
    from framecast.plan.load import load_channel

    data = load_channel(str(tiny_channel)).model_dump(mode="json")
    data["publish"] = {"targets": ["store", "youtube"], "youtube": {"privacy": "unlisted"}}
    path = tmp_path / "yt.yaml"
    path.write_text(yaml.safe_dump(data))
    first = produce_video(channel=str(path), topic="How tides work")
    again = produce_video(channel=str(path), topic="How tides work")  # a re-run: cached, and no second upload
    assert first.youtube["video_id"] == again.youtube["video_id"]
    videos = {k: v for k, v in sandbox.state.tasks.items() if k.startswith("youtube:")}
    assert len(videos) == 1
    [stored] = videos.values()
    assert stored["meta"]["snippet"]["title"] == "How tides work"
    assert stored["meta"]["status"]["privacyStatus"] == "unlisted"
    assert stored["meta"]["status"]["containsSyntheticMedia"] is True
    assert stored["bytes"] == (Path(first.location) / "video.mp4").read_bytes()


def test_a_task_retried_after_the_provider_accepted_its_job_pays_for_no_second_job(cloud, sandbox, tmp_path):
    # The fault lands after Runway accepted (and billed) the job: a poll answer that is not JSON. Prefect
    # retries the task; the retry finds the recorded job and polls it again instead of submitting anew.
    sandbox.state.inject("runway", "tasks", Fault(kind="malformed"))
    publication = produce_video(channel=cloud(), topic="How rivers carve canyons")
    scenes = len(json.loads((Path(publication.location) / "script.json").read_text())["scenes"])
    assert sandbox.state.calls("runway", "image_to_video") == scenes  # one paid job per scene, counted by Runway
    assert sum(1 for e in ledger_entries(tmp_path / "out") if e["provider"] == "runway") == scenes


def test_recorded_jobs_the_provider_no_longer_has_are_bought_again_by_the_task_retry(cloud, sandbox, tmp_path):
    # Runway deleted the first run's tasks (or they expired): a `--refresh` run finds their job records, is told 404,
    # forgets them, and each scene's task retry buys one new task. It used to stop with exit 2 ("cancelled or deleted").
    channel = cloud()
    first = produce_video(channel=channel, topic="How tides work")
    scenes = len(json.loads((Path(first.location) / "script.json").read_text())["scenes"])
    with httpx.Client(
        base_url=sandbox.base_url("runway"),
        timeout=30,
        headers={"Authorization": f"Bearer {SANDBOX_KEY}", "X-Runway-Version": API_VERSION},
    ) as runway:
        for task_id in runway_tasks(sandbox.state):
            assert runway.delete(f"/v1/tasks/{task_id}").status_code == 204
    with temporary_settings(updates={PREFECT_TASKS_REFRESH_CACHE: True}):  # what `framecast make --refresh` sets
        again = produce_video(channel=channel, topic="How tides work", publish_date=date(2026, 12, 3))
    assert again.published and (Path(again.location) / "video.mp4").is_file()
    records = list((tmp_path / "out" / "records" / "jobs" / "runway").glob("*.json"))
    assert len(records) == scenes  # the first run's records were resumed (found gone, then reused), not bypassed
    assert sandbox.state.calls("runway", "image_to_video") == 2 * scenes  # one new task per scene, no more
    runway = [e for e in ledger_entries(tmp_path / "out") if e["provider"] == "runway"]
    assert len({e["key"] for e in runway}) == len(runway) == 2 * scenes  # deleted tasks stay billed: not refunded


def test_a_composed_music_bed_is_asked_for_the_videos_exact_length(cloud, sandbox, tmp_path):
    # Priced by the channel: ElevenLabs publishes no per-second price for the Music API.
    channel = cloud(
        music={"source": "elevenlabs-music", "prompt": "calm ambient pad"},
        budget={"max_usd_per_day": 50, "prices": {"elevenlabs/music": 0.01}},
    )
    publication = produce_video(channel=channel, topic="How glaciers move")
    assert publication.published
    sounds = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())["sounds"]
    # One composed bed; sound generation only for the transition sounds (no looped bed).
    assert sandbox.state.calls("elevenlabs", "music") == 1
    assert sandbox.state.calls("elevenlabs", "sound_generation") == len({(s["prompt"], s["seconds"]) for s in sounds})
    asked = sandbox.state.last_body[("elevenlabs", "music")]
    assert asked["force_instrumental"] is True
    assert abs(asked["music_length_ms"] / 1000 - publication.duration) < 0.3  # the video's length: no loop seam
    [bed] = [e for e in ledger_entries(tmp_path / "out") if e["role"] == "music"]
    assert bed["usd"] == pytest.approx(0.01 * bed["units"]) and bed["provider"] == "elevenlabs"
