"""Word timing for speech whose words are known: forced alignment, offline, with no cloud service.

PocketSphinx (BSD) ships its US-English acoustic model and CMU dictionary inside its PyPI wheel,
so nothing is downloaded at run time (extra `align`). Given the audio and the narration, it finds
where each word is spoken, 10 ms frames. Written words are normalised to what is said ("1,200" →
"one thousand two hundred", "well-known" → "well known"); a word the dictionary lacks (a name) is
added with phones guessed from its spelling, so its audio is not given to its neighbours; a word
with nothing to say ("—") is placed between its neighbours by length. It replaces whisper-1's word
timestamps (whisper-1 shuts down 2027-02-26; its successor has none) for OpenAI speech and any
recording without timing. English only: other languages keep the engine's own or even timing.
"""

from __future__ import annotations

import re
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from framecast.core.errors import MediaError
from framecast.core.models import WordTiming

LOCK = threading.Lock()  # the one decoder of a process is used by one thread at a time
RATE = 16000
FRAME = 0.01  # seconds per PocketSphinx frame
ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split()
)
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


class AlignmentFailed(MediaError):
    """The aligner found no path through the audio for this text (the caller falls back to even timing)."""


def available() -> bool:
    """True when the aligner's package (and so its model) is installed."""
    try:
        import pocketsphinx  # noqa: F401  (installed: the model is in its wheel)
    except ImportError:
        return False
    return True


def number_words(n: int) -> list[str]:
    """How an integer is read aloud in English, e.g. 1200 → one thousand two hundred."""
    if n < 20:
        return [ONES[n]]
    if n < 100:
        return [TENS[n // 10]] + (number_words(n % 10) if n % 10 else [])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            rest = n % size
            return number_words(n // size) + [name] + (number_words(rest) if rest else [])
    return [str(n)]


def spoken_tokens(word: str) -> list[str]:
    """The dictionary words one written word is spoken as."""
    word = word.lower().replace("’", "'")
    tokens = []
    for part in re.split(r"[-–—/]", word):
        digits = re.sub(r"[,_]", "", part)
        if re.fullmatch(r"\d{1,12}(\.\d+)?%?", digits.strip(".,;:!?\"'()")):
            number = digits.strip(".,;:!?\"'()%")
            whole, _, fraction = number.partition(".")
            tokens += number_words(int(whole))
            if fraction:
                tokens += ["point"] + [ONES[int(d)] for d in fraction]
            if digits.rstrip(".,;:!?\"')").endswith("%"):
                tokens.append("percent")
            continue
        cleaned = re.sub(r"[^a-z0-9']", "", part).strip("'")
        if cleaned:
            tokens.append(cleaned)
    return tokens


@lru_cache(maxsize=1)
def shared_decoder():
    """The process's aligning decoder with the shipped dictionary (hold LOCK while using it)."""
    from pocketsphinx import Decoder

    return Decoder(samprate=RATE, loglevel="FATAL")


# A rough spelling-to-sound guess for words the dictionary lacks (names, coinages): its only job is to give
# the word about the right number of phones, so the alignment spends the word's audio on it, not on its
# neighbours. Digraphs first, then single letters; doubled letters are one sound.
DIGRAPHS = {
    "th": "TH",
    "sh": "SH",
    "ch": "CH",
    "ph": "F",
    "ck": "K",
    "ng": "NG",
    "qu": "K W",
    "ee": "IY",
    "ea": "IY",
    "oo": "UW",
    "ou": "AW",
    "ai": "EY",
    "ay": "EY",
    "au": "AO",
    "oa": "OW",
    "oi": "OY",
}
LETTERS = {
    "a": "AE",
    "b": "B",
    "c": "K",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "x": "K S",
    "y": "IY",
    "z": "Z",
    "'": "",
}


def guess_phones(word: str) -> str:
    """CMU phones for a word by its spelling (rough), e.g. kilauea's → K IH L AE UW EH AE Z."""
    word = re.sub(r"(.)\1", r"\1", word.lower().replace("'s", "z"))
    phones, i = [], 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in DIGRAPHS:
            phones.append(DIGRAPHS[pair])
            i += 2
            continue
        phones.append(LETTERS.get(word[i], ""))
        i += 1
    return " ".join(p for p in phones if p)


def known_word(decoder, token: str) -> bool:
    """True once `token` is in the dictionary (a word it lacks is added with guessed phones)."""
    if decoder.lookup_word(token):
        return True
    phones = guess_phones(token)
    if not phones:
        return False
    decoder.add_word(token, phones, True)
    return bool(decoder.lookup_word(token))


def pcm16k(audio: Path, ffmpeg_bin: str) -> bytes:
    """`audio` as 16 kHz mono 16-bit PCM, the models' input (decoded by ffmpeg)."""
    done = subprocess.run(
        [ffmpeg_bin, "-v", "error", "-i", str(audio), "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise MediaError(f"aligning {audio.name}: ffmpeg could not decode it: {done.stderr.decode()[-300:]}")
    return done.stdout


def word_spans(audio: Path, text: str, ffmpeg_bin: str = "ffmpeg") -> list[tuple[float, float]]:
    """One (start, end) in seconds per written word of `text` (`text.split()`), where it is spoken in `audio`."""
    words = text.split()
    pcm = pcm16k(audio, ffmpeg_bin)
    with LOCK:  # one decoder per process (its model loads once); scenes' narrations align in turn
        return _align(audio, words, pcm)


def _align(audio: Path, words: list[str], pcm: bytes) -> list[tuple[float, float]]:
    decoder = shared_decoder()
    tokens = [[t for t in spoken_tokens(w) if known_word(decoder, t)] for w in words]
    flat = [t for ts in tokens for t in ts]
    if not flat:
        raise AlignmentFailed(f"aligning {audio.name}: no word of the narration can be aligned")
    try:
        decoder.set_align_text(" ".join(flat))
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        found = [
            (re.sub(r"\(\d+\)$", "", s.word), s.start_frame * FRAME, (s.end_frame + 1) * FRAME)
            for s in (decoder.seg() or [])
            if not s.word.startswith("<") and s.word not in ("</s>", "[NOISE]")
        ]
    except RuntimeError as exc:
        raise AlignmentFailed(f"aligning {audio.name}: {exc}") from exc
    if [w for w, _, _ in found] != flat:
        raise AlignmentFailed(f"aligning {audio.name}: the aligner matched {len(found)} of {len(flat)} words")
    spans: list[tuple[float, float] | None] = []
    cursor = 0
    for ts in tokens:
        if ts:
            spans.append((found[cursor][1], found[cursor + len(ts) - 1][2]))
            cursor += len(ts)
        else:
            spans.append(None)
    return _fill_gaps(words, spans, len(pcm) / 2 / RATE)


def _fill_gaps(words: list[str], spans: list[tuple[float, float] | None], duration: float) -> list[tuple[float, float]]:
    """Words the aligner could not place go between their neighbours, shared by length."""
    out = list(spans)
    i = 0
    while i < len(out):
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j] is None:
            j += 1
        start = out[i - 1][1] if i > 0 else 0.0
        end = out[j][0] if j < len(out) else duration
        weights = [len(w) + 1 for w in words[i:j]]
        total, acc = sum(weights), 0
        for k, weight in zip(range(i, j), weights):
            a = start + (end - start) * acc / total
            acc += weight
            out[k] = (a, start + (end - start) * acc / total)
        i = j
    return [(round(s, 3), round(e, 3)) for s, e in out]


def align_words(text_words: list[str], spans: list[tuple[float, float]]) -> list[WordTiming]:
    """Give each written word a time span, from the spoken word spans the engine reported.

    Equal counts map one to one. Otherwise (numbers and abbreviations expand when spoken) the
    written words are spread over the speech in proportion to their length.
    """
    if not text_words:
        return []
    if len(text_words) == len(spans):
        return [WordTiming(word=w, start=round(s, 3), end=round(e, 3)) for w, (s, e) in zip(text_words, spans)]
    if not spans:
        return []
    spoken = sum(e - s for s, e in spans)
    weights = [len(w) + 1 for w in text_words]
    total = sum(weights)

    def at(fraction: float) -> float:
        remaining = fraction * spoken
        for s, e in spans:
            if remaining <= e - s:
                return s + remaining
            remaining -= e - s
        return spans[-1][1]

    out, acc = [], 0
    for word, weight in zip(text_words, weights):
        start, acc = at(acc / total), acc + weight
        out.append(WordTiming(word=word, start=round(start, 3), end=round(at(acc / total), 3)))
    return out


def even_words(text: str, duration: float, lead: float = 0.1) -> list[WordTiming]:
    """Word timing by length across the whole file, for engines that report none."""
    words = text.split()
    return align_words(words, [(lead, max(duration - lead, lead + 0.1))]) if words else []


def timed_words(audio: Path, text: str, duration: float):
    """Word timing for `text` spoken in `audio`: aligned, or spread by length when the aligner finds no path."""
    import logging

    from framecast.media import ffmpeg

    try:
        return align_words(text.split(), word_spans(audio, text, ffmpeg.tools().ffmpeg))
    except AlignmentFailed as exc:
        logging.getLogger(__name__).warning("%s; the words are spread over the speech by length", exc)
        return even_words(text, duration)
