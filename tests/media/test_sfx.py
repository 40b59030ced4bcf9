"""Transition sounds: where they go (as data), and that they are heard but never over the voice (real ffmpeg)."""

import math
import re
from pathlib import Path

from framecast.media import ffmpeg
from framecast.media.assembly import audio_mix_command
from framecast.media.sfx import transition_chains, transition_cues
from framecast.models import Scene, Transition
from framecast.timeline import plan_timeline


def timeline(*transitions):
    scenes = [Scene(narration="n", visual_prompt="p", duration=4, transition=t) for t in transitions]
    return plan_timeline(scenes, [2.0] * len(scenes), 30)


def test_each_fade_and_dissolve_gets_its_sound_centred_on_the_overlap_and_a_cut_none():
    tl = timeline(Transition.fade, Transition.cut, Transition.dissolve, Transition.fade)
    cues = transition_cues(tl)
    assert [kind for _, kind, _ in cues] == [Transition.fade, Transition.dissolve]  # the last scene ends on a cut
    for (start, _, seconds), (slot, nxt) in zip(cues, [(tl.slots[0], tl.slots[1]), (tl.slots[2], tl.slots[3])]):
        assert math.isclose(start + seconds / 2, nxt.start + slot.transition_seconds / 2, abs_tol=1e-3)
    chains = transition_chains(tl, -20)
    assert "anoisesrc" in chains[0][0] and "sine=f=196" in chains[1][0] and all("volume=-20.0dB" in c for c, _ in chains)


def rms_db(path: Path, start: float, seconds: float) -> float:
    proc = ffmpeg.run(["-ss", f"{start}", "-t", f"{seconds}", "-i", str(path), "-af", "astats=measure_overall=RMS_level",
                       "-f", "null", "-"], what="measuring")
    levels = [float(v) for v in re.findall(r"RMS level dB: (-?[\d.]+|-inf)", proc.stderr) if v != "-inf"]
    return max(levels) if levels else -120.0


def test_transition_sounds_are_heard_at_the_transition_and_stay_far_under_the_voice(tmp_path):
    tl = timeline(Transition.fade, Transition.dissolve, Transition.cut)
    voices = []
    for i in range(3):
        voice = tmp_path / f"v{i}.wav"
        ffmpeg.run(["-f", "lavfi", "-i", "flite=text='Lava cools into new rock, layer upon layer.':voice=slt",
                    "-t", "2", str(voice)], what="speech")
        voices.append(voice)
    plain, scored = tmp_path / "plain.wav", tmp_path / "scored.wav"
    ffmpeg.run(audio_mix_command(voices, tl, plain), what="mix")
    ffmpeg.run(audio_mix_command(voices, tl, scored, effects=transition_chains(tl, -20)), what="mix with sounds")
    start, _, _ = transition_cues(tl)[0]
    gap = tl.slots[1].narration_start - start  # the sound's first part, before the next scene's narration
    heard = rms_db(scored, start, gap)
    assert heard > rms_db(plain, start, gap) + 10  # the transition is audible where there was near silence
    speech = rms_db(scored, tl.slots[0].narration_start + 0.3, 1.2)
    assert speech - heard >= 6  # the narration stays well above the sounds
    assert abs(speech - rms_db(plain, tl.slots[0].narration_start + 0.3, 1.2)) < 1.0  # and sounds the same
