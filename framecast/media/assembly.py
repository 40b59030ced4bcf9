"""The edit as ffmpeg commands: audio mix, loudness measurement, and the final render.

Pure functions from a timeline and file paths to argument lists, so the graph can be tested as
data; `framecast.assembly` runs them. Three runs in all: mix (audio only), measure (audio only),
render (video + the mix normalised in the same graph). Frames never pass through Python.
"""

from __future__ import annotations

from pathlib import Path

from framecast.models import Timeline, Transition

XFADE = {Transition.fade: "fade", Transition.dissolve: "dissolve"}
SAMPLE_RATE = 48000
LIMIT_DBFS = -2.0  # AAC encoding can add a few tenths of a dB of true peak; the gate checks ≤ −1.0


def audio_mix_command(narrations: list[Path], timeline: Timeline, out: Path, *,
                      music: Path | None = None, music_gain_db: float = -16.0) -> list[str]:
    """Narrations placed at their scene times; music looped under them and ducked by the voice."""
    total = f"{timeline.total:.3f}"
    args: list[str] = []
    for path in narrations:
        args += ["-i", str(path)]
    if music is not None:
        args += ["-stream_loop", "-1", "-i", str(music)]
    parts = []
    for i, slot in enumerate(timeline.slots):
        delay = int(round(slot.narration_start * 1000))
        parts.append(f"[{i}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,adelay={delay}:all=1[n{i}]")
    labels = "".join(f"[n{i}]" for i in range(len(narrations)))
    voice = (f"{labels}amix=inputs={len(narrations)}:normalize=0:dropout_transition=0,"
             # Gentle compression evens out the voice so the final limiter seldom has to act.
             f"acompressor=threshold=0.1:ratio=3:attack=10:release=200,apad=whole_dur={total}")
    if music is None:
        parts.append(f"{voice},atrim=duration={total}[mix]")
    else:
        fade_out = max(timeline.total - 2.0, 0.0)
        parts += [
            f"{voice}[voice];[voice]asplit=2[voice_mix][voice_key]",
            f"[{len(narrations)}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,"
            f"atrim=duration={total},volume={music_gain_db}dB,"
            f"afade=t=in:d=1.5,afade=t=out:st={fade_out:.3f}:d=2[music]",
            # Duck the music by up to ~12 dB while the narrator speaks.
            "[music][voice_key]sidechaincompress=threshold=0.02:ratio=6:attack=15:release=400[ducked]",
            f"[voice_mix][ducked]amix=inputs=2:normalize=0:duration=first,atrim=duration={total}[mix]",
        ]
    return [*args, "-filter_complex", ";".join(parts), "-map", "[mix]",
            "-c:a", "pcm_f32le", "-ar", str(SAMPLE_RATE), str(out)]


def measure_command(audio: Path, pre_filter: str | None = None) -> list[str]:
    """Integrated loudness and true peak of the mix (EBU R128), optionally after `pre_filter`."""
    chain = f"{pre_filter}," if pre_filter else ""
    return ["-i", str(audio), "-af", f"{chain}ebur128=peak=true:framelog=verbose", "-f", "null", "-"]


def loudness_filter(target_lufs: float, measured_lufs: float) -> str:
    """Gain to the target, then a limiter holding sample peaks at −2 dBFS.

    The same as loudnorm's linear mode but without its 192 kHz resampling, which cost more than the
    whole encode at small sizes. Limiting only the rare peaks keeps the true peak under −1 dBTP
    after AAC encoding with a margin, and changes integrated loudness by tenths of a dB.
    """
    gain = target_lufs - measured_lufs
    return f"volume={gain:.2f}dB,alimiter=limit={10 ** (LIMIT_DBFS / 20):.4f}:attack=5:release=60:level=false"


MAX_STRETCH = 2.0  # slow a short clip down at most this much; hold its last frame for the rest


def video_graph(timeline: Timeline, *, width: int, height: int, fps: int, subtitles: str | None,
                clip_seconds: list[float] | None = None) -> str:
    """Scene clips conformed, joined with their transitions, captions burned in: output [vout].

    Each clip is split into head / body / tail segments (frame-exact trims); only the short
    tail+head pairs go through xfade, and everything is joined by one concat. A chain of xfades
    over whole clips measured twice the CPU here (ffmpeg 5.1, 1080p), for the same picture.
    """
    parts, order = [], []
    slots = timeline.slots
    for slot in slots:
        i = slot.index
        frames = round(slot.duration * fps)
        head = round(slots[i - 1].transition_seconds * fps) if i > 0 else 0
        tail = round(slot.transition_seconds * fps)
        segments = [name for name, n in (("h", head), ("b", 1), ("t", tail)) if n]
        have = clip_seconds[i] if clip_seconds else slot.duration
        # Providers return fixed-length clips (e.g. 5 s): slow a short one down rather than freeze it.
        stretch = min(slot.duration / have, MAX_STRETCH) if have < slot.duration - 1 / fps else 1.0
        slow = f"setpts={stretch:.6f}*PTS," if stretch > 1.0 else ""
        parts.append(
            f"[{i}:v]{slow}scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
            f"setsar=1,fps={fps},format=yuv420p,"
            # A clip shorter than its slot (providers return fixed lengths) holds its last frame.
            f"tpad=stop_mode=clone:stop_duration={slot.duration:.3f},"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS,settb=AVTB,split={len(segments)}"
            + "".join(f"[{s}{i}in]" for s in segments)
        )
        bounds = {"h": (0, head), "b": (head, frames - tail), "t": (frames - tail, frames)}
        for seg in segments:
            lo, hi = bounds[seg]
            parts.append(f"[{seg}{i}in]trim=start_frame={lo}:end_frame={hi},setpts=PTS-STARTPTS[{seg}{i}]")
        order.append(f"[b{i}]")
        if tail:
            kind = XFADE[slot.transition_out]
            parts.append(f"[t{i}][h{i + 1}]xfade=transition={kind}:duration={slot.transition_seconds:.6f}:offset=0[x{i}]")
            order.append(f"[x{i}]")
    tail = f",subtitles=filename={subtitles}:fontsdir=fonts" if subtitles else ""
    parts.append(f"{''.join(order)}concat=n={len(order)}:v=1:a=0{tail},format=yuv420p[vout]")
    return ";".join(parts)


def render_command(clips: list[Path], mix: Path, timeline: Timeline, out: Path, *, width: int, height: int,
                   fps: int, crf: int, preset: str, target_lufs: float, measured_lufs: float,
                   subtitles: str | None, clip_seconds: list[float] | None = None) -> list[str]:
    """The final encode: H.264 High yuv420p, closed GOP of fps/2, 2 B-frames, BT.709, AAC 48 kHz, faststart.

    `subtitles` is a file name relative to the working directory the command runs in, next to a
    `fonts/` folder, which keeps filter-graph escaping out of user-chosen paths.
    """
    args: list[str] = []
    for clip in clips:
        args += ["-i", str(clip)]
    args += ["-i", str(mix)]
    graph = video_graph(timeline, width=width, height=height, fps=fps, subtitles=subtitles, clip_seconds=clip_seconds)
    graph += f";[{len(clips)}:a]{loudness_filter(target_lufs, measured_lufs)},aresample={SAMPLE_RATE}[aout]"
    return [
        *args, "-filter_complex", graph, "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-profile:v", "high", "-preset", preset, "-crf", str(crf),
        "-pix_fmt", "yuv420p", "-g", str(max(fps // 2, 1)), "-bf", "2", "-flags", "+cgop",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-t", f"{timeline.total:.6f}", "-movflags", "+faststart", str(out),
    ]
