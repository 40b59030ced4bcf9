"""Deterministic real media for the sandbox: PNG stills, MP4 clips, MP3 speech."""

from __future__ import annotations

import base64
import io
import random
import re
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from framecast.assets import FONT_BOLD
from framecast.media import ffmpeg
from framecast.media.cards import fit_font
from framecast.media.motion import MOVES, animate_command


def png(prompt: str, width: int, height: int, seed: int = 0) -> bytes:
    """A plain card of the prompt's heading on a gradient coloured by the prompt and seed: a real PNG, made here."""
    import hashlib

    digest = hashlib.sha256(f"{seed}:{prompt}".encode()).digest()
    gradient = Image.linear_gradient("L").resize((width, height))
    image = ImageOps.colorize(gradient, tuple(digest[0:3]), tuple(digest[3:6])).convert("RGB")
    draw = ImageDraw.Draw(image)
    # Shapes across the whole frame: a pan over the still must show movement (a bare gradient looks frozen).
    rng = random.Random(digest)
    for _ in range(40):
        x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(height * 0.03, height * 0.15)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    heading = prompt.partition(":")[0].strip()
    font, lines = fit_font(draw, heading, FONT_BOLD, int(width * 0.8), max(int(height * 0.09), 9), 2)
    y = height * 0.38 - font.size * 0.6 * len(lines)
    for line in lines:
        draw.text(((width - draw.textlength(line, font=font)) / 2, y), line, font=font, fill=(255, 255, 255))
        y += font.size * 1.2
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def mp4_from_data_uri(data_uri: str, out: Path, width: int, height: int, duration: float, fps: int = 24) -> Path:
    """A slow pan across the submitted image, like a real image-to-video result (but plainer).

    The provider's work happens on this machine in the sandbox, so it is made cheaply (a moving
    window, ultrafast x264): the pipeline's own render is what runs at full cost.
    """
    _, _, payload = data_uri.partition(",")
    with tempfile.TemporaryDirectory() as tmp:
        still = Path(tmp) / "still.png"
        Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB").save(still)
        ffmpeg.run(
            animate_command(
                still,
                out,
                MOVES["pan-right"],
                width=width,
                height=height,
                fps=fps,
                duration=duration,
                crf=23,
                preset="ultrafast",
            ),
            what="sandbox clip",
        )
    return out


def speech(text: str, fmt: str = "mp3") -> tuple[bytes, float]:
    """Speech for `text` (ffmpeg's flite) as MP3 44.1 kHz 128 kb/s or 24 kHz WAV, and its duration."""
    with tempfile.TemporaryDirectory() as tmp:
        text_file, out = Path(tmp) / "t.txt", Path(tmp) / f"s.{fmt}"
        text_file.write_text(text, encoding="utf-8")
        codec = ["-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"] if fmt == "mp3" else ["-ar", "24000"]
        ffmpeg.run(
            ["-f", "lavfi", "-i", f"flite=textfile='{text_file}':voice=slt", *codec, str(out)], what="sandbox speech"
        )
        return out.read_bytes(), ffmpeg.duration(out)


# ffmpeg output options per codec: every one really encodes (the bytes are in the format asked for).
ENCODERS = {
    "mp3": ["-c:a", "libmp3lame", "-f", "mp3"],
    "wav": ["-c:a", "pcm_s16le", "-f", "wav"],
    "pcm": ["-c:a", "pcm_s16le", "-f", "s16le"],
    "ulaw": ["-c:a", "pcm_mulaw", "-f", "mulaw"],
    "alaw": ["-c:a", "pcm_alaw", "-f", "alaw"],
    "opus": ["-c:a", "libopus", "-f", "ogg"],
    "aac": ["-c:a", "aac", "-f", "adts"],
    "flac": ["-c:a", "flac", "-f", "flac"],
}


def speech_as(text: str, codec: str, rate: int, kbps: int | None = None) -> tuple[bytes, float]:
    """Speech for `text` as mono `codec` (a key of ENCODERS) at `rate` Hz (and `kbps`), and its duration.

    pcm, ulaw and alaw are headerless samples (16-bit little-endian, mu-law, A-law); opus is Ogg Opus.
    """
    with tempfile.TemporaryDirectory() as tmp:
        text_file, wav, out = Path(tmp) / "t.txt", Path(tmp) / "s.wav", Path(tmp) / "s.out"
        text_file.write_text(text, encoding="utf-8")
        ffmpeg.run(
            ["-f", "lavfi", "-i", f"flite=textfile='{text_file}':voice=slt", "-ar", str(rate), "-ac", "1", str(wav)],
            what="sandbox speech",
        )
        _encode(wav, out, codec, rate, kbps)
        return out.read_bytes(), ffmpeg.duration(wav)


def transcode(audio: bytes, codec: str, rate: int, kbps: int | None = None) -> bytes:
    """`audio` (any format ffmpeg reads) as mono `codec` at `rate` Hz, as speech_as encodes."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "a.in", Path(tmp) / "a.out"
        source.write_bytes(audio)
        _encode(source, out, codec, rate, kbps)
        return out.read_bytes()


def _encode(source: Path, out: Path, codec: str, rate: int, kbps: int | None) -> None:
    bitrate = ["-b:a", f"{kbps}k"] if kbps else []
    ffmpeg.run(
        ["-i", str(source), "-ar", str(rate), "-ac", "1", *ENCODERS[codec], *bitrate, str(out)],
        what=f"sandbox audio {codec}",
    )


def duration_of(audio: bytes) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.bin"
        path.write_bytes(audio)
        return ffmpeg.duration(path)


def ambience(seconds: float) -> bytes:
    """A soft generated pad as MP3, standing in for a generated sound effect."""
    from framecast.media.music import music_command

    with tempfile.TemporaryDirectory() as tmp:
        bar, out = Path(tmp) / "bar.wav", Path(tmp) / "a.mp3"
        ffmpeg.run(music_command(bar, seed=1), what="sandbox ambience")
        ffmpeg.run(
            [
                "-stream_loop",
                "-1",
                "-i",
                str(bar),
                "-t",
                f"{seconds:.2f}",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                str(out),
            ],
            what="sandbox ambience mp3",
        )
        return out.read_bytes()


def sound_effect(seconds: float) -> bytes:
    """Band-passed pink noise as MP3, `seconds` long: a generated sound effect, made in milliseconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.mp3"
        ffmpeg.run(
            [
                "-f",
                "lavfi",
                "-i",
                f"anoisesrc=d={seconds:.2f}:c=pink:r=44100:a=0.3:seed=3",
                "-af",
                "highpass=f=300,lowpass=f=5000,afade=t=in:d=0.05",
                "-ac",
                "2",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                str(out),
            ],
            what="sandbox sound effect",
        )
        return out.read_bytes()


def silence(seconds: float) -> bytes:
    """`seconds` of digital silence as MP3 (the "silent" fault of sound generation)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.mp3"
        ffmpeg.run(
            [
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=44100:cl=stereo",
                "-t",
                f"{seconds:.2f}",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                str(out),
            ],
            what="sandbox silence",
        )
        return out.read_bytes()


def bag_of_words_vector(text: str, dims: int = 256) -> list[float]:
    """A deterministic unit vector: texts sharing words point the same way (a stand-in embedding)."""
    import hashlib
    import math
    import re

    vector = [0.0] * dims
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) > 2:
            vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def character_times(text: str, audio: bytes, suffix: str, duration: float) -> tuple[list[float], list[float]]:
    """When each character of `text` is spoken in `audio`, as ElevenLabs' alignment reports it: each word's
    characters across the span the offline aligner finds for it (extra `align`), else spread evenly over the
    whole file. Real alignment, so captions timed from it keep time with the speech the gate hears."""
    from framecast.media import align

    words = list(re.finditer(r"\S+", text))
    step = duration / max(len(text), 1)
    starts, ends = [i * step for i in range(len(text))], [(i + 1) * step for i in range(len(text))]
    if not words or not audio or not align.available():
        return starts, ends
    with tempfile.TemporaryDirectory(prefix="framecast-sandbox-") as tmp:
        path = Path(tmp) / f"speech{suffix}"
        path.write_bytes(audio)
        try:
            spans = align.word_spans(path, text, ffmpeg.tools().ffmpeg)
        except align.AlignmentFailed:
            return starts, ends
    # Each word's characters across its span; the spaces before it from the end of the word before (0 for the
    # first) to its start; any after the last word at that word's end.
    previous_end, previous_char = 0.0, 0
    for found, (a, b) in zip(words, spans):
        for k in range(previous_char, found.start()):
            starts[k], ends[k] = previous_end, max(a, previous_end)
        share = (b - a) / max(found.end() - found.start(), 1)
        for k in range(found.start(), found.end()):
            starts[k], ends[k] = a + share * (k - found.start()), a + share * (k - found.start() + 1)
        previous_end, previous_char = b, found.end()
    for k in range(previous_char, len(text)):
        starts[k] = ends[k] = previous_end
    return [round(x, 3) for x in starts], [round(x, 3) for x in ends]
