import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flows.cli import main
from tests.conftest import ledger_entries, write_channel

SCRIPT = {
    "title": "Tiny tides",
    "description": "Why the sea rises and falls.",
    "tags": ["tides", "moon"],
    "scenes": [
        {
            "narration": "Twice a day, the sea rises and falls along the coast.",
            "visual_prompt": "Tides: a calm beach",
            "motion_prompt": "slow push in",
            "duration": 4,
            "transition": "dissolve",
        },
        {
            "narration": "The moon's gravity pulls the oceans into a gentle bulge.",
            "visual_prompt": "The moon: pulling water",
            "motion_prompt": "gentle pan left",
            "duration": 4,
            "transition": "cut",
        },
    ],
}


def run_cli(capsys, *args):
    code = main(["make", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"


def test_empty_topic_without_channel_topics_is_rejected_before_any_work(capsys, tiny_channel, out):
    code, text = run_cli(capsys, "   ", "--channel", tiny_channel, "--out", out)
    assert code == 2
    assert "topic: must not be empty" in text
    assert not (out / "published").exists()


def test_malformed_script_file_names_the_field(capsys, tiny_channel, out, tmp_path):
    bad = tmp_path / "script.yaml"
    broken = json.loads(json.dumps(SCRIPT))
    broken["scenes"][1]["duration"] = 99
    bad.write_text(yaml.safe_dump(broken))
    code, text = run_cli(capsys, "--script", bad, "--channel", tiny_channel, "--out", out)
    assert code == 2
    assert "scenes[1].duration" in text and "less than or equal to 30" in text


def test_script_file_that_is_not_a_mapping(capsys, tiny_channel, out, tmp_path):
    bad = tmp_path / "script.json"
    bad.write_text("[1, 2, 3]")
    code, text = run_cli(capsys, "--script", bad, "--channel", tiny_channel, "--out", out)
    assert code == 2 and "must be a mapping with title and scenes" in text


def test_unknown_channel(capsys, out):
    code, text = run_cli(capsys, "Volcanoes", "--channel", "nope", "--out", out)
    assert code == 2 and "unknown channel 'nope'" in text


def test_output_folder_that_cannot_be_created(capsys, tiny_channel, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    code, text = run_cli(capsys, "Volcanoes", "--channel", tiny_channel, "--out", blocker / "out")
    assert code == 2 and "is not writable" in text and "--out" in text


def test_make_with_own_script_prints_the_published_mp4(tmp_path):
    """The real command, in its own process, with its own ephemeral Prefect server."""
    channel = write_channel(tmp_path, captions={"burn_in": True})
    script = tmp_path / "script.yaml"
    script.write_text(yaml.safe_dump(SCRIPT))
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "make",
            "--script",
            str(script),
            "--channel",
            str(channel),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    video = Path(proc.stdout.strip().splitlines()[-1])
    assert video.is_file() and video.suffix == ".mp4"
    assert "quality gate: PASSED" in proc.stderr and "duration:" in proc.stderr
    published = json.loads((video.parent / "script.json").read_text())
    assert published["title"] == "Tiny tides"
    assert [s["narration"] for s in published["scenes"]] == [s["narration"] for s in SCRIPT["scenes"]]


def test_the_example_script_is_valid_for_the_demo_channel():
    from framecast.plan.load import load_channel
    from framecast.script import write as scripting
    from framecast.settings import REPO_ROOT

    script = scripting.load(REPO_ROOT / "examples" / "script.yaml", load_channel("demo").script)
    assert len(script.scenes) == 6


def test_missing_ffmpeg_says_how_to_install_it(capsys, tiny_channel, out, monkeypatch):
    monkeypatch.setenv("FRAMECAST_FFMPEG", "/nonexistent/ffmpeg")
    code, text = run_cli(capsys, "Volcanoes", "--channel", tiny_channel, "--out", out)
    assert code == 2
    assert "ffmpeg not found" in text and "apt-get install ffmpeg" in text


def test_make_with_sandbox_runs_cloud_providers_and_prints_the_cost_table(tmp_path):
    channel = write_channel(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    # The user's real output folder and shared ledger: a sandbox run must leave both alone.
    env["FRAMECAST_DATA_DIR"] = str(tmp_path / "out")
    env["FRAMECAST_LEDGER_URL"] = f"sqlite:///{tmp_path / 'real-ledger.sqlite3'}"
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "make", "Why the sea is salty", "--sandbox", "--channel", str(channel)],
        capture_output=True,
        text=True,
        env=env,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sandbox: providers answered by http://127.0.0.1:" in proc.stderr
    for provider in ("openai", "runway", "elevenlabs"):
        assert provider in proc.stderr
    assert "cost of this run" in proc.stderr and "total" in proc.stderr
    video = Path(proc.stdout.strip().splitlines()[-1])
    assert video.is_file() and "tiny-sandbox" in str(video)
    assert video.is_relative_to(tmp_path / "out" / "sandbox") and not (tmp_path / "out" / "published").exists()
    assert not (tmp_path / "real-ledger.sqlite3").exists()  # fake spending never reaches the real ledger
    assert {e["provider"] for e in ledger_entries(tmp_path / "out" / "sandbox")} >= {"openai", "runway", "gemini"}
    # The gate's Gemini eye ran end to end (upload, schema JSON) and its verdict is in the published metadata.
    checks = {c["name"] for c in json.loads((video.parent / "metadata.json").read_text())["quality"]["checks"]}
    assert {"scene-match", "caption-match", "speech-heard"} <= checks


def test_a_second_sandbox_run_into_the_same_output_folder_makes_its_own_jobs(tmp_path):
    """Each run's sandbox has a new port: the first run's Runway job records must not be polled at the second's
    ("runway: task ... was cancelled or deleted", exit 2, before job records were keyed by their endpoint)."""
    channel = write_channel(tmp_path, script={"min_scenes": 2, "max_scenes": 2, "target_seconds": 12})
    out = tmp_path / "out"
    for run in (1, 2):
        proc = run_proc(tmp_path, "How tides work", "--sandbox", "--channel", channel, "--out", out)
        assert proc.returncode == 0, f"run {run}: {proc.stderr[-3000:]}"
        assert Path(proc.stdout.strip().splitlines()[-1]).is_file()
    records = [json.loads(p.read_text()) for p in (out / "sandbox" / "records" / "jobs" / "runway").glob("*.json")]
    assert len({r["endpoint"] for r in records}) == 2 and len({r["task_id"] for r in records}) == len(records) == 4
    billed = [e for e in ledger_entries(out / "sandbox") if e["provider"] == "runway"]
    assert len({e["key"] for e in billed}) == 4  # each run paid its own two clips, once each


def test_estimate_prints_a_priced_line_per_stage(capsys):
    assert main(["estimate", "--channel", "demo", "--cloud"]) == 0
    out = capsys.readouterr().out
    assert "runway" in out and "gen4_turbo" in out and "total" in out
    assert main(["estimate", "--channel", "demo"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].split()[-1] == "0.00"  # local costs nothing


def test_voices_without_a_key_names_the_variable(capsys, monkeypatch):
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    from framecast.settings import reset_settings

    reset_settings()
    assert main(["voices"]) == 2
    assert "ELEVENLABS_API_KEY is not set" in capsys.readouterr().err


def test_prefect_setup_without_a_server_says_how_to_start_one(capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: None}):
        code = main(["prefect-setup"])
    assert code == 2
    assert (
        "PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`)"
        in capsys.readouterr().err
    )


def test_prefect_setup_with_no_server_listening_names_the_url(capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tests.operations.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/api"
    with temporary_settings(updates={PREFECT_API_URL: url}):
        code = main(["prefect-setup"])
    assert code == 2
    assert f"could not talk to the Prefect server at {url}" in capsys.readouterr().err


def run_proc(tmp_path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "make", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=400,
    )


@pytest.mark.parametrize(
    "topic, why",
    [
        ("???", "topic: '???' has no letter or digit"),
        ("abc\u202egpj.exe", "topic: 'abc\\u202egpj.exe' contains a bidi-override"),
    ],
)
def test_a_topic_that_cannot_make_sense_is_one_line_and_exit_code_2_before_anything_runs(tmp_path, topic, why):
    proc = run_proc(tmp_path, topic, "--channel", write_channel(tmp_path), "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and why in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "published").exists() and not list((tmp_path / "out").glob("*.sqlite3"))


def test_a_topic_with_rich_markup_and_a_long_note_makes_a_video(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("- " + " ".join(["Lava [/] flows downhill & cools into rock"] * 20) + "\n")  # 839 characters
    channel = write_channel(tmp_path, script={"min_scenes": 3, "max_scenes": 3, "target_seconds": 25})
    proc = run_proc(tmp_path, "How [/] works", "--notes", notes, "--channel", channel, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "framecast: How [/] works for channel tiny" in proc.stderr and "Traceback" not in proc.stderr
    video = Path(proc.stdout.strip().splitlines()[-1])
    published = json.loads((video.parent / "script.json").read_text())
    assert published["title"] == "How [/] works"
    said = published["scenes"][1]["narration"]
    assert said.startswith("Lava [/] flows downhill & cools") and said.endswith(".") and len(said) <= 121


def test_markup_in_an_error_message_is_printed_as_text(capsys, tiny_channel, out, tmp_path):
    code, text = run_cli(capsys, "--script", tmp_path / "[/]missing.yaml", "--channel", tiny_channel, "--out", out)
    assert code == 2 and "[/]missing.yaml: cannot read it" in text


def test_notes_with_a_control_character_are_refused_naming_the_note(capsys, tiny_channel, out, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Lava is hot\n\nMagma\x00rises\n")
    code, text = run_cli(capsys, "Volcanoes", "--notes", notes, "--channel", tiny_channel, "--out", out)
    assert code == 2 and f"--notes {notes}, note[1]: contains a control character U+0000" in text
    assert len(text.strip().splitlines()) == 1


def test_a_script_file_with_errors_is_reported_on_one_line(capsys, tiny_channel, out, tmp_path):
    bad = tmp_path / "script.json"
    bad.write_text(json.dumps({"title": "T\x07", "scenes": [{"narration": "", "visual_prompt": "v"}]}))
    code, text = run_cli(capsys, "--script", bad, "--channel", tiny_channel, "--out", out)
    assert code == 2 and len(text.strip().splitlines()) == 1
    assert "title: Value error, contains a control character U+0007" in text and "scenes[0].narration:" in text


def test_an_unexpected_error_is_one_line_naming_the_stage_and_exit_code_2(capsys, tiny_channel, out, monkeypatch):
    from framecast.media import ffmpeg

    def broken():
        raise RuntimeError("boom [/] at\nsecond line")

    monkeypatch.setattr(ffmpeg, "tools", broken)
    code, text = run_cli(capsys, "Volcanoes", "--channel", tiny_channel, "--out", out)
    assert code == 2 and "Traceback" not in text
    assert text.strip() == (
        "error: pre-flight: unexpected RuntimeError: boom [/] at second line "
        "(run again with --verbose for the traceback)"
    )
    code, text = run_cli(capsys, "Volcanoes", "--channel", tiny_channel, "--out", out, "--verbose")
    assert code == 2 and "Traceback (most recent call last)" in text and 'raise RuntimeError("boom' in text


def test_a_gate_rejection_is_exit_code_1_with_the_failures_and_no_traceback(tmp_path):
    channel = write_channel(tmp_path, quality={"max_silence_seconds": 0.2})
    proc = run_proc(tmp_path, "How tides work", "--channel", channel, "--out", tmp_path / "out")
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "quality gate: FAILED" in proc.stderr and "  - silence" in proc.stderr
    assert "Traceback" not in proc.stderr and 'File "' not in proc.stderr
