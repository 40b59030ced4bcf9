"""No copy of a key survives a run: not in the CLI's output, the logs, the Prefect database or the store (M1).

Keys are set as an operator gets them wrong: with a trailing newline (`echo key > file`), with an embedded
control character, and simply wrong, refused by the provider (the sandbox), which echoes the key back in
the escaped forms libraries write (raw, JSON, URL-encoded, repr). Every copy is looked for as bytes in
every file of the output folder and of Prefect's home (results), and in the test server's SQLite files.
"""

import base64
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from flows.cli import main
from flows.produce_video import produce_video
from framecast.sandbox import Fault
from framecast.settings import reset_settings

pytestmark = pytest.mark.usefixtures("prefect_server")

NEWLINE_KEY = "sk-proj-TRAILINGnewline-7f3a9c1d2e\n"  # works once stripped
WRONG_KEY = "el/WRONGkey+9b8c7d6e5f4a="  # refused by the provider; "/+=" change when encoded
CONTROL_KEY = "sk-proj-EMBEDDEDcontrol\x1b5e6f7a8b"  # refused when loaded


def needles(key: str) -> set[bytes]:
    """What a copy of `key` looks like in a file: its distinctive parts, and its encoded whole forms."""
    stripped = key.strip()
    parts = {p for p in stripped.replace("\x1b", "/").replace("+", "/").replace("=", "/").split("/") if len(p) >= 8} | {
        stripped[-8:].strip("=")
    }
    forms = {
        stripped,
        repr(key)[1:-1],
        json.dumps(key)[1:-1],
        quote(stripped, safe=""),
        base64.b64encode(stripped.encode()).decode(),
    }
    return {n.encode() for n in parts | forms}


def echo(key: str) -> str:
    """A provider error message that quotes the key back as libraries do."""
    return f"Incorrect API key provided: {key} / {json.dumps(key)} / ?key={quote(key, safe='')} / {key!r}"


def copies(key: str, *places: Path, text: str = "") -> list[str]:
    """Where a copy of `key` was found: files under `places` (every file, binary included) and `text`."""
    found = [f"output: {n!r}" for n in needles(key) if n in text.encode()]
    for place in places:
        for path in [place] if place.is_file() else place.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {n!r}" for n in needles(key) if n in data]
    return found


def prefect_db() -> Path:
    """The test server's database folder (the .db file with its -wal and -shm journals)."""
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    return Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split("///", 1)[1]).parent


def prefect_home() -> Path:
    from prefect.settings import PREFECT_HOME

    return Path(PREFECT_HOME.value())


def flush_logs() -> list[str]:
    """Send the logs still queued to the server, and read back what it stored for the runs."""
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all()
    with get_client(sync_client=True) as client:
        logs = [log.message for log in client.read_logs()]
        states = [f"{run.state.name}: {run.state.message}" for run in client.read_flow_runs()]
        states += [f"{run.state.name}: {run.state.message}" for run in client.read_task_runs()]
    return logs + states


@pytest.fixture
def keyed(cloud, monkeypatch):
    """The sandbox's environment with this test's keys, restored afterwards (the CLI writes os.environ)."""
    saved = dict(os.environ)

    def set_keys(**keys):
        for name, value in keys.items():
            monkeypatch.setenv(name, value)
        reset_settings()

    yield set_keys
    os.environ.clear()
    os.environ.update(saved)
    reset_settings()


def test_a_key_with_a_trailing_newline_works_and_a_refused_one_leaves_no_copy(keyed, cloud, sandbox, tmp_path, capfd):
    """(a) pre-flight and a published run with a newline-terminated OpenAI key and an ElevenLabs key whose
    sound calls are refused, the refusal quoting the key, into the manifest's sounds_failed."""
    keyed(OPENAI_API_KEY=NEWLINE_KEY, ELEVENLABS_API_KEY=WRONG_KEY)
    sandbox.state.inject(
        "elevenlabs",
        "sound_generation",
        Fault(status=401, body={"detail": {"status": "invalid_api_key", "message": echo(WRONG_KEY)}}),
        times=50,
    )
    sandbox.state.inject(
        "openai",
        "models",
        Fault(
            status=503, body={"error": {"message": echo(NEWLINE_KEY), "type": "api_error", "code": None, "param": None}}
        ),
    )  # a pre-flight warning
    out = tmp_path / "out"
    channel = cloud(sound={"provider": "elevenlabs"}, music={"source": "generated"})

    code = main(["make", "How volcanoes work", "--channel", channel, "--out", str(out), "--verbose"])
    printed = capfd.readouterr()
    logs = flush_logs()

    assert code == 0, printed.out + printed.err
    manifest = json.loads(next((out / "runs").rglob("manifest.json")).read_text())
    assert manifest["sounds_failed"] and all("***" in f["error"] for f in manifest["sounds_failed"])
    assert any("could not be checked" in line for line in logs)  # the pre-flight warning reached the server
    for key in (NEWLINE_KEY, WRONG_KEY):
        assert copies(key, out, prefect_db(), prefect_home(), text=printed.out + printed.err + "\n".join(logs)) == []


def test_a_key_with_a_control_character_is_refused_naming_the_variable_only(keyed, cloud, sandbox, tmp_path, capfd):
    """(b) the CLI refuses before Prefect starts; a deployment-style run fails its flow with the same line."""
    channel = cloud()
    keyed(OPENAI_API_KEY=CONTROL_KEY)
    out = tmp_path / "out"

    code = main(["make", "How volcanoes work", "--channel", channel, "--out", str(out)])
    printed = capfd.readouterr()
    assert code == 2 and "OPENAI_API_KEY contains a control or invisible character" in printed.err

    state = produce_video(channel=channel, topic="How volcanoes work", return_state=True)
    printed_too = capfd.readouterr()
    logs = flush_logs()
    assert state.is_failed() and "OPENAI_API_KEY contains a control" in state.message
    assert sandbox.state.calls("openai") == 0
    text = printed.out + printed.err + printed_too.out + printed_too.err + "\n".join(logs)
    assert copies(CONTROL_KEY, out, prefect_db(), prefect_home(), text=text) == []


def test_a_run_failing_on_a_refused_key_leaves_no_copy_in_tracebacks_states_or_store(
    keyed, cloud, sandbox, tmp_path, capfd
):
    """(c) the narration call is refused with the key quoted back: the run fails, Prefect logs the traceback."""
    keyed(ELEVENLABS_API_KEY=WRONG_KEY)
    sandbox.state.inject(
        "elevenlabs",
        "tts.with_timestamps",
        Fault(status=401, body={"detail": {"status": "invalid_api_key", "message": echo(WRONG_KEY)}}),
        times=50,
    )
    out = tmp_path / "out"

    state = produce_video(channel=cloud(), topic="How volcanoes work", return_state=True)
    printed = capfd.readouterr()
    logs = flush_logs()

    assert state.is_failed() and "elevenlabs 401" in state.message
    assert any("Traceback" in line and "AuthError" in line for line in logs)  # the trace went to the server
    assert copies(WRONG_KEY, out, prefect_db(), prefect_home(), text=printed.out + printed.err + "\n".join(logs)) == []
