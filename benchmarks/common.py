"""What the render benchmarks share: a plan made by the local pipeline, the encoder floor, an RSS sampler."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass
class Plan:
    """Everything the edit takes, made by framecast's local stages, with the time each stage took."""

    channel: object
    meter: object
    scenes: list
    images: list
    voices: list
    timeline: object
    clips: list
    captions: object
    music: object
    times: dict[str, float] = field(default_factory=dict)


def fresh_data_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="framecast-bench-"))
    os.environ["FRAMECAST_DATA_DIR"] = str(path)
    return path


def demo_scenes(topic: str):
    """The scenes the local script writer makes for `topic` (no Prefect, nothing else rendered)."""
    from framecast.channel import ChannelConfig
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter
    from framecast.script import write as scripting

    meter = Meter.open(default_url(fresh_data_dir()), run="bench/2026-12-02/script", channel="bench", day="2026-12-02")
    return scripting.write(topic, ChannelConfig(name="bench").script, meter)[0].scenes


def make_plan(topic: str, *, width: int, height: int, fps: int, workers: int = 2, scenes=None) -> Plan:
    """Script (or the given scenes), stills, narration, timeline, motion, captions and music, each timed."""
    from framecast import edit, visuals
    from framecast.channel import ChannelConfig
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter
    from framecast.edit.config import VideoFormat
    from framecast.script import write as scripting
    from framecast.sound import music as music_bed
    from framecast.voice import narration

    data = fresh_data_dir()
    channel = ChannelConfig(name="bench", format=VideoFormat(width=width, height=height, fps=fps))
    meter = Meter.open(default_url(data), run="bench/2026-12-02/bench", channel="bench", day="2026-12-02")
    times: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - start
        return result

    from framecast import context

    services = context.services()
    pool = ThreadPoolExecutor(workers)
    if scenes is None:
        scenes = timed("script", lambda: scripting.write(topic, channel.script, meter)[0]).scenes
    images = timed(
        "images",
        lambda: list(
            pool.map(
                lambda i: visuals.render_image(
                    scenes[i].visual_prompt, i, channel.image, channel.format, 0, meter, services=services
                ),
                range(len(scenes)),
            )
        ),
    )
    voices = timed(
        "narration",
        lambda: list(
            pool.map(lambda s: narration.synthesize(s.narration, channel.voice, meter, services=services), scenes)
        ),
    )
    timeline = edit.plan(scenes, voices, channel.format)
    clips = timed(
        "motion",
        lambda: list(
            pool.map(
                lambda i: visuals.animate(
                    images[i],
                    scenes[i].visual_prompt,
                    scenes[i].motion_prompt,
                    i,
                    timeline.slots[i].duration,
                    channel.motion,
                    channel.format,
                    0,
                    meter,
                    services=services,
                ),
                range(len(scenes)),
            )
        ),
    )
    captions = edit.write_captions(timeline, voices, channel.format, channel.captions, services=services)
    music = timed("music", lambda: music_bed.prepare_music(channel.music, 0, meter, services=services))
    return Plan(channel, meter, scenes, images, voices, timeline, clips, captions, music, times)


def assemble(plan: Plan):
    """framecast's render of the plan."""
    from framecast import context, edit

    ch = plan.channel
    return edit.assemble(
        plan.timeline,
        plan.clips,
        plan.voices,
        plan.captions,
        plan.music,
        ch.format,
        ch.music.gain_db,
        ch.captions.burn_in,
        ch.quality.loudness_lufs,
        services=context.services(),
    )


def encoder_floor(video: Path, fmt) -> float:
    """Seconds x264 needs for these frames with the render's settings: encode-from-decode minus decode alone."""
    from framecast.media import ffmpeg
    from framecast.media.render import x264_args

    def timed_run(args: list[str]) -> float:
        start = time.perf_counter()
        ffmpeg.run(["-i", str(video), "-map", "0:v", *args, "-f", "null", "-"], what="measuring the encoder floor")
        return time.perf_counter() - start

    decode = timed_run([])
    encode = timed_run(x264_args(fps=fmt.fps, crf=fmt.crf, preset=fmt.preset))
    return max(encode - decode, 1e-3)


class PeakRSS:
    """Peaks of resident memory, sampled every 20 ms: `peak` of this process and all its descendants
    summed, `children` of the descendants alone (the ffmpeg processes), `python` of this process."""

    def __init__(self, interval: float = 0.02):
        import psutil  # the bench extra

        self._me = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self.children = self.python = 0
        self.at_peak: list[tuple[int, str]] = []
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            own, kids, seen = self._me.memory_info().rss, 0, []
            for proc in self._me.children(recursive=True):
                try:
                    if proc.cmdline() == self._me.cmdline():
                        continue  # forked, not yet exec'd: the parent's pages, shared copy-on-write
                    rss = proc.memory_info().rss
                    kids += rss
                    seen.append((rss >> 20, " ".join(proc.cmdline()[-1:])))
                except psutil.Error:
                    pass  # ended between listing and reading
            if kids > self.children:
                self.at_peak = seen  # which processes made the children's peak: (MB, last argument)
            self.peak, self.children = max(self.peak, own + kids), max(self.children, kids)
            self.python = max(self.python, own)
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
