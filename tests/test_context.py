import os
import socket
import subprocess
import sys
import time
from datetime import date

import pytest

from framecast import context as runtime
from framecast.core.errors import ScriptError
from framecast.script import write as scripting


def test_scratch_of_a_dead_process_is_removed_and_live_ones_are_kept(data_dir):
    with runtime.scratch() as mine:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        pid = int(dead.stdout)
        work = data_dir / "work"
        crashed = work / f"{socket.gethostname()}~{pid}~abc123"
        crashed.mkdir()
        (crashed / "half.mp4").write_bytes(b"partial")
        other_host_old = work / "elsewhere~42~old"
        other_host_old.mkdir()
        other_host_new = work / "elsewhere~43~new"
        other_host_new.mkdir()
        os.utime(other_host_old, (time.time() - 2 * 86400,) * 2)
        removed = runtime.clean_stale_scratch()
        assert sorted(removed) == sorted([crashed.name, other_host_old.name])
        assert mine.is_dir() and other_host_new.is_dir()  # a live run's folder, and a recent one elsewhere
    assert not mine.exists()


def test_run_inputs_name_the_field_and_the_fix():
    assert scripting.run_inputs("  ", None, None, "2026-12-02") == ("  ", (), None, date(2026, 12, 2))
    assert scripting.run_inputs("T", ["a"], None, "")[3] is None
    with pytest.raises(ScriptError, match=r"publish_date: '2026-02-30' is not a date .*use YYYY-MM-DD"):
        scripting.run_inputs("T", None, None, "2026-02-30")
    with pytest.raises(ScriptError, match=r"the script parameter is not valid:\n  - scenes: required field is missing"):
        scripting.run_inputs("T", None, {"title": "x"}, None)
    with pytest.raises(ScriptError, match="notes: must be a list"):
        scripting.run_inputs("T", "one fact", None, None)
    with pytest.raises(ScriptError, match="topic: must be text"):
        scripting.run_inputs(42, None, None, None)


CONTAINER = """
import socket, sys
from framecast import context as runtime
runtime._owner_prefix = lambda: f"{socket.gethostname()}~{sys.argv[1]}~"  # its pid as another namespace sees it
with runtime.scratch() as folder:
    (folder / "half.mp4").write_bytes(b"rendering")
    print(folder, flush=True)
    sys.stdin.readline()
"""


def test_a_live_neighbour_sharing_the_hostname_keeps_its_scratch_and_a_killed_one_loses_it(data_dir):
    """Two containers with one hostname and one data volume: the other's pid means nothing here (I5)."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    env = {**os.environ, "FRAMECAST_DATA_DIR": str(data_dir)}
    neighbour = subprocess.Popen(
        [sys.executable, "-c", CONTAINER, gone.stdout.strip()],
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        folder = data_dir / "work" / os.path.basename(neighbour.stdout.readline().strip())
        assert folder.name.startswith(f"{socket.gethostname()}~{gone.stdout.strip()}~")
        assert runtime.clean_stale_scratch() == []  # alive: its lock is held, whatever its pid says here
        assert (folder / "half.mp4").read_bytes() == b"rendering"
    finally:
        neighbour.kill()
        neighbour.wait()
    assert runtime.clean_stale_scratch() == [folder.name]  # killed: nobody holds the lock any more
    assert not folder.exists()


def test_services_point_the_media_tools_at_the_settings(monkeypatch, tmp_path):
    """FRAMECAST_FFMPEG / FRAMECAST_FFPROBE / FRAMECAST_FFMPEG_JOBS are read by Settings, not by media/."""
    from framecast.core.errors import ToolMissing
    from framecast.media import ffmpeg
    from framecast.settings import Settings, reset_settings

    monkeypatch.setenv("FRAMECAST_FFMPEG", str(tmp_path / "no-ffmpeg"))
    monkeypatch.setenv("FRAMECAST_FFMPEG_JOBS", "3")
    reset_settings()
    services = runtime.services()
    assert services.settings.ffmpeg == str(tmp_path / "no-ffmpeg") and ffmpeg.job_count() == 3
    with pytest.raises(ToolMissing, match="ffmpeg not found"):
        ffmpeg.tools()
    monkeypatch.setenv("FRAMECAST_FFMPEG", "")
    monkeypatch.setenv("FRAMECAST_FFMPEG_JOBS", "")  # blank: the default, as before
    reset_settings()
    runtime.services()
    assert Settings().ffmpeg_jobs is None and ffmpeg.tools().ffmpeg and ffmpeg.job_count() >= 1
    reset_settings()


def test_importing_the_flow_and_tasks_installs_nothing_and_reads_no_settings():
    """Limits are installed by the flow's prologue, and the task runner is sized when a run starts."""
    code = (
        "import tasks.limits as limits\n"
        "limits.install = lambda: (_ for _ in ()).throw(SystemExit('installed on import'))\n"
        "import tasks, flows.produce_video\n"
        "from framecast.settings import _cached_settings\n"
        "assert _cached_settings.cache_info().currsize == 0, 'settings read on import'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
