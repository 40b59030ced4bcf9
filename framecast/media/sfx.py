"""Transition sounds made by ffmpeg: a whoosh under a fade, a soft swell under a dissolve, nothing on a cut.

Pure builders, like the rest of `framecast.media`: from the timeline to the filter chains that make
each sound and place it, centred on the middle of its transition. Everything is synthesised (pink
noise shaped by band-pass filters and an envelope; two sine tones a fifth apart), so it works
offline and costs a few milliseconds of CPU per sound. The sounds join the music bed, so the
narration ducks them like the music (framecast.media.assembly).
"""

from __future__ import annotations

from framecast.models import Timeline, Transition

SAMPLE_RATE = 48000


def transition_cues(timeline: Timeline) -> list[tuple[float, Transition, float]]:
    """(start, kind, seconds) of each transition's sound: centred on the overlap of the two scenes."""
    cues = []
    for slot, nxt in zip(timeline.slots, timeline.slots[1:]):
        if slot.transition_out == Transition.cut or slot.transition_seconds <= 0:
            continue  # a cut is silent by default: a sound on every cut is noise, not design
        seconds = round(max(slot.transition_seconds + 0.6, 1.0), 3)
        middle = nxt.start + slot.transition_seconds / 2
        cues.append((round(max(0.0, middle - seconds / 2), 3), slot.transition_out, seconds))
    return cues


def sound_chain(kind: Transition, seconds: float, start: float, gain_db: float, label: str, seed: int = 0) -> str:
    """One filter chain (source to `[label]`) that makes the sound and delays it to `start`."""
    rise, fall = seconds * 0.55, seconds * 0.45
    place = (f"volume={gain_db:.1f}dB,aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo,"
             f"adelay={int(round(start * 1000))}:all=1[{label}]")
    if kind == Transition.dissolve:
        # A swell: two soft tones a fifth apart, rising and falling with the dissolve.
        return (f"sine=f=196:d={seconds:.3f}:r={SAMPLE_RATE},volume=0.5[{label}a];"
                f"sine=f=294:d={seconds:.3f}:r={SAMPLE_RATE},volume=0.35[{label}b];"
                f"[{label}a][{label}b]amix=inputs=2:normalize=0,lowpass=f=1200,"
                f"afade=t=in:d={rise:.3f}:curve=qsin,afade=t=out:st={rise:.3f}:d={fall:.3f}:curve=qsin,{place}")
    # A whoosh: pink noise through a band that opens as it rises, then closes.
    return (f"anoisesrc=d={seconds:.3f}:c=pink:r={SAMPLE_RATE}:a=0.5:seed={seed},highpass=f=350,lowpass=f=4500,"
            f"afade=t=in:d={rise:.3f}:curve=exp,afade=t=out:st={rise:.3f}:d={fall:.3f}:curve=exp,{place}")


def transition_chains(timeline: Timeline, gain_db: float) -> list[tuple[str, str]]:
    """(chain, label) for every transition's sound, in order."""
    return [(sound_chain(kind, seconds, start, gain_db, f"fx{i}", seed=i), f"fx{i}")
            for i, (start, kind, seconds) in enumerate(transition_cues(timeline))]
