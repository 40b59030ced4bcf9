"""Two hosts, as operated: workers started from two checkouts at different absolute paths, with their own data
folders and homes, sharing only PostgreSQL (Prefect's database and the cost ledger) and the (emulated) GCS store;
`prefect deploy` from a third checkout. Each host runs the channel; a run host A crashes is resumed by host B
without paying again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from framecast.settings import REPO_ROOT
from tests.operations.conftest import BIN, assert_paid_once, in_flight, prefect_ops, wait_for
from tests.operations.test_scale_out import worker_of
from tests.operations.test_unattended import finished, flow_processes, flow_run, run_logs, started_at, task_runs

KEY = "sk-two-hosts-test-0123456789abcdef"  # a provider key only the set-up machine has (unused by `smoke`)
PASSWORD = "LedgerPW-two-hosts-77"  # in the ledger URL only the set-up machine has (trust auth ignores it)


def checkout(dest: Path) -> Path:
    """A clone of this checkout's HEAD plus its uncommitted changes: the code a host installed."""
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(REPO_ROOT), str(dest)], check=True)
    head = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", "--detach", head], check=True)
    changed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "diff", "--name-only", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.split()
    changed += subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in changed:
        if (REPO_ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, dest / name)
        elif (dest / name).exists():
            (dest / name).unlink()
    return dest


class TokenHandler(BaseHTTPRequestHandler):
    """Google's OAuth token endpoint for the hosts' service-account key (the emulator takes any token)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"access_token": "emulator", "expires_in": 3600, "token_type": "Bearer"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def google_home(home: Path, token_uri: str) -> Path:
    """A host's home with a service-account key where Google's clients look by default (no variable needed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    folder = home / ".config" / "gcloud"
    folder.mkdir(parents=True)
    (folder / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "framecast-test",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "worker@framecast-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return home


@pytest.mark.timeout(900)
def test_two_hosts_from_different_checkouts_share_the_work_and_one_resumes_the_others_crash(
    postgres, gcs_bucket, tmp_path
):
    began = time.monotonic()
    storage, bucket = gcs_bucket
    port = postgres.rsplit(":", 1)[1].split("/")[0]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-c", "create database ledger"],
        check=True,
        capture_output=True,
    )
    ledger_url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{port}/ledger"
    tokens = HTTPServer(("127.0.0.1", 0), TokenHandler)
    threading.Thread(target=tokens.serve_forever, daemon=True).start()
    token_uri = f"http://127.0.0.1:{tokens.server_address[1]}/token"
    code = {name: checkout(tmp_path / f"host-{name}" / "framecast") for name in ("a", "b")}
    homes = {name: google_home(tmp_path / f"host-{name}" / "home", token_uri) for name in ("a", "b")}

    with prefect_ops(tmp_path, database_url=postgres) as ops:
        # The set-up machine (this checkout) holds the secrets; `prefect deploy` runs here too.
        ops.env.update(
            FRAMECAST_STORE=f"gs://{bucket}/media",
            FRAMECAST_LEDGER_URL=ledger_url,
            OPENAI_API_KEY=KEY,
            HOME=str(google_home(tmp_path / "setup-home", token_uri)),
        )
        setup = ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "2")
        assert setup.returncode == 0, setup.stderr
        assert KEY not in setup.stdout + setup.stderr and PASSWORD not in setup.stdout + setup.stderr
        deploy = ops.run(str(BIN / "prefect"), "--no-prompt", "deploy", "--all")
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        smoke = next(d for d in ops.post("/deployments/filter").json() if d["name"] == "smoke")
        assert str(REPO_ROOT) not in json.dumps(smoke["pull_steps"])  # no path of the deploying machine
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert smoke["pull_steps"][0] == {"tasks.hosts.installed_checkout": {"id": "checkout", "revision": head}}
        pool = ops.get("/work_pools/framecast-local").json()
        shown = json.dumps(pool)
        assert KEY not in shown and PASSWORD not in shown  # readable by every UI user: references only
        env = pool["base_job_template"]["variables"]["properties"]["env"]["default"]
        assert env["FRAMECAST_LEDGER_URL"] == "{{ prefect.blocks.secret.framecast-ledger-url }}"
        assert "FRAMECAST_DATA_DIR" not in env  # each host's own (beside its checkout)

        def host(name: str) -> subprocess.Popen:
            """A worker that knows only the server (and where its own checkout is, as its Python does)."""
            full = {
                "PATH": os.environ["PATH"],
                "HOME": str(homes[name]),
                "PREFECT_API_URL": ops.api,
                "PYTHONPATH": str(code[name]),
                "PREFECT_WORKER_QUERY_SECONDS": "2",
            }
            log = (ops.logs / f"host-{name}.log").open("ab")
            proc = subprocess.Popen(
                [
                    str(BIN / "prefect"),
                    "worker",
                    "start",
                    "--pool",
                    "framecast-local",
                    "--name",
                    f"host-{name}",
                    "--limit",
                    "1",
                ],
                cwd=code[name],
                env=full,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            ops.procs.append(proc)
            return proc

        def run(topic: str) -> str:
            return ops.post(f"/deployments/{smoke['id']}/create_flow_run", {"parameters": {"topic": topic}}).json()[
                "id"
            ]

        def ran_from(run_id: str, name: str) -> None:
            text = "\n".join(run_logs(ops, run_id))
            assert f"framecast checkout {code[name]} at revision {head[:12]}\n" in text + "\n", text[:3000]
            assert KEY not in text and PASSWORD not in text

        # --- Host A runs the channel.
        worker_a = host("a")
        first = run("How kites fly")
        done = wait_for("host A's run to finish", lambda: finished(ops, first), timeout=300)
        assert done["state_type"] == "COMPLETED", (done["state"], (ops.logs / "host-a.log").read_text()[-4000:])
        assert worker_of(ops, first) == "host-a"
        ran_from(first, "a")

        # --- Host A crashes mid-run: its worker and the flow process killed together.
        crashing = run("Why leaves change colour")

        def some_steps_done():
            completed = {t["name"] for t in task_runs(ops, crashing) if t["state_type"] == "COMPLETED"}
            return (
                completed
                if "write-script" in completed
                and any(n.startswith("synthesize") for n in completed)
                and "assemble-video" not in completed
                else None
            )

        completed_before_crash = wait_for(
            "host A's second run to complete some steps", some_steps_done, timeout=240, every=0.3
        )
        engine = [
            pid for pid in flow_processes(crashing) if b"prefect.engine" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert engine, "the flow run's process was not found"
        assert os.readlink(f"/proc/{engine[0]}/cwd") == str(code["a"])  # ran in host A's own checkout
        # The worker resolved the Secret blocks into the run's environment (and only there).
        environ = Path(f"/proc/{engine[0]}/environ").read_bytes().split(b"\0")
        assert f"OPENAI_API_KEY={KEY}".encode() in environ and f"FRAMECAST_LEDGER_URL={ledger_url}".encode() in environ
        ops.kill_group(worker_a)
        for pid in flow_processes(crashing):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        crashed_at = time.monotonic()
        begun = in_flight(task_runs(ops, crashing))

        # --- Host B takes the channel's next run for that topic: the crash detection frees the channel.
        host("b")
        resumed = run("Why leaves change colour")
        wait_for("host B's run to start", lambda: started_at(ops, resumed), timeout=300)
        crash_to_start = time.monotonic() - crashed_at
        done = wait_for("host B's run to finish", lambda: finished(ops, resumed), timeout=300)
        assert done["state_type"] == "COMPLETED", (done["state"], (ops.logs / "host-b.log").read_text()[-4000:])
        crash_to_published = time.monotonic() - crashed_at
        assert flow_run(ops, crashing)["state_type"] == "CRASHED"
        assert worker_of(ops, resumed) == "host-b"
        ran_from(resumed, "b")

        states = {t["name"]: t["state_name"] for t in task_runs(ops, resumed)}
        uncached = ("plan-timeline", "record-run", "publish-video", "size-scene-slot-", "preflight-")
        for name in (n for n in completed_before_crash if not n.startswith(uncached)):
            assert states.get(name) == "Cached", (name, states.get(name))

    for log in ops.logs.iterdir():  # the workers resolved the secrets without printing them
        text = log.read_text(errors="replace")
        assert KEY not in text and PASSWORD not in text, log.name

    # One ledger for both hosts, and each step paid once across the crash and the change of host.
    from framecast.cost.ledger import open_ledger

    ledger = Counter(e["role"] for e in open_ledger(ledger_url).entries())
    published = sorted(
        b.name for b in storage.list_blobs(bucket, prefix="media/published/smoke/") if b.name.endswith("/metadata.json")
    )
    assert len(published) == 2, published
    scenes = sum(
        len(
            json.loads(storage.bucket(bucket).blob(name.replace("metadata.json", "script.json")).download_as_bytes())[
                "scenes"
            ]
        )
        for name in published
    )
    assert ledger["script"] == 2, ledger
    assert_paid_once(ledger, scenes, begun)
    for name in ("a", "b"):  # nothing in a host's own ledger, nothing from the deploying checkout
        assert not list(code[name].rglob("ledger.sqlite3")), name
    tokens.shutdown()
    print(
        f"\ncrash -> host B's run starts: {crash_to_start:.1f} s; crash -> published by host B: "
        f"{crash_to_published:.1f} s; whole test: {time.monotonic() - began:.1f} s"
    )
