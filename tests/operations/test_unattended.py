"""Operated as the README says: server, `framecast prefect-setup`, `prefect deploy --all`, the scheduler,
a process worker; results read back through the Prefect API; then a host crash and the recovery."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from framecast.media import ffmpeg
from framecast.settings import REPO_ROOT
from tests.conftest import ledger_entries
from tests.operations.conftest import BIN, Ops, assert_paid_once, in_flight, wait_for

DEPLOYMENTS = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())["deployments"]
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def deployments(ops: Ops) -> dict[str, dict]:
    return {d["name"]: d for d in ops.post("/deployments/filter").json()}


def flow_run(ops: Ops, run_id: str) -> dict:
    return ops.get(f"/flow_runs/{run_id}").json()


def task_runs(ops: Ops, run_id: str) -> list[dict]:
    return ops.post("/task_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}, "limit": 200}).json()


def finished(ops: Ops, run_id: str):
    run = flow_run(ops, run_id)
    return run if run["state_type"] in TERMINAL else None


def started_at(ops: Ops, run_id: str) -> datetime | None:
    run = flow_run(ops, run_id)
    return datetime.fromisoformat(run["start_time"]) if run.get("start_time") else None


def flow_processes(run_id: str) -> list[int]:
    """Processes running this flow run (the worker's child), found by the run id in their environment."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if f"PREFECT__FLOW_RUN_ID={run_id}".encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def run_logs(ops: Ops, run_id: str) -> list[str]:
    """Every log line of a flow run (and its tasks) as the UI shows them, oldest first."""
    lines: list[str] = []
    while True:
        page = ops.post(
            "/logs/filter",
            {"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200, "offset": len(lines)},
        ).json()
        lines += [entry["message"] for entry in page]
        if len(page) < 200:
            return lines


def logged_at(ops: Ops, run_id: str, text: str) -> datetime:
    """When the run first logged a line containing `text`."""
    page = ops.post(
        "/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200}
    ).json()
    return next(datetime.fromisoformat(entry["timestamp"]) for entry in page if text in entry["message"])


def read_result(ops: Ops, run_id: str):
    """The flow's persisted result, loaded through the Prefect client from what the API says."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    with temporary_settings(
        updates={PREFECT_API_URL: ops.api, PREFECT_RESULTS_LOCAL_STORAGE_PATH: ops.home / "storage"}
    ):
        with get_client(sync_client=True) as client:
            return client.read_flow_run(run_id).state.result()


# A real server, workers and crash recoveries (~100 s of it waiting for a heartbeat that never comes).
@pytest.mark.timeout(1200)
def test_channels_run_unattended_on_a_real_server_and_recover_from_a_host_crash(ops: Ops):
    setup = ops.run(str(BIN / "framecast"), "prefect-setup")
    assert setup.returncode == 0, setup.stderr
    again = ops.run(str(BIN / "framecast"), "prefect-setup")  # idempotent
    assert again.returncode == 0, again.stderr
    automations = ops.post("/automations/filter").json()
    assert sorted(a["name"] for a in automations) == [
        "framecast: crash flow runs without a heartbeat",
        "framecast: re-run a crashed run once",
    ]
    assert "automation: re-run a crashed run once, same day and topic (" in again.stdout
    pool = ops.get("/work_pools/framecast-local").json()
    assert pool["type"] == "process" and pool["concurrency_limit"] == max(1, (os.cpu_count() or 2) // 2)

    deploy = ops.run(str(BIN / "prefect"), "--no-prompt", "deploy", "--all")
    assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
    deployed = deployments(ops)
    assert sorted(deployed) == sorted(d["name"] for d in DEPLOYMENTS)
    for d in DEPLOYMENTS:
        assert f"channel:{d['parameters']['channel']}" in deployed[d["name"]]["tags"]

    # The server's scheduler, not the test, creates the daily runs of every scheduled deployment.
    scheduled = [d["name"] for d in DEPLOYMENTS if d["schedules"]]

    def upcoming():
        counts = {
            name: len(
                ops.post(
                    "/flow_runs/filter",
                    {
                        "deployments": {"id": {"any_": [deployed[name]["id"]]}},
                        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                    },
                ).json()
            )
            for name in scheduled
        }
        return counts if all(counts.values()) else None

    counts = wait_for("scheduled runs of every scheduled deployment", upcoming, timeout=90)
    assert all(n >= 1 for n in counts.values())

    # A custom run for another channel than the deployment's is refused by the server (the form's choices).
    bad = httpx.post(
        f"{ops.api}/deployments/{deployed['smoke']['id']}/create_flow_run",
        json={"parameters": {"channel": "no-such-channel"}},
        timeout=30,
    )
    assert bad.status_code in (409, 422) and "no-such-channel" in bad.text, (bad.status_code, bad.text[:500])

    # The server takes any string for a date (the form offers a picker); the run itself refuses it.
    impossible = ops.post(
        f"/deployments/{deployed['smoke']['id']}/create_flow_run", {"parameters": {"publish_date": "2026-02-30"}}
    ).json()

    worker = ops.worker("worker-a")
    # A custom run of this deployment for another (known) channel fails first thing, naming the field.
    other = ops.post(
        f"/deployments/{deployed['smoke']['id']}/create_flow_run", {"parameters": {"channel": "demo"}}
    ).json()
    triggered = time.monotonic()
    # Spaces for a topic on a channel with a topics list: the day's topic.
    run = ops.post(f"/deployments/{deployed['smoke']['id']}/create_flow_run", {"parameters": {"topic": "   "}}).json()
    wait_for("the smoke run to start", lambda: started_at(ops, run["id"]), timeout=120, every=0.5)
    trigger_to_start = time.monotonic() - triggered
    done = wait_for("the smoke run to finish", lambda: finished(ops, run["id"]), timeout=240)
    assert done["state_type"] == "COMPLETED", (done["state"], (ops.logs / "worker-a.log").read_text()[-4000:])
    today = datetime.fromisoformat(done["expected_start_time"]).astimezone(UTC).date().isoformat()
    assert done["name"] == f"smoke · {today} · How kites fly"

    refused = wait_for("the run for another channel to fail", lambda: finished(ops, other["id"]), timeout=60)
    assert refused["state_type"] == "FAILED"
    errors = wait_for(
        "the refused run's error line",
        lambda: [line for line in run_logs(ops, other["id"]) if "channel" in line],
        timeout=30,
    )
    assert errors[0].startswith("channel: deployment 'smoke' runs channel 'smoke', not 'demo'"), errors[:3]
    assert not (ops.out / "published" / "demo").exists()
    refused = wait_for("the run with an impossible date to fail", lambda: finished(ops, impossible["id"]), timeout=60)
    assert refused["state_type"] == "FAILED"
    errors = wait_for(
        "the refused date's error line",
        lambda: [line for line in run_logs(ops, impossible["id"]) if "publish_date" in line],
        timeout=30,
    )
    assert errors[0].startswith("publish_date: '2026-02-30' is not a date"), errors[:3]
    assert "use YYYY-MM-DD" in errors[0]

    names = {t["name"] for t in task_runs(ops, run["id"])}
    assert {
        "choose-topic",
        "write-script",
        "render-scene-image-0",
        "synthesize-narration-0",
        "animate-scene-0",
        "plan-timeline",
        "write-captions",
        "prepare-music",
        "assemble-video",
        "check-quality",
        "make-thumbnail",
        "record-run",
        "publish-video",
    } <= names

    artifacts = {
        a["key"]: a
        for a in ops.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
        if a["key"]
    }
    assert {
        "smoke-script",
        "smoke-contact-sheet",
        "smoke-quality-report",
        "smoke-cost",
        "smoke-published-video",
        "smoke-progress",
    } <= set(artifacts)
    assert artifacts["smoke-progress"]["data"] == 100.0
    assert "data:image/jpeg;base64," in artifacts["smoke-contact-sheet"]["data"]
    assert "Quality gate: PASSED" in artifacts["smoke-quality-report"]["data"]
    assert "loudness" in artifacts["smoke-quality-report"]["data"]
    script_rows = json.loads(artifacts["smoke-script"]["data"])
    assert 2 <= len(script_rows) <= 3 and {"scene", "narration", "visual", "seconds"} <= set(script_rows[0])
    cost_rows = json.loads(artifacts["smoke-cost"]["data"])
    assert cost_rows[-1]["stage"] == "total" and cost_rows[-1]["calls"] >= 1 + 3 * len(script_rows)

    # The flow process sends its last log batch as it exits, just after the run is Completed.
    def all_logs():
        text = "\n".join(run_logs(ops, run["id"]))
        return text if "published 'How kites fly' to " in text else None

    text = wait_for("the run's last log line", all_logs, timeout=30)
    assert "topic of " + today + " for channel smoke: 'How kites fly'" in text
    assert "quality gate: PASSED" in text and "published 'How kites fly' to " in text

    publication = read_result(ops, run["id"])
    folder = Path(publication.location)
    assert publication.published and publication.topic == "How kites fly" and publication.date == today
    assert folder == ops.out / "published" / "smoke" / f"{today}-how-kites-fly"
    assert f"(file://{folder}/video.mp4)" in artifacts["smoke-published-video"]["data"]
    info = ffmpeg.probe(folder / "video.mp4")
    assert ffmpeg.stream(info, "video")["width"] == 320
    assert json.loads((folder / "metadata.json").read_text())["quality"]["passed"] is True

    # --- A run awaiting approval suspends: its process exits and its heartbeats stop, yet it is not a zombie.
    awaiting = approval_run(ops)
    wait_for("the approval run to suspend", lambda: flow_run(ops, awaiting)["state_name"] == "Suspended", timeout=120)
    wait_for(
        "the approval run's heartbeat (arming the zombie trigger)",
        lambda: run_events(ops, awaiting, "prefect.flow-run.heartbeat"),
        timeout=30,
    )

    # --- A host crash mid-run: worker and flow process killed together, nothing marks the run.
    crashing = ops.post(
        f"/deployments/{deployed['smoke']['id']}/create_flow_run", {"parameters": {"topic": "Why leaves change colour"}}
    ).json()
    completed_before_crash = wait_for(
        "the second run to complete some steps", lambda: some_steps_done(ops, crashing["id"]), timeout=180, every=0.3
    )
    children = flow_processes(crashing["id"])
    assert children, "the flow run's process was not found"
    ops.kill_group(worker)
    kill(children)
    crashed_at = datetime.now(UTC)
    begun = in_flight(task_runs(ops, crashing["id"]))
    scratch_after_crash = {p.name for p in (ops.out / "work").iterdir()} if (ops.out / "work").is_dir() else set()
    ledger_after_crash = Counter(e["role"] for e in ledger_entries(ops.out))

    # The host comes back with a new worker. Nobody starts a run: the zombie automation marks the crashed run
    # Crashed, the re-run automation starts the channel's deployment again for its day and topic.
    ops.worker("worker-b")
    rerun, done, times = recovered(ops, deployed["smoke"]["id"], crashing["id"], crashed_at, "worker-b")
    second = check_rerun(ops, rerun, crashing, "Why leaves change colour", completed_before_crash)
    scenes = len(script_rows) + len(json.loads((Path(second.location) / "script.json").read_text())["scenes"])
    ledger = Counter(e["role"] for e in ledger_entries(ops.out))
    assert ledger["script"] == 2 and ledger_after_crash["script"] == 2  # the crashed run's script was reused
    assert_paid_once(ledger, scenes, begun)
    leftovers = {p.name for p in (ops.out / "work").iterdir()} if (ops.out / "work").is_dir() else set()
    assert not (scratch_after_crash & leftovers), "scratch folders of the crashed run were left behind"
    if scratch_after_crash:
        assert any("scratch folder(s) left by crashed runs" in line for line in run_logs(ops, rerun["id"]))
    # Its heartbeat was older than the crashed run's last one: the zombie automation has been past it.
    assert flow_run(ops, awaiting)["state_name"] == "Suspended", flow_run(ops, awaiting)["state"]

    # A crash the worker sees (only the flow process killed) is Crashed by the worker at once and re-run the same
    # way: tests/operations/test_alerts.py kills a flow process under a live worker (README has the times).

    # --- The bound: a re-run that crashes is not re-run again. A re-run (rerun_of set) is marked Crashed through
    # the API, as the zombie automation does; the automation's run refuses it before locking or paying anything.
    bound_from = time.monotonic()
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    twice = ops.post(
        f"/deployments/{deployed['smoke']['id']}/create_flow_run",
        {
            "parameters": {"rerun_of": crashing["id"]},
            "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": later}},
        },
    ).json()
    ops.post(
        f"/flow_runs/{twice['id']}/set_state", {"state": {"type": "CRASHED", "message": "host lost"}, "force": True}
    )
    refused = wait_for(
        "the re-run automation's run for the crashed re-run",
        lambda: rerun_of(ops, deployed["smoke"]["id"], twice["id"]),
        timeout=120,
    )
    refused = wait_for("the refused re-run to finish", lambda: finished(ops, refused["id"]), timeout=120)
    assert refused["state_type"] == "FAILED"
    # The flow process sends its last log batch as it exits, just after the run is Failed.
    errors = wait_for(
        "the refused re-run's error line",
        lambda: [line for line in run_logs(ops, refused["id"]) if line.startswith("rerun_of:")],
        timeout=30,
    )
    assert errors and f"was itself a re-run of {crashing['id']}; framecast re-runs a crash once" in errors[0], errors
    assert Counter(e["role"] for e in ledger_entries(ops.out)) == ledger  # nothing paid
    reruns = [r for r in ops.post("/flow_runs/filter", {"limit": 200}).json() if r["parameters"].get("rerun_of")]
    assert sorted(r["parameters"]["rerun_of"] for r in reruns) == sorted([crashing["id"], crashing["id"], twice["id"]])
    print(
        f"\ntrigger -> start: {trigger_to_start:.1f} s; scratch folders left by the crash and removed: "
        f"{len(scratch_after_crash)}\nhost crash (worker and run killed): {times}\n"
        f"a crashed re-run: the automation's run refused it {time.monotonic() - bound_from:.1f} s after the crash"
    )


def some_steps_done(ops: Ops, run_id: str) -> set[str] | None:
    """The run's completed steps, once the script and a narration are done but the video is not assembled."""
    completed = {t["name"] for t in task_runs(ops, run_id) if t["state_type"] == "COMPLETED"}
    return (
        completed
        if "write-script" in completed
        and any(n.startswith("synthesize") for n in completed)
        and "assemble-video" not in completed
        else None
    )


def kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def rerun_of(ops: Ops, deployment_id: str, run_id: str) -> dict | None:
    """The run of the deployment whose `rerun_of` parameter names `run_id`, once it exists."""
    runs = ops.post("/flow_runs/filter", {"deployments": {"id": {"any_": [deployment_id]}}, "limit": 200}).json()
    return next((r for r in runs if r["parameters"].get("rerun_of") == run_id), None)


def recovered(ops: Ops, deployment_id: str, run_id: str, crashed_at: datetime, worker: str) -> tuple[dict, dict, str]:
    """The automatic re-run of a crashed run, finished, and when each step happened after the crash."""
    rerun = wait_for(
        "the re-run automation to start the deployment again",
        lambda: rerun_of(ops, deployment_id, run_id),
        timeout=300,
        every=0.5,
    )
    started = wait_for("the re-run to start", lambda: started_at(ops, rerun["id"]), timeout=300, every=0.5)
    done = wait_for("the re-run to finish", lambda: finished(ops, rerun["id"]), timeout=300, every=0.5)
    assert done["state_type"] == "COMPLETED", (done["state"], (ops.logs / f"{worker}.log").read_text()[-4000:])
    crashed = flow_run(ops, run_id)
    assert crashed["state_type"] == "CRASHED"
    seconds = {
        "crashed": datetime.fromisoformat(crashed["state"]["timestamp"]),
        "re-run started": started,
        "published": datetime.fromisoformat(done["end_time"]),
    }
    times = "; ".join(f"crash -> {what} {(when - crashed_at).total_seconds():.1f} s" for what, when in seconds.items())
    # The wait for the channel's lock, which the killed process held until its lease ran out.
    locked = logged_at(ops, rerun["id"], "re-run of crashed run"), logged_at(ops, rerun["id"], "script: ")
    return (
        rerun,
        done,
        times + f" (of which waiting for the channel lock {(locked[1] - locked[0]).total_seconds():.1f} s)",
    )


def check_rerun(ops: Ops, rerun: dict, crashed: dict, topic: str, completed_before: set[str]):
    """The re-run points at the crashed run, made its topic for its day, and took its finished steps from the cache."""
    assert rerun["parameters"]["rerun_of"] == crashed["id"]
    assert rerun["created_by"]["type"] == "AUTOMATION"
    assert rerun["created_by"]["display_value"] == "framecast: re-run a crashed run once"
    publication = read_result(ops, rerun["id"])
    day = datetime.fromisoformat(crashed["expected_start_time"]).astimezone(UTC).date().isoformat()
    assert publication.published and publication.topic == topic and publication.date == day
    states = {t["name"]: t["state_name"] for t in task_runs(ops, rerun["id"])}
    uncached = (
        "plan-timeline",
        "record-run",
        "publish-video",
        "size-scene-slot-",
        "preflight-",
    )  # cheap, or must see now
    for name in (n for n in completed_before if not n.startswith(uncached)):
        assert states.get(name) == "Cached", (name, states.get(name))
    assert any(f"re-run of crashed run {crashed['id']}" in line for line in run_logs(ops, rerun["id"]))
    return publication


def approval_run(ops: Ops) -> str:
    """A run of tests/operations/approval.py (deployed on the pool): it suspends itself awaiting approval."""
    from prefect import flow
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: ops.api}):
        deployment_id = flow.from_source(str(REPO_ROOT), "tests/operations/approval.py:await_approval").deploy(
            "approval", work_pool_name="framecast-local", print_next_steps=False
        )
    return ops.post(f"/deployments/{deployment_id}/create_flow_run", {}).json()["id"]


def run_events(ops: Ops, run_id: str, name: str) -> list[dict]:
    return ops.post(
        "/events/filter", {"filter": {"event": {"name": [name]}, "resource": {"id": [f"prefect.flow-run.{run_id}"]}}}
    ).json()["events"]
