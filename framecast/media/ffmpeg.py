"""Finding, running and probing ffmpeg: the single place a media subprocess is started."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from framecast.core.errors import MediaError, ToolMissing

INSTALL_HINT = (
    "framecast needs ffmpeg and ffprobe built with libx264, AAC and libass. "
    "On Debian/Ubuntu: `sudo apt-get install ffmpeg` (or run `make setup`, which does it); "
    "on macOS: `brew install ffmpeg`. Or point FRAMECAST_FFMPEG / FRAMECAST_FFPROBE at the binaries."
)
STDERR_TAIL = 1500
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tools:
    ffmpeg: str
    ffprobe: str


def _which(env_value: str | None, name: str) -> str | None:
    if env_value:
        return env_value if Path(env_value).is_file() or shutil.which(env_value) else None
    return shutil.which(name)


@lru_cache(maxsize=8)
def _find(ffmpeg_env: str | None, ffprobe_env: str | None) -> Tools:
    ffmpeg = _which(ffmpeg_env, "ffmpeg")
    ffprobe = _which(ffprobe_env, "ffprobe")
    missing = [n for n, p in (("ffmpeg", ffmpeg), ("ffprobe", ffprobe)) if p is None]
    if missing:
        raise ToolMissing(f"{' and '.join(missing)} not found. {INSTALL_HINT}")
    # Absolute: some commands run in a scratch folder (cwd=), where a relative FRAMECAST_FFMPEG would not resolve.
    return Tools(ffmpeg=os.path.abspath(ffmpeg), ffprobe=os.path.abspath(ffprobe))


# Where the tools are and how many run at once, set by the edge from Settings (FRAMECAST_FFMPEG, FRAMECAST_FFPROBE,
# FRAMECAST_FFMPEG_JOBS) through `configure`: media/ reads no environment. Unconfigured: PATH, one job per core.
_configured: dict[str, str | int | None] = {"ffmpeg": None, "ffprobe": None, "jobs": None}
_jobs: threading.BoundedSemaphore | None = None
_jobs_lock = threading.Lock()


def configure(ffmpeg: str | None = None, ffprobe: str | None = None, jobs: int | None = None) -> None:
    """Use these binaries (blank: those on PATH) and at most `jobs` ffmpeg processes at once (blank: one per core)."""
    global _jobs
    with _jobs_lock:
        if jobs != _configured["jobs"]:
            _jobs = None  # sized again on next use; a slot held meanwhile is released into the old one
        _configured.update(ffmpeg=ffmpeg, ffprobe=ffprobe, jobs=jobs)


def tools() -> Tools:
    """The ffmpeg/ffprobe to use: the configured ones (FRAMECAST_FFMPEG/FRAMECAST_FFPROBE), else the ones on PATH."""
    return _find(_configured["ffmpeg"] or None, _configured["ffprobe"] or None)


# ffmpeg processes at once in this process: renders are CPU-bound, while the task runner's threads are
# sized for provider waits (FRAMECAST_TASK_WORKERS), so twelve scenes waiting on Runway never mean
# twelve encodes fighting over two cores. FRAMECAST_FFMPEG_JOBS overrides the default (one per core).
def job_count(jobs: int | None = None) -> int:
    """How many ffmpeg processes this process runs at once (`jobs`, else the configured count, else one per core)."""
    return max(1, int(jobs or _configured["jobs"] or os.cpu_count() or 2))


def _semaphore() -> threading.BoundedSemaphore:
    global _jobs
    with _jobs_lock:
        if _jobs is None:
            _jobs = threading.BoundedSemaphore(job_count())
        return _jobs


_holding = threading.local()


@contextmanager
def slot():
    """Hold one ffmpeg slot for a chain of short commands, so the chain is not queued behind long ones."""
    if getattr(_holding, "slot", False):
        yield
        return
    with _semaphore():
        _holding.slot = True
        try:
            yield
        finally:
            _holding.slot = False


def run(
    args: list[str], *, what: str, timeout: float | None = 3600, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ffmpeg with `args` (everything after the program name); raise MediaError with stderr's tail."""
    cmd = [tools().ffmpeg, "-hide_banner", "-nostdin", "-y", *args]
    started = time.monotonic()
    try:
        with slot():
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace", cwd=cwd)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{what}: ffmpeg did not finish within {timeout:.0f} s") from exc
    if proc.returncode != 0:
        tail = proc.stderr[-STDERR_TAIL:].strip()
        raise MediaError(f"{what}: ffmpeg exited with {proc.returncode}:\n{tail}")
    log.debug("%s took %.2f s", what, time.monotonic() - started)
    return proc


# Media is read as what its name says, from a file and nothing else: a "clip" that is really an HLS playlist
# (or any format that opens other files or URLs) never gets its say (review M3).
DEMUXERS = {
    ".mp4": "mp4",
    ".mov": "mov",
    ".m4a": "mp4",
    ".mp3": "mp3",
    ".wav": "wav",
    ".flac": "flac",
    ".ogg": "ogg",
    ".opus": "ogg",
    ".aac": "aac",
    ".png": "png_pipe",
    ".jpg": "jpeg_pipe",
    ".jpeg": "jpeg_pipe",
    ".webp": "webp_pipe",
    ".ts": "mpegts",
    ".mkv": "matroska",
    ".webm": "matroska",
}
# What provider media of each kind may be (ffprobe's format_name), checked once before it is stored.
KINDS = {
    "video": ("mov,mp4,m4a,3gp,3g2,mj2",),
    "audio": ("mp3", "wav"),
    "image": ("png_pipe", "jpeg_pipe", "webp_pipe"),
}
KIND_NAMES = {"video": ("MP4", "MOV"), "audio": ("MP3", "WAV"), "image": ("PNG", "JPEG", "WebP")}
PLAIN_FILE = ["-protocol_whitelist", "file"]


def input_args(path: Path) -> list[str]:
    """`-f DEMUXER -protocol_whitelist file -i PATH`: the demuxer pinned by the file's extension (an unknown one:
    only the plain formats of DEMUXERS may be picked), and no protocol but plain files."""
    demuxer = DEMUXERS.get(Path(path).suffix.lower())
    pinned = ["-f", demuxer] if demuxer else ["-format_whitelist", ",".join(sorted(set(DEMUXERS.values())))]
    return [*pinned, *PLAIN_FILE, "-i", str(path)]


def probe(path: Path) -> dict:
    """ffprobe's JSON description (format + streams) of a media file, read as its extension says."""
    return _probe(input_args(path), path)


def check_media(path: Path, kind: str) -> dict:
    """The probe of provider media whose format must be one of KINDS[kind], whatever its name; MediaError if not."""
    allowed, expected = KINDS[kind], f"{kind} in {' or '.join(KIND_NAMES[kind])}"
    try:
        info = _probe(["-format_whitelist", ",".join(allowed), *PLAIN_FILE, "-i", str(path)], path)
    except MediaError as exc:
        raise MediaError(f"{path.name} is not {expected} ({str(exc).splitlines()[0][-300:]})") from exc
    found = info.get("format", {}).get("format_name", "")
    if found not in allowed or not stream(info, "audio" if kind == "audio" else "video"):
        raise MediaError(f"{path.name} is not {expected} (ffprobe: {found or 'unknown'}, no {kind} stream)")
    return info


def _probe(inputs: list[str], path: Path) -> dict:
    cmd = [tools().ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", *inputs]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, errors="replace")
    if proc.returncode != 0:
        raise MediaError(f"ffprobe could not read {path}: {proc.stderr[-STDERR_TAIL:].strip()}")
    return json.loads(proc.stdout)


def duration(path: Path) -> float:
    """Container duration in seconds."""
    info = probe(path)
    try:
        return float(info["format"]["duration"])
    except (KeyError, ValueError) as exc:
        raise MediaError(f"ffprobe reports no duration for {path}") from exc


def packet_count(path: Path) -> int:
    """Packets (frames, for video) in the first video stream, read without decoding."""
    cmd = [
        tools().ffprobe,
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-count_packets",
        "-show_entries",
        "stream=nb_read_packets",
        "-of",
        "csv=p=0",
        *input_args(path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, errors="replace")
    try:
        return int(proc.stdout.strip().split(",")[0])
    except ValueError as exc:
        raise MediaError(f"ffprobe could not count the frames of {path}: {proc.stderr[-STDERR_TAIL:].strip()}") from exc


def stream(info: dict, kind: str) -> dict | None:
    """The first stream of `kind` ('video' or 'audio') in a probe result."""
    return next((s for s in info.get("streams", []) if s.get("codec_type") == kind), None)


def frame_rate(video_stream: dict) -> float:
    num, _, den = video_stream.get("avg_frame_rate", "0/1").partition("/")
    return float(num) / float(den or 1) if float(den or 1) else 0.0


def has_filters(*names: str) -> list[str]:
    """Which of `names` this ffmpeg lacks (empty list = all present)."""
    proc = subprocess.run([tools().ffmpeg, "-hide_banner", "-filters"], capture_output=True, text=True)
    present = {line.split()[1] for line in proc.stdout.splitlines() if len(line.split()) > 2}
    return [n for n in names if n not in present]
