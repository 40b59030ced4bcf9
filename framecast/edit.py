"""The edit: timeline, captions, music bed and the final render, stored as artifacts."""

from __future__ import annotations

import shutil

from framecast import providers, runtime
from framecast.assets import FONT_BOLD, FONT_FAMILY, FONT_REGULAR
from framecast.captions import build_cues, to_ass, to_srt, to_vtt
from framecast.config import CaptionConfig, MusicConfig, VideoFormat
from framecast.cost.meter import Meter
from framecast.errors import ConfigError, MediaError
from framecast.media import ffmpeg
from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import audio_mix_command, loudness_filter, measure_command, render_command
from framecast.media.music import music_command
from framecast.models import (
    ArtifactRef, CaptionFiles, ClipAsset, NarrationAsset, Scene, Timeline, VideoAsset, WordTiming,
)
from framecast.timeline import plan_timeline

AMBIENCE_SECONDS = 30.0  # the longest sound generation; looped (seamlessly, loop=true) under the video


def plan(scenes: list[Scene], narrations: list[NarrationAsset], fmt: VideoFormat) -> Timeline:
    """Scene slots sized so every narration fits its scene."""
    return plan_timeline(scenes, [n.duration for n in narrations], fmt.fps)


def timed_words(timeline: Timeline, narrations: list[NarrationAsset]) -> list[WordTiming]:
    """Every narrated word at its time in the final video."""
    return [
        WordTiming(word=w.word, start=round(slot.narration_start + w.start, 3), end=round(slot.narration_start + w.end, 3))
        for slot, narration in zip(timeline.slots, narrations) for w in narration.words
    ]


def write_captions(timeline: Timeline, narrations: list[NarrationAsset], fmt: VideoFormat,
                   cfg: CaptionConfig) -> CaptionFiles:
    """SRT and WebVTT sidecars plus the styled ASS file used for burn-in."""
    cues = build_cues(timed_words(timeline, narrations), max_chars_per_line=cfg.max_chars_per_line,
                      max_lines=cfg.max_lines)
    store = runtime.store()
    refs = {}
    with runtime.scratch() as tmp:
        for kind, text, media_type in (
            ("srt", to_srt(cues), "application/x-subrip"),
            ("vtt", to_vtt(cues), "text/vtt"),
            ("ass", to_ass(cues, width=fmt.width, height=fmt.height, font=FONT_FAMILY, font_scale=cfg.font_scale),
             "text/x-ssa"),
        ):
            path = tmp / f"captions.{kind}"
            path.write_text(text, encoding="utf-8")
            refs[kind] = store.put(path, media_type)
    return CaptionFiles(**refs, cue_count=len(cues))


def prepare_music(cfg: MusicConfig, seed: int, meter: Meter) -> ArtifactRef | None:
    """The music bed: none, the channel's file, or a generated pad (looped under the video by the mix)."""
    if cfg.source == "none":
        return None
    store = runtime.store()
    if cfg.source == "file":
        if cfg.path is None or not cfg.path.is_file():
            raise ConfigError(f"music.path: {cfg.path} does not exist; fix the path or set music.source: none")
        ffmpeg.probe(cfg.path)  # fail here, clearly, rather than deep inside the render
        return store.put(cfg.path, "audio/" + (cfg.path.suffix.lstrip(".") or "wav"))
    if cfg.source == "elevenlabs":
        sfx = providers.sound_effects("elevenlabs")
        with runtime.scratch() as tmp:
            with meter.charge(provider=sfx.name, role="sound", units=AMBIENCE_SECONDS, unit="second", model=sfx.model):
                path = sfx.generate(cfg.prompt, seconds=AMBIENCE_SECONDS, out=tmp / "ambience.mp3")
            ref = store.put(path, "audio/mpeg")
        return ref  # the mix loops it under the whole video
    with runtime.scratch() as tmp:
        out = tmp / "music.wav"
        ffmpeg.run(music_command(out, seed), what="generating the music bed")
        return store.put(out, "audio/wav")


def _measure(audio, pre_filter: str | None = None) -> float:
    proc = ffmpeg.run(measure_command(audio, pre_filter), what="measuring loudness")
    integrated, _ = parse_ebur128(proc.stderr)
    if integrated is None or integrated < -70:
        raise MediaError(f"measuring loudness: the mix is silent or unreadable (integrated {integrated} LUFS)")
    return integrated


def _effective_loudness(mix, target: float) -> float:
    """The mix's loudness as the gain stage should see it, limiter included.

    The limiter takes a few tenths of a dB off the loudness after the gain; a second measurement
    through gain + limiter folds that loss back in, landing within ~0.1 LU of the target.
    """
    first = _measure(mix)
    through_limiter = _measure(mix, loudness_filter(target, first))
    return first - (target - through_limiter)


def assemble(timeline: Timeline, clips: list[ClipAsset], narrations: list[NarrationAsset],
             captions: CaptionFiles, music: ArtifactRef | None, fmt: VideoFormat, music_gain_db: float,
             burn_in: bool, loudness_lufs: float) -> VideoAsset:
    """Mix, measure loudness, render: the finished MP4, checked with ffprobe and stored."""
    store = runtime.store()
    with runtime.scratch() as tmp:
        mix = tmp / "mix.wav"
        ffmpeg.run(audio_mix_command([store.local_path(n.ref) for n in narrations], timeline, mix,
                                     music=store.local_path(music) if music else None,
                                     music_gain_db=music_gain_db), what="mixing narration and music")
        measured = _effective_loudness(mix, loudness_lufs)
        subtitles = None
        if burn_in:
            # libass draws nothing without fonts: give it ours, by relative path (see render_command).
            fonts = tmp / "fonts"
            fonts.mkdir()
            for font in (FONT_REGULAR, FONT_BOLD):
                shutil.copy(font, fonts / font.name)
            shutil.copy(store.local_path(captions.ass), tmp / "captions.ass")
            subtitles = "captions.ass"
        out = tmp / "video.mp4"
        args = render_command([store.local_path(c.ref) for c in clips], mix, timeline, out, width=fmt.width,
                              height=fmt.height, fps=fmt.fps, crf=fmt.crf, preset=fmt.preset,
                              target_lufs=loudness_lufs, measured_lufs=measured, subtitles=subtitles,
                              clip_seconds=[c.duration for c in clips])
        ffmpeg.run(args, what="rendering the video", cwd=tmp)
        info = ffmpeg.probe(out)
        video = ffmpeg.stream(info, "video")
        if video is None or ffmpeg.stream(info, "audio") is None:
            raise MediaError("rendering the video: the output lacks a video or an audio stream")
        ref = store.put(out, "video/mp4")
    return VideoAsset(ref=ref, duration=float(info["format"]["duration"]), width=int(video["width"]),
                      height=int(video["height"]), fps=ffmpeg.frame_rate(video))
