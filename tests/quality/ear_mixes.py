"""A real narrated video made by the library's own stages, and deliberately broken copies of its mix.

Shared by tests/quality/test_ear.py (small) and benchmarks/ear.py (the demo's size): the offline voice, the
timeline, the captions, the generated music bed and the one render are framecast's; only the breakage is
done here, with ffmpeg, the way a broken mix would come out of a faulty render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from framecast import edit
from framecast.context import Services
from framecast.core.models import CaptionFiles, ClipAsset, NarrationAsset, Script, Timeline, VideoAsset
from framecast.cost.ledger import default_url
from framecast.cost.meter import Meter
from framecast.edit.config import CaptionConfig, VideoFormat
from framecast.media import ffmpeg
from framecast.media.analysis import parse_ebur128
from framecast.providers.base import ScriptBrief
from framecast.providers.local.image import LocalImageGenerator
from framecast.providers.local.script import LocalScriptWriter
from framecast.quality import check as quality
from framecast.quality.config import QualityConfig
from framecast.sound.config import MusicConfig
from framecast.sound.music import prepare_music
from framecast.voice.config import VoiceConfig
from framecast.voice.narration import synthesize

FMT = VideoFormat(width=320, height=180, fps=12, preset="veryfast")


@dataclass
class Made:
    """A finished video and everything the gate judges it against."""

    video: VideoAsset
    timeline: Timeline
    captions: CaptionFiles
    script: Script
    narrations: list[NarrationAsset]
    music: Path
    services: Services
    meter: Meter


def make(services: Services, topic: str, scenes: tuple[int, int], seconds: float, speed: float = 1.1) -> Made:
    """Script, narration, timeline, captions, music and the render, exactly as a local run makes them."""
    store = services.store
    meter = Meter.open(default_url(services.data_dir), run="ear/2026-12-08/test", channel="ear", day="2026-12-08")
    script = LocalScriptWriter().write(ScriptBrief(topic, scenes[0], scenes[1], seconds))
    voice = VoiceConfig(provider="local", speed=speed)
    narrations = [synthesize(s.narration, voice, meter, services=services) for s in script.scenes]
    timeline = edit.plan(script.scenes, narrations, FMT)
    clips = []
    with services.scratch() as tmp:
        for i, scene in enumerate(script.scenes):
            still = LocalImageGenerator().generate(
                scene.visual_prompt, width=320, height=180, seed=i, out=tmp / "s.png"
            )
            ref = store.put(still, "image/png")
            clips.append(
                ClipAsset(ref=ref, duration=timeline.slots[i].duration, width=320, height=180, fps=12, move="push-in")
            )
    captions = edit.write_captions(
        timeline, narrations, FMT, CaptionConfig(max_chars_per_line=30, max_lines=2), services=services
    )
    music = prepare_music(MusicConfig(), 7, meter, services=services)
    video = edit.assemble(timeline, clips, narrations, captions, music, FMT, -16.0, True, -14.0, services=services)
    return Made(video, timeline, captions, script, narrations, store.local_path(music), services, meter)


def judge(made: Made, video: VideoAsset | None = None, captions: CaptionFiles | None = None, **limits):
    """The gate's verdict (local analyzer, with its ear) on the video, or on a broken copy of it."""
    q = QualityConfig(**limits)
    return quality.check(
        video or made.video,
        made.timeline,
        captions or made.captions,
        q,
        FMT,
        "en",
        made.meter,
        made.script,
        services=made.services,
    )


def _remux(made: Made, out: Path, inputs: list[str], graph: str) -> VideoAsset:
    ffmpeg.run(
        [
            "-i",
            str(made.services.store.local_path(made.video.ref)),
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "0:v",
            "-map",
            "[a]",
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-movflags",
            "+faststart",
            str(out),
        ],
        what="breaking the mix",
    )
    return made.video.model_copy(update={"ref": made.services.store.put(out, "video/mp4"), "measured": None})


def _lufs(path: Path) -> float:
    proc = ffmpeg.run(["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"], what="measuring")
    return parse_ebur128(proc.stderr)[0]


def music_as_loud(made: Made) -> VideoAsset:
    """The bed brought up to the narration's own loudness (a mix whose ducking and gain were lost); the whole
    mix then normalised to the channel's target, so its loudness alone gives nothing away."""
    video = made.services.store.local_path(made.video.ref)
    gain = _lufs(video) - _lufs(made.music)
    with made.services.scratch() as tmp:
        graph = (
            f"[1:a]aloop=loop=-1:size=2000000000,volume={gain:.2f}dB[m];"
            "[0:a][m]amix=inputs=2:duration=first:normalize=0,loudnorm=I=-14:TP=-1.5:LRA=11[a]"
        )
        return _remux(made, tmp / "loud.mp4", ["-i", str(made.music)], graph)


def swapped(made: Made, a: int, b: int) -> VideoAsset:
    """Scene `a`'s stretch of the soundtrack plays scene `b`'s speech and the other way round."""
    starts = [s.narration_start for s in made.timeline.slots] + [made.timeline.total]
    pieces, order = [], list(range(len(made.timeline.slots)))
    order[a], order[b] = b, a
    head = f"[0:a]atrim=0:{starts[0]},asetpts=N/SR/TB[h];"
    for k, source in enumerate(order):
        length = starts[k + 1] - starts[k]
        pieces.append(f"[0:a]atrim={starts[source]}:{starts[source + 1]},asetpts=N/SR/TB,apad,atrim=0:{length}[p{k}];")
    graph = head + "".join(pieces) + "[h]" + "".join(f"[p{k}]" for k in range(len(order)))
    graph += f"concat=n={len(order) + 1}:v=0:a=1[a]"
    with made.services.scratch() as tmp:
        return _remux(made, tmp / "swapped.mp4", [], graph)


def shifted_captions(made: Made, seconds: float) -> CaptionFiles:
    """The same captions, every cue `seconds` later (what the render then burns in)."""
    store = made.services.store
    text = store.local_path(made.captions.ass).read_text(encoding="utf-8")

    def later(found: re.Match) -> str:
        h, m, s = int(found[1]), int(found[2]), float(found[3]) + seconds
        total = h * 3600 + m * 60 + s
        return f"{int(total // 3600)}:{int(total % 3600 // 60):02d}:{total % 60:05.2f}"

    moved = re.sub(r"(\d+):(\d\d):(\d\d\.\d\d)", later, text)
    with made.services.scratch() as tmp:
        (tmp / "captions.ass").write_text(moved, encoding="utf-8")
        ass = store.put(tmp / "captions.ass", "text/x-ssa")
    return made.captions.model_copy(update={"ass": ass})
