"""Speech recognition, offline: what is said in stretches of a finished mix, word by word, with times.

The quality gate's ear (framecast/quality/ear.py). PocketSphinx (BSD, extra `align`) ships its US-English
acoustic model and dictionary inside its PyPI wheel: nothing is downloaded, nothing leaves the machine.
Like a person checking a recording against its script, the recogniser knows which words to expect: its
language model is made from the whole script (every scene's narration, trigrams; the shipped dictionary
gives each word's sounds), so a clean narration is heard almost word for word, while a scene that plays
another scene's speech, garbled speech or none is heard as other words or none. Measured on two
demo-length videos (benchmarks/ear.py): 4-8 % word error on the clean ones, 95-106 % in a swapped scene.
The general model that ships beside it hears 20-90 % wrong on the same clean scenes: too noisy to judge by.
English only (the wheel's one model). About 0.03 s of CPU per second of audio.
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from framecast.media import align
from framecast.media.align import FRAME, RATE, known_word, pcm16k, spoken_tokens

LANGUAGES = ("en",)  # the languages the shipped model hears


@dataclass(frozen=True)
class Heard:
    """One recognised word and when it was said, in seconds of the whole mix."""

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class HeardScene:
    """What was heard in one scene's window, and how far its speech stands over the floor of the mix there."""

    words: list[Heard]
    # dB between the loudest 5 % of the 20 ms frames from the scene's first word to its last (the voice's peaks)
    # and their quietest 10 % (the pauses: what plays under the voice), on the finished mix alone. None: under
    # a second of speech.
    speech_over_floor_db: float | None = None


FRAME_SAMPLES = RATE // 50  # 20 ms


def hears(language: str) -> bool:
    """True when the recogniser is installed and knows `language` (a BCP 47 tag such as en-US)."""
    return language.split("-")[0].lower() in LANGUAGES and align.available()


def speech_over_floor(samples: array) -> float | None:
    """dB between the loud and the quiet frames of one window (a narration drowned by its bed has little)."""
    energies = sorted(
        10 * math.log10(max(sum(x * x for x in samples[k : k + FRAME_SAMPLES]) / FRAME_SAMPLES, 1.0))
        for k in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES)
    )
    if len(energies) < 50:
        return None
    return round(energies[int(0.95 * len(energies))] - energies[int(0.10 * len(energies))], 1)


def arpa(sentences: list[list[str]]) -> str:
    """A trigram language model of `sentences` in ARPA text: relative frequencies, fixed back-off weights
    (the model only has to prefer the script's word sequences, not to be a calibrated estimate)."""
    grams: list[Counter] = [Counter(), Counter(), Counter()]
    for sentence in sentences:
        words = ["<s>", *sentence, "</s>"]
        for n in range(3):
            grams[n].update(zip(*(words[k:] for k in range(n + 1))))
    total = sum(grams[0].values())
    lines = ["\\data\\", *(f"ngram {n + 1}={len(g)}" for n, g in enumerate(grams)), ""]
    for n, found in enumerate(grams):
        lines.append(f"\\{n + 1}-grams:")
        for gram, count in sorted(found.items()):
            below = total if n == 0 else grams[n - 1][gram[:-1]]
            prob = math.log10(count / below * (1.0 if n == 0 else 0.7))
            back = {0: " -0.5", 1: " -0.3"}.get(n, "")
            lines.append(f"{prob:.4f} {' '.join(gram)}{back}")
        lines.append("")
    return "\n".join([*lines, "\\end\\", ""])


def transcribe(
    audio: Path, windows: list[tuple[float, float]], script: list[str], ffmpeg_bin: str = "ffmpeg"
) -> list[HeardScene]:
    """What is heard inside each (start, end) window of `audio`, each window decoded as one utterance, by a
    recogniser that expects the words of `script` (the narrations)."""
    pcm = pcm16k(audio, ffmpeg_bin)
    total = len(pcm) // 2
    out: list[HeardScene] = []
    with tempfile.TemporaryDirectory(prefix="framecast-ear-") as tmp:
        # The shipped dictionary (134,000 words) makes a search take 7 s to build; one of the script's own
        # words, pronounced as the shipped one says (or guessed from the spelling), takes milliseconds.
        with align.LOCK:
            lexicon = align.shared_decoder()
            sentences = [
                [t for w in text.split() for t in spoken_tokens(w) if known_word(lexicon, t)] for text in script
            ]
            words = sorted({t for sentence in sentences for t in sentence})
            pronounced = "".join(f"{w} {lexicon.lookup_word(w)}\n" for w in words)
        if not any(sentences):
            return [HeardScene([]) for _ in windows]
        (Path(tmp) / "script.dict").write_text(pronounced, encoding="utf-8")
        (Path(tmp) / "script.arpa").write_text(arpa([s for s in sentences if s]), encoding="utf-8")
        from pocketsphinx import Decoder

        # No second (flat-lexicon) pass: a quarter less time for the same word error rate on narration.
        decoder = Decoder(
            samprate=RATE,
            loglevel="FATAL",
            fwdflat=False,
            dict=str(Path(tmp) / "script.dict"),
            lm=str(Path(tmp) / "script.arpa"),
        )
        for start, end in windows:
            a = max(int(start * RATE), 0)
            b = min(int(end * RATE), total)
            if b - a < RATE // 10:
                out.append(HeardScene([]))
                continue
            decoder.start_utt()
            decoder.process_raw(pcm[2 * a : 2 * b], full_utt=True)
            decoder.end_utt()
            offset = a / RATE
            words = [
                Heard(
                    re.sub(r"\(\d+\)$", "", s.word),
                    round(offset + s.start_frame * FRAME, 3),
                    round(offset + (s.end_frame + 1) * FRAME, 3),
                )
                for s in decoder.seg() or []
                if not s.word.startswith(("<", "[")) and s.word != "</s>"
            ]
            # The floor is measured while the narrator speaks (first word to last): between scenes the ducking
            # lets the bed up, as it should, and that is not the bed the voice competes with.
            if words:
                a, b = max(int(words[0].start * RATE), a), min(int(words[-1].end * RATE), b)
            samples = array("h", pcm[2 * a : 2 * b])
            if sys.byteorder == "big":  # ffmpeg wrote s16le
                samples.byteswap()
            out.append(HeardScene(words, speech_over_floor(samples)))
    return out
