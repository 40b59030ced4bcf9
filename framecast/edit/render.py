"""The render: the soundtrack and the picture's segments made side by side, joined by a stream copy."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from framecast.assets import FONT_BOLD, FONT_REGULAR
from framecast.context import Services
from framecast.core.errors import MediaError
from framecast.core.models import (
    ArtifactRef,
    CaptionFiles,
    ClipAsset,
    ContentMeasurements,
    NarrationAsset,
    SoundAsset,
    SoundCue,
    Span,
    Timeline,
    VideoAsset,
)
from framecast.edit.config import VideoFormat
from framecast.media import ffmpeg
from framecast.media.analysis import parse_analysis, parse_ebur128
from framecast.media.assembly import (
    audio_analysis_command,
    audio_encode_command,
    audio_mix_command,
    loudness_filter,
    measure_command,
    parse_speech_over_bed,
    voice_loudness_command,
)
from framecast.media.motion import MOVES
from framecast.media.render import (
    FREEZE_PROBE_SECONDS,
    SceneSource,
    Segment,
    concat_list,
    mux_command,
    plan_segments,
    segment_command,
    segment_graph,
)
from framecast.sound.design import bed_sounds

# Silences shorter than this are not recorded by the render's own analysis (the gate's limits are longer;
# a channel asking for a shorter limit gets a full decode by the gate instead, see providers/local/analyzer.py).
SILENCE_PROBE_SECONDS = 1.0
# Segment length: long enough that process start-up and the re-made head of a shared transition are
# noise, short enough that two cores share the work evenly (benchmarks/render.py --segment-seconds).
DEFAULT_SEGMENT_SECONDS = 12.0


def segment_seconds(configured: float | None = None) -> float:
    """The configured length (FRAMECAST_RENDER_SEGMENT_SECONDS), else the default; a bad value is a clear error."""
    value = DEFAULT_SEGMENT_SECONDS if configured is None else configured
    if value <= 0:
        raise MediaError(
            f"FRAMECAST_RENDER_SEGMENT_SECONDS={configured!r}: give a positive number of seconds "
            f"(default {DEFAULT_SEGMENT_SECONDS:g})"
        )
    return value


def _measure(audio: Path, pre_filter: str | None = None) -> float:
    proc = ffmpeg.run(measure_command(audio, pre_filter), what="measuring loudness")
    integrated, _ = parse_ebur128(proc.stderr)
    if integrated is None or integrated < -70:
        raise MediaError(f"measuring loudness: the mix is silent or unreadable (integrated {integrated} LUFS)")
    return integrated


def _effective_loudness(mix: Path, target: float) -> float:
    """The mix's loudness as the gain stage should see it, limiter included.

    The limiter takes a few tenths of a dB off the loudness after the gain; a second measurement
    through gain + limiter folds that loss back in, landing within ~0.1 LU of the target.
    """
    first = _measure(mix)
    through_limiter = _measure(mix, loudness_filter(target, first))
    return first - (target - through_limiter)


def _soundtrack(
    holding: threading.Event,
    tmp: Path,
    narrations: list[Path],
    timeline: Timeline,
    music: Path | None,
    music_gain_db: float,
    loudness_lufs: float,
    sounds,
    local_path,
):
    """Mix, measure, encode, then analyse the encoded audio: (the .m4a, its analysis, speech over bed in LU)."""
    with ffmpeg.slot():
        holding.set()
        return _soundtrack_steps(tmp, narrations, timeline, music, music_gain_db, loudness_lufs, sounds, local_path)


def _soundtrack_steps(
    tmp: Path,
    narrations: list[Path],
    timeline: Timeline,
    music: Path | None,
    music_gain_db: float,
    loudness_lufs: float,
    sounds=(),
    local_path=None,
):
    mix, out = tmp / "mix.wav", tmp / "audio.m4a"
    bed = []
    if sounds:  # their levels are set against the voice's own loudness
        voice_lufs, _ = parse_ebur128(ffmpeg.run(voice_loudness_command(narrations), what="measuring the voice").stderr)
        bed = bed_sounds(
            list(sounds), local_path, voice_lufs if voice_lufs and voice_lufs > -70 else -20.0, timeline.total
        )
    proc = ffmpeg.run(
        audio_mix_command(narrations, timeline, mix, music=music, music_gain_db=music_gain_db, sounds=bed, meter=True),
        what="mixing narration, music and sounds",
    )
    over_bed = parse_speech_over_bed(proc.stderr)
    measured = _effective_loudness(mix, loudness_lufs)
    ffmpeg.run(
        audio_encode_command(mix, out, target_lufs=loudness_lufs, measured_lufs=measured),
        what="encoding the soundtrack",
    )
    proc = ffmpeg.run(
        audio_analysis_command(out, silence_seconds=SILENCE_PROBE_SECONDS), what="analysing the soundtrack"
    )
    return out, parse_analysis(proc.stderr, timeline.total), over_bed


def _merge(spans: list[Span], gap: float) -> list[Span]:
    """Spans touching across a segment boundary become one."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def scene_sources(clips: list[ClipAsset], store) -> list[SceneSource]:
    """Each scene's pictures as the render graph takes them: a clip, or a still with its move."""
    return [
        SceneSource(store.local_path(c.ref), move=MOVES[c.move])
        if c.move
        else SceneSource(store.local_path(c.ref), seconds=c.duration)
        for c in clips
    ]


def _segment(
    tmp: Path,
    k: int,
    segment: Segment,
    timeline: Timeline,
    sources: list[SceneSource],
    fmt: VideoFormat,
    subtitles: str | None,
):
    inputs, graph = segment_graph(
        timeline, sources, segment, width=fmt.width, height=fmt.height, fps=fmt.fps, subtitles=subtitles
    )
    name = f"segment{k:04d}.mp4"
    proc = ffmpeg.run(
        segment_command(inputs, graph, segment, tmp / name, fps=fmt.fps, crf=fmt.crf, preset=fmt.preset),
        what=f"rendering scenes {segment.first}–{segment.last}",
        cwd=tmp,
    )
    return name, parse_analysis(proc.stderr, (segment.start_frame + segment.frames) / fmt.fps)


def assemble(
    timeline: Timeline,
    clips: list[ClipAsset],
    narrations: list[NarrationAsset],
    captions: CaptionFiles,
    music: ArtifactRef | None,
    fmt: VideoFormat,
    music_gain_db: float,
    burn_in: bool,
    loudness_lufs: float,
    sounds: list[tuple[SoundCue, SoundAsset]] = (),
    *,
    services: Services,
) -> VideoAsset:
    """The finished MP4: soundtrack and picture segments in parallel, joined, checked with ffprobe, stored.

    `sounds`: the transition sounds and ambiences (framecast.sound) with what each cue plays."""
    store = services.store
    sources = scene_sources(clips, store)
    segments = plan_segments(
        timeline,
        fmt.fps,
        segment_seconds(services.settings.render_segment_seconds),
        parts=ffmpeg.job_count(services.settings.ffmpeg_jobs),
    )
    with services.scratch() as tmp:
        subtitles = None
        if burn_in:
            # libass draws nothing without fonts: give it ours, by relative path (no graph escaping).
            fonts = tmp / "fonts"
            fonts.mkdir()
            for font in (FONT_REGULAR, FONT_BOLD):
                shutil.copy(font, fonts / font.name)
            shutil.copy(store.local_path(captions.ass), tmp / "captions.ass")
            subtitles = "captions.ass"
        # One thread per job; ffmpeg.run's semaphore holds the processes at once to the machine's cores.
        with ThreadPoolExecutor(max_workers=len(segments) + 1, thread_name_prefix="render") as pool:
            holding = threading.Event()
            # The soundtrack's short commands hold one slot from first to last, beside the segments.
            sound = pool.submit(
                _soundtrack,
                holding,
                tmp,
                [store.local_path(n.ref) for n in narrations],
                timeline,
                store.local_path(music) if music else None,
                music_gain_db,
                loudness_lufs,
                tuple(sounds),
                store.local_path,
            )
            holding.wait(timeout=60)
            # Longest first, so that no long segment is left running alone at the end.
            order = sorted(range(len(segments)), key=lambda k: -segments[k].frames)
            parts = {k: pool.submit(_segment, tmp, k, segments[k], timeline, sources, fmt, subtitles) for k in order}
            results = [parts[k].result() for k in range(len(segments))]
            audio, heard, over_bed = sound.result()
        (tmp / "segments.txt").write_text(
            concat_list([name for name, _ in results], [s.frames / fmt.fps for s in segments]), encoding="utf-8"
        )
        out = tmp / "video.mp4"
        ffmpeg.run(
            mux_command(Path("segments.txt"), Path(audio.name), Path(out.name), total=timeline.total),
            what="joining the segments and the soundtrack",
            cwd=tmp,
        )
        info = ffmpeg.probe(out)
        video = ffmpeg.stream(info, "video")
        if video is None or ffmpeg.stream(info, "audio") is None:
            raise MediaError("rendering the video: the output lacks a video or an audio stream")
        expected = sum(s.frames for s in segments)
        if (frames := ffmpeg.packet_count(out)) != expected:
            raise MediaError(f"rendering the video: {frames} frames joined, {expected} planned")
        gap = 2.0 / fmt.fps
        measured = ContentMeasurements(
            black=_merge([s for _, m in results for s in m.black], gap),
            frozen=_merge([s for _, m in results for s in m.frozen], gap),
            silent=heard.silent,
            integrated_lufs=heard.integrated_lufs,
            true_peak_db=heard.true_peak_db,
            speech_over_bed_lu=over_bed,
            shortest_span=max(FREEZE_PROBE_SECONDS, SILENCE_PROBE_SECONDS),
        )
        ref = store.put(out, "video/mp4")
    return VideoAsset(
        ref=ref,
        duration=float(info["format"]["duration"]),
        width=int(video["width"]),
        height=int(video["height"]),
        fps=ffmpeg.frame_rate(video),
        measured=measured,
    )
