"""One decoding pass that measures black, frozen and silent stretches and loudness."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Measurements:
    black: list[tuple[float, float]] = field(default_factory=list)
    frozen: list[tuple[float, float]] = field(default_factory=list)
    silent: list[tuple[float, float]] = field(default_factory=list)
    integrated_lufs: float | None = None
    true_peak_db: float | None = None


def analysis_command(video: Path, *, frozen_seconds: float, silence_seconds: float) -> list[str]:
    """ffmpeg arguments for the pass; results are parsed from stderr by `parse_analysis`."""
    graph = (
        "[0:v]blackdetect=d=0.1:pic_th=0.98:pix_th=0.08,"
        f"freezedetect=n=-60dB:d={frozen_seconds}[v];"
        f"[0:a]silencedetect=n=-50dB:d={silence_seconds},ebur128=peak=true:framelog=verbose[a]"
    )
    return ["-i", str(video), "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-f", "null", "-"]


def _spans(starts: list[float], ends: list[float], until: float) -> list[tuple[float, float]]:
    spans = list(zip(starts, ends))
    if len(starts) > len(ends):  # still black/frozen/silent when the file ended
        spans.append((starts[-1], until))
    return spans


def parse_analysis(stderr: str, duration: float) -> Measurements:
    """Pull the detections and the EBU R128 summary out of ffmpeg's log."""
    num = r"(-?\d+(?:\.\d+)?)"
    black = [(float(a), float(b)) for a, b in re.findall(rf"black_start:{num} black_end:{num}", stderr)]
    frozen = _spans(
        [float(x) for x in re.findall(rf"freeze_start: {num}", stderr)],
        [float(x) for x in re.findall(rf"freeze_end: {num}", stderr)],
        duration,
    )
    silent = _spans(
        [float(x) for x in re.findall(rf"silence_start: {num}", stderr)],
        [float(x) for x in re.findall(rf"silence_end: {num}", stderr)],
        duration,
    )
    integrated, peak = parse_ebur128(stderr)
    return Measurements(black=black, frozen=frozen, silent=silent, integrated_lufs=integrated, true_peak_db=peak)


def parse_ebur128(stderr: str) -> tuple[float | None, float | None]:
    """Integrated loudness (LUFS) and true peak (dBTP) from ebur128's closing summary."""
    num = r"(-?\d+(?:\.\d+)?|-inf)"
    summary = stderr[stderr.rfind("Summary:") :] if "Summary:" in stderr else ""
    integrated = re.search(rf"I:\s+{num} LUFS", summary)
    peak = re.search(rf"True peak:\s+Peak:\s+{num} dBFS", summary)
    return (float(integrated.group(1)) if integrated else None, float(peak.group(1)) if peak else None)


def top_level_atoms(path: Path, limit: int = 16) -> list[str]:
    """Names of an MP4's top-level boxes in file order (reads headers only)."""
    names = []
    with path.open("rb") as fh:
        while len(names) < limit:
            header = fh.read(8)
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            elif size == 0:
                names.append(kind.decode("latin-1"))
                break
            else:
                fh.seek(size - 8, 1)
            names.append(kind.decode("latin-1"))
    return names
