"""Alerts as operated: `framecast prefect-setup --notify URL` against a real server, `prefect deploy`, a process
worker, and a local webhook receiver counting the messages: one per failed, gate-refused or crashed run, none for
a published one, each naming its channel, run, stage, error and link, and no secret in any of them; and one for a
run whose pre-flight warns (its channel names a model retiring within 30 days of the run's day)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from tests.conftest import write_channel
from tests.operations.conftest import BIN, Ops, prefect_ops, wait_for
from tests.operations.test_unattended import finished, flow_processes, flow_run, task_runs

SECRET = "sk-alerts-test-7f3a9c2e5b1d4a60"  # a provider key the worker holds: no message may carry it
HOOK_TOKEN = "T0KEN-of-the-hook-5c1e"  # the webhook URL is a secret too
AUTOMATIONS = "framecast: alert on channel "
WARNINGS = "framecast: retirement warning on channel "


class Receiver(ThreadingHTTPServer):
    """A webhook on 127.0.0.1 recording every message with its arrival time."""

    def __init__(self):
        self.messages: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N805
                body = handler.rfile.read(int(handler.headers.get("content-length", 0)))
                self.messages.append({"at": time.time(), "path": handler.path, "text": json.loads(body)["text"]})
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def about(self, run_id: str) -> list[dict]:
        return [m for m in self.messages if f"/runs/flow-run/{run_id}" in m["text"]]


def fields(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines()[1:] if ": " in line)


def alert_automations(ops: Ops, prefix: str = AUTOMATIONS) -> list[str]:
    return sorted(a["name"] for a in ops.post("/automations/filter").json() if a["name"].startswith(prefix))


def latency(receiver: Receiver, run: dict) -> float:
    return receiver.about(run["id"])[0]["at"] - datetime.fromisoformat(run["state"]["timestamp"]).timestamp()


def create_run(ops: Ops, deployment: dict, **parameters) -> dict:
    return ops.post(f"/deployments/{deployment['id']}/create_flow_run", {"parameters": parameters}).json()


# A real server, one worker, five small runs (~2 min on 2 cores).
@pytest.mark.timeout(900)
def test_alerts_tell_once_per_failed_refused_or_crashed_run_with_stage_error_and_link(tmp_path):
    started = time.monotonic()
    channels = tmp_path / "channels"
    channels.mkdir()
    write_channel(channels, name="alerts-a", topics=["How kites fly"])
    # A gate that hears 0.2 s of silence everywhere: refused after one render, nothing regenerated.
    write_channel(
        channels,
        name="alerts-gate",
        topics=["How tides work"],
        quality={"max_silence_seconds": 0.2, "max_regenerations": 0},
    )
    # Names claude-opus-4-5 (retires 2027-01-22) first in its script chain, with no key: the run skips it (a warning)
    # and writes the script locally; on 2027-01-01 pre-flight also warns of the retirement, 21 days ahead.
    write_channel(
        channels,
        name="alerts-warn",
        topics=["How bees dance"],
        # Two short scenes: only its pre-flight matters here.
        script={
            "providers": ["anthropic", "local"],
            "model": "claude-opus-4-5",
            "min_scenes": 2,
            "max_scenes": 2,
            "target_seconds": 10,
        },
    )
    project = {
        "name": "framecast-alerts-test",
        "deployments": [
            {
                "name": name,
                "entrypoint": "flows/produce_video.py:produce_video",
                "parameters": {"channel": name},
                "tags": ["framecast", f"channel:{name}"],
                "work_pool": {"name": "framecast-local"},
            }
            for name in ("alerts-a", "alerts-gate", "alerts-warn")
        ],
    }
    (tmp_path / "prefect.yaml").write_text(yaml.safe_dump(project))
    receiver = Receiver()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hooks/{HOOK_TOKEN}"

    with prefect_ops(tmp_path) as ops:
        ops.env["FRAMECAST_CHANNELS_DIR"] = str(channels)
        setup = ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "2", "--notify", hook)
        assert setup.returncode == 0, setup.stderr
        assert "alerts: block framecast-alerts (custom-webhook)" in setup.stdout, setup.stdout
        again = ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "2")  # no --notify: kept
        assert again.returncode == 0, again.stderr
        assert HOOK_TOKEN not in setup.stdout + setup.stderr + again.stdout + again.stderr
        channel_names = ["alerts-a", "alerts-gate", "alerts-warn"]
        assert alert_automations(ops) == [AUTOMATIONS + name for name in channel_names]
        assert alert_automations(ops, WARNINGS) == [WARNINGS + name for name in channel_names]
        blocks = ops.post("/block_documents/filter", {"include_secrets": False}).text
        assert "framecast-alerts" in blocks and HOOK_TOKEN not in blocks  # the URL is kept as the block's secret

        deploy = ops.run(
            str(BIN / "prefect"), "--no-prompt", "deploy", "--all", "--prefect-file", str(tmp_path / "prefect.yaml")
        )
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        deployed = {d["name"]: d for d in ops.post("/deployments/filter").json()}
        # No probes: the test has no internet, and a key pre-flight cannot check is a warning of its own.
        ops.worker(
            "worker-a", OPENAI_API_KEY=SECRET, PREFECT_WORKER_QUERY_SECONDS="2", FRAMECAST_PREFLIGHT_PROBES="false"
        )

        bad = create_run(ops, deployed["alerts-a"], publish_date=SECRET)  # fails at once, naming the field
        good = create_run(ops, deployed["alerts-a"])
        refused = create_run(ops, deployed["alerts-gate"])
        warned = create_run(ops, deployed["alerts-warn"], publish_date="2027-01-01")
        runs = {
            name: wait_for(f"the {name} run to finish", lambda r=r: finished(ops, r["id"]), timeout=300)
            for name, r in (("bad", bad), ("good", good), ("refused", refused), ("warned", warned))
        }
        assert [runs[n]["state_type"] for n in ("bad", "good", "refused", "warned")] == [
            "FAILED",
            "COMPLETED",
            "FAILED",
            "COMPLETED",
        ], {n: r["state"]["message"] for n, r in runs.items()}

        # A crash mid-video: the flow's process killed; the worker reports the run Crashed.
        crashing = create_run(ops, deployed["alerts-a"], topic="Why leaves change colour")

        def mid_video():
            labels = flow_run(ops, crashing["id"]).get("labels") or {}
            return labels.get("framecast.stage") not in (None, "finished") and any(
                t["name"].startswith("synthesize") and t["state_type"] == "COMPLETED"
                for t in task_runs(ops, crashing["id"])
            )

        wait_for("the crashing run to be mid-video", mid_video, timeout=180, every=0.3)
        for pid in flow_processes(crashing["id"]):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        runs["crashed"] = wait_for("the run to be marked Crashed", lambda: finished(ops, crashing["id"]), timeout=120)
        assert runs["crashed"]["state_type"] == "CRASHED", runs["crashed"]["state"]

        for name in ("bad", "refused", "crashed", "warned"):
            wait_for(
                f"the alert for the {name} run", lambda r=runs[name]: receiver.about(r["id"]), timeout=60, every=0.2
            )

        # Removal: `--notify none` deletes the automations and the block.
        removed = ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "2", "--notify", "none")
        assert (
            removed.returncode == 0 and "alerts: removed (6 automation(s) and the notification block)" in removed.stdout
        ), removed.stdout + removed.stderr
        assert alert_automations(ops) == [] and alert_automations(ops, WARNINGS) == []
        assert "framecast-alerts" not in ops.post("/block_documents/filter", {}).text

    ui = ops.api.removesuffix("/api")
    for name, channel, state in (
        ("bad", "alerts-a", "Failed"),
        ("refused", "alerts-gate", "Failed"),
        ("crashed", "alerts-a", "Crashed"),
    ):
        run = runs[name]
        got = receiver.about(run["id"])
        assert len(got) == 1, (name, got)  # exactly one message per run
        text = got[0]["text"]
        assert text.startswith(f"framecast: {state} run on channel {channel}\n"), text
        said = fields(text)
        assert said["run"] == run["name"] and said["link"] == f"{ui}/runs/flow-run/{run['id']}", said
        assert SECRET not in text and HOOK_TOKEN not in text
    assert fields(receiver.about(runs["bad"]["id"])[0]["text"])["error"].startswith(
        "ScriptError: publish_date: '***' is not a date"
    )
    assert fields(receiver.about(runs["bad"]["id"])[0]["text"])["stage"].startswith("start (")
    refused_said = fields(receiver.about(runs["refused"]["id"])[0]["text"])
    assert (
        refused_said["stage"].startswith("quality gate")
        and "QualityGateFailed: quality gate failed, not published: " in refused_said["error"]
        and "silence" in refused_said["error"]
    ), refused_said
    crashed_said = fields(receiver.about(runs["crashed"]["id"])[0]["text"])
    assert crashed_said["stage"] not in ("finished",) and not crashed_said["stage"].startswith("start"), crashed_said
    assert "exited with status code: -9" in crashed_said["error"], crashed_said
    # The warning: one message for the run, naming the model, its date and the run's day; the run itself published.
    got = receiver.about(runs["warned"]["id"])
    assert len(got) == 1, got
    text = got[0]["text"]
    assert text.startswith("framecast: pre-flight warning on channel alerts-warn\n"), text
    assert "anthropic model 'claude-opus-4-5' shuts down on 2027-01-22, in 21 days" in text, text
    # The server reads the run when it sends: named "channel · day" at pre-flight, the topic added soon after.
    assert fields(text)["day"] == "2027-01-01" and fields(text)["run"] in (
        "alerts-warn · 2027-01-01",
        runs["warned"]["name"],
    ), text
    assert fields(text)["link"] == f"{ui}/runs/flow-run/{runs['warned']['id']}" and SECRET not in text
    assert not receiver.about(runs["good"]["id"]) and len(receiver.messages) == 4, receiver.messages
    receiver.shutdown()
    print("\n\n".join(m["text"] for m in receiver.messages))
    print(
        "\nalert latency (state change -> message received): "
        + ", ".join(f"{name} {latency(receiver, runs[name]):.1f} s" for name in ("bad", "refused", "crashed"))
        + f"; crash stage: {crashed_said['stage']}; test {time.monotonic() - started:.0f} s"
    )
