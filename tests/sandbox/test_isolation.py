"""`framecast make --sandbox` never touches the real store or ledger, even when .env names them (L1)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ledger_entries, write_channel


def test_a_sandbox_run_ignores_a_production_store_and_ledger_named_in_dotenv(gcs_bucket, tmp_path):
    client, prod = gcs_bucket  # stands in for the production bucket
    channel = write_channel(tmp_path)
    cwd = tmp_path / "project"
    cwd.mkdir()
    prod_ledger = tmp_path / "prod-ledger.sqlite3"
    (cwd / ".env").write_text(
        f"FRAMECAST_STORE=gs://{prod}/videos\nFRAMECAST_LEDGER_URL=sqlite:///{prod_ledger}\n"
        "GOOGLE_CLOUD_PROJECT=framecast-test\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY") and k not in ("FRAMECAST_STORE", "FRAMECAST_LEDGER_URL", "FRAMECAST_DATA_DIR")
    }
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "make",
            "Why the sea is salty",
            "--sandbox",
            "--channel",
            str(channel),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    notice = [line for line in proc.stderr.splitlines() if line.startswith("sandbox: ignoring")]
    assert notice == [
        f"sandbox: ignoring the configured FRAMECAST_STORE and FRAMECAST_LEDGER_URL (a sandbox run "
        f"keeps everything in {out / 'sandbox'})"
    ]
    assert list(client.list_blobs(prod)) == []  # nothing reached the production bucket
    assert not prod_ledger.exists()  # no fake charge in the production ledger
    video = Path(proc.stdout.strip().splitlines()[-1])
    assert video.is_file() and video.is_relative_to(out / "sandbox")
    assert sorted(p.name for p in out.iterdir()) == ["sandbox"]  # --out X keeps the sandbox in X/sandbox
    assert {e["provider"] for e in ledger_entries(out / "sandbox")} >= {"openai", "runway"}
