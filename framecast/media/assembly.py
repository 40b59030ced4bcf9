"""The soundtrack as ffmpeg commands: mix, loudness measurement, encode, and its analysis.

Pure functions from a timeline and file paths to argument lists, so the graphs can be tested as
data; `framecast.edit.render` runs them beside the video segments (`framecast.media.render`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from framecast.core.models import Timeline
from framecast.media import ffmpeg

SAMPLE_RATE = 48000
LIMIT_DBFS = -2.0  # AAC encoding can add a few tenths of a dB of true peak; the gate checks ≤ −1.0


@dataclass(frozen=True)
class BedSound:
    """A sound file under the voice: where it starts, how long it plays, at which gain, with which fades."""

    path: Path
    start: float
    seconds: float
    gain_db: float
    fade_in: float = 0.0
    fade_out: float = 0.0
    loop: bool = False  # generated shorter than it plays (a 30-s sound-generation limit): looped


def _sound_chain(index: int, sound: BedSound, label: str) -> str:
    fades = [f"afade=t=in:d={sound.fade_in:.3f}"] if sound.fade_in > 0 else []
    if sound.fade_out > 0:
        fades.append(f"afade=t=out:st={max(sound.seconds - sound.fade_out, 0):.3f}:d={sound.fade_out:.3f}")
    return (
        f"[{index}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,atrim=duration={sound.seconds:.3f},"
        f"{','.join([*fades, f'volume={sound.gain_db:.2f}dB'])},adelay={int(round(sound.start * 1000))}:all=1[{label}]"
    )


def audio_mix_command(
    narrations: list[Path],
    timeline: Timeline,
    out: Path,
    *,
    music: Path | None = None,
    music_gain_db: float = -16.0,
    sounds: list[BedSound] = (),
    meter: bool = False,
) -> list[str]:
    """Narrations placed at their scene times; music looped under them and the `sounds` (transitions,
    ambiences) beside it: the whole bed ducked by the voice. With `meter`, the voice and the ducked bed are
    measured (EBU R128 momentary loudness, 10 per second) for `parse_speech_over_bed`."""
    total = f"{timeline.total:.3f}"
    args: list[str] = []
    for path in narrations:  # provider audio: read as its extension says, from a plain file (review M3)
        args += ffmpeg.input_args(path)
    if music is not None:
        args += ["-stream_loop", "-1", *ffmpeg.input_args(music)]
    first_sound = len(narrations) + (music is not None)
    for sound in sounds:
        args += [*(["-stream_loop", "-1"] if sound.loop else []), *ffmpeg.input_args(sound.path)]
    parts = []
    for i, slot in enumerate(timeline.slots):
        delay = int(round(slot.narration_start * 1000))
        parts.append(f"[{i}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,adelay={delay}:all=1[n{i}]")
    labels = "".join(f"[n{i}]" for i in range(len(narrations)))
    voice = (
        f"{labels}amix=inputs={len(narrations)}:normalize=0:dropout_transition=0,"
        # Gentle compression evens out the voice so the final limiter seldom has to act.
        f"acompressor=threshold=0.1:ratio=3:attack=10:release=200,apad=whole_dur={total}"
    )
    meters: list[str] = []
    if music is None and not sounds:
        parts.append(f"{voice},atrim=duration={total}[mix]")
    else:
        bed = [f"[s{k}]" for k in range(len(sounds))]
        parts += [_sound_chain(first_sound + k, sound, f"s{k}") for k, sound in enumerate(sounds)]
        if music is not None:
            fade_out = max(timeline.total - 2.0, 0.0)
            parts.append(
                f"[{len(narrations)}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,"
                f"atrim=duration={total},volume={music_gain_db}dB,"
                f"afade=t=in:d=1.5,afade=t=out:st={fade_out:.3f}:d=2[music]"
            )
            bed.insert(0, "[music]")
        split = "asplit=3[voice_mix][voice_key][voice_meter]" if meter else "asplit=2[voice_mix][voice_key]"
        parts += [
            f"{voice}[voice];[voice]{split}",
            f"{''.join(bed)}amix=inputs={len(bed)}:normalize=0:duration=longest,"
            f"apad=whole_dur={total},atrim=duration={total}[bed]",
            # Duck the bed (music and sounds) by up to ~12 dB while the narrator speaks.
            "[bed][voice_key]sidechaincompress=threshold=0.02:ratio=6:attack=15:release=400"
            + (",asplit=2[ducked][bed_meter]" if meter else "[ducked]"),
            f"[voice_mix][ducked]amix=inputs=2:normalize=0:duration=first,atrim=duration={total}[mix]",
        ]
        if meter:
            parts += [
                "[voice_meter]ebur128@speech=framelog=info[speech_out]",
                "[bed_meter]ebur128@bed=framelog=info[bed_out]",
            ]
            meters = ["-map", "[speech_out]", "-f", "null", "-", "-map", "[bed_out]", "-f", "null", "-"]
    return [
        *args,
        "-filter_complex",
        ";".join(parts),
        "-map",
        "[mix]",
        "-c:a",
        "pcm_f32le",
        "-ar",
        str(SAMPLE_RATE),
        str(out),
        *meters,
    ]


SPEAKING_BELOW_TYPICAL = 8.0  # LU: a tenth of a second this far under the voice's typical level is a line's edge
HEARD_LUFS = -70.0


def parse_speech_over_bed(stderr: str) -> float | None:
    """How far the bed stays under the voice while it speaks: the 10th percentile of (voice − bed) momentary
    loudness over the tenths of a second the voice is speaking, in LU; None when nothing was measured.

    Speaking means within SPEAKING_BELOW_TYPICAL of the voice's median level: the 400 ms momentary window
    makes the first and last tenths of every line quiet while the ducking is still catching up, and those
    edges are not where words are lost (measured: counting them, a plain −9 LUFS music file at −16 dB
    read as 1.7 LU "under" 2-second lines).
    """

    def levels(name: str) -> list[float]:
        found = re.findall(rf"\[ebur128@{name} @ [^\]]+\] t: [\d.]+\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+|-inf)", stderr)
        return [-200.0 if v == "-inf" else float(v) for v in found]

    speech, bed = levels("speech"), levels("bed")
    heard = sorted(v for v in speech if v > HEARD_LUFS)
    if not heard:
        return None
    speaking = heard[len(heard) // 2] - SPEAKING_BELOW_TYPICAL
    gaps = sorted(v - b for v, b in zip(speech, bed) if v >= speaking)
    return round(min(gaps[len(gaps) // 10], 99.0), 1)


def voice_loudness_command(narrations: list[Path]) -> list[str]:
    """Integrated loudness of the narrations one after another (what the sounds' levels are set against)."""
    args: list[str] = []
    for path in narrations:
        args += ffmpeg.input_args(path)
    # Stereo, as the voice is in the mix (EBU R128 sums the channels: mono would read 3 LU low).
    heads = "".join(
        f"[{i}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo[v{i}];" for i in range(len(narrations))
    )
    joined = "".join(f"[v{i}]" for i in range(len(narrations)))
    return [
        *args,
        "-filter_complex",
        f"{heads}{joined}concat=n={len(narrations)}:v=0:a=1,ebur128[out]",
        "-map",
        "[out]",
        "-f",
        "null",
        "-",
    ]


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


def audio_encode_command(mix: Path, out: Path, *, target_lufs: float, measured_lufs: float) -> list[str]:
    """The mix brought to the target loudness and encoded: AAC 48 kHz stereo, 192 kb/s."""
    return [
        "-i",
        str(mix),
        "-af",
        f"{loudness_filter(target_lufs, measured_lufs)},aresample={SAMPLE_RATE}",
        "-c:a",
        "aac",
        "-aac_coder",
        "fast",
        "-b:a",
        "192k",
        "-ar",
        str(SAMPLE_RATE),
        "-ac",
        "2",
        "-vn",
        str(out),
    ]


def audio_analysis_command(audio: Path, *, silence_seconds: float) -> list[str]:
    """Silence and loudness of the encoded audio (decoding AAC only: a fraction of a second per minute)."""
    return [
        "-i",
        str(audio),
        "-af",
        f"silencedetect=n=-50dB:d={silence_seconds},ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]
