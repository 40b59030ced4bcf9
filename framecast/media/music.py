"""A generated ambient music bed, for channels without a music file of their own."""

from __future__ import annotations

import random
from pathlib import Path

# Four-chord progressions (Hz); a soft pad that never competes with the voice.
PROGRESSIONS = [
    [(220.0, 261.63, 329.63), (174.61, 220.0, 261.63), (261.63, 329.63, 392.0), (196.0, 246.94, 293.66)],
    [(196.0, 246.94, 293.66), (164.81, 196.0, 246.94), (130.81, 164.81, 196.0), (146.83, 185.0, 220.0)],
    [(146.83, 174.61, 220.0), (116.54, 146.83, 174.61), (130.81, 164.81, 196.0), (110.0, 138.59, 164.81)],
]
CHORD_SECONDS = 4


def pad_expression(chords: list[tuple[float, ...]], detune: float) -> str:
    """aevalsrc expression: each chord swells in and out over its bar."""
    bar = CHORD_SECONDS * len(chords)
    terms = []
    for c, notes in enumerate(chords):
        gate = f"between(mod(t,{bar}),{c * CHORD_SECONDS},{(c + 1) * CHORD_SECONDS})"
        tones = "+".join(f"sin(2*PI*{f * detune:.3f}*t)" for f in notes)
        terms.append(f"{gate}*({tones})")
    swell = f"pow(sin(PI*mod(t,{CHORD_SECONDS})/{CHORD_SECONDS}),2)"
    return f"0.12*({'+'.join(terms)})*{swell}"


def music_command(out: Path, seed: int) -> list[str]:
    """ffmpeg arguments that write one bar of the pad as a stereo WAV.

    aevalsrc evaluates per sample (~0.2 s of CPU per second of audio), so only one bar is
    rendered; the chords fade to silence at the bar's edges, and the mix loops it seamlessly.
    """
    chords = random.Random(seed).choice(PROGRESSIONS)
    left, right = pad_expression(chords, 1.0), pad_expression(chords, 1.003)
    return [
        "-f",
        "lavfi",
        "-i",
        f"aevalsrc=exprs='{left}|{right}':s=48000:d={CHORD_SECONDS * len(chords)}",
        "-af",
        "lowpass=f=1600,aecho=0.8:0.6:90|170:0.25|0.15",
        "-c:a",
        "pcm_s16le",
        str(out),
    ]
