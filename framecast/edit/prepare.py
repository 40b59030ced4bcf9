"""What the edit needs before the render: the timeline, the captions and the music bed."""

from __future__ import annotations

from framecast import providers, runtime
from framecast.assets import FONT_FAMILY
from framecast.captions import build_cues, to_ass, to_srt, to_vtt
from framecast.config import CaptionConfig, MusicConfig, VideoFormat
from framecast.cost.meter import Meter
from framecast.errors import ConfigError
from framecast.media import ffmpeg
from framecast.media.music import music_command
from framecast.models import ArtifactRef, CaptionFiles, NarrationAsset, Scene, Timeline, WordTiming
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
    if cfg.source in ("none", "elevenlabs-music"):  # composed once the video's length is known: compose_music
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


def compose_music(cfg: MusicConfig, seconds: float, meter: Meter) -> ArtifactRef:
    """A composed instrumental bed exactly `seconds` long (music.source: elevenlabs-music), stored."""
    composer = providers.music_composer("elevenlabs")
    with runtime.scratch() as tmp:
        with meter.charge(provider=composer.name, role="music", units=round(seconds, 1), unit="second",
                          model=composer.model):
            path = composer.compose(cfg.prompt, seconds=seconds, out=tmp / "music.mp3")
        return runtime.store().put(path, "audio/mpeg")
