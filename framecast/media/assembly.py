"""The soundtrack as ffmpeg commands: mix, loudness measurement, encode, and its analysis.

Pure functions from a timeline and file paths to argument lists, so the graphs can be tested as
data; `framecast.edit.render` runs them beside the video segments (`framecast.media.render`).
"""

from __future__ import annotations

from pathlib import Path

from framecast.models import Timeline

SAMPLE_RATE = 48000
LIMIT_DBFS = -2.0  # AAC encoding can add a few tenths of a dB of true peak; the gate checks ≤ −1.0


def audio_mix_command(narrations: list[Path], timeline: Timeline, out: Path, *,
                      music: Path | None = None, music_gain_db: float = -16.0,
                      effects: list[tuple[str, str]] = ()) -> list[str]:
    """Narrations placed at their scene times; music looped under them and, with `effects` (chains from
    `framecast.media.sfx`), the transition sounds beside it: the whole bed ducked by the voice."""
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
    if music is None and not effects:
        parts.append(f"{voice},atrim=duration={total}[mix]")
    else:
        bed = [f"[{label}]" for _, label in effects]
        parts += [chain for chain, _ in effects]
        if music is not None:
            fade_out = max(timeline.total - 2.0, 0.0)
            parts.append(f"[{len(narrations)}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,"
                         f"atrim=duration={total},volume={music_gain_db}dB,"
                         f"afade=t=in:d=1.5,afade=t=out:st={fade_out:.3f}:d=2[music]")
            bed.insert(0, "[music]")
        parts += [
            f"{voice}[voice];[voice]asplit=2[voice_mix][voice_key]",
            f"{''.join(bed)}amix=inputs={len(bed)}:normalize=0:duration=longest,"
            f"apad=whole_dur={total},atrim=duration={total}[bed]",
            # Duck the bed (music and transition sounds) by up to ~12 dB while the narrator speaks.
            "[bed][voice_key]sidechaincompress=threshold=0.02:ratio=6:attack=15:release=400[ducked]",
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


def audio_encode_command(mix: Path, out: Path, *, target_lufs: float, measured_lufs: float) -> list[str]:
    """The mix brought to the target loudness and encoded: AAC 48 kHz stereo, 192 kb/s."""
    return ["-i", str(mix), "-af", f"{loudness_filter(target_lufs, measured_lufs)},aresample={SAMPLE_RATE}",
            "-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2",
            "-vn", str(out)]


def audio_analysis_command(audio: Path, *, silence_seconds: float) -> list[str]:
    """Silence and loudness of the encoded audio (decoding AAC only: a fraction of a second per minute)."""
    return ["-i", str(audio), "-af", f"silencedetect=n=-50dB:d={silence_seconds},ebur128=peak=true:framelog=verbose",
            "-f", "null", "-"]
