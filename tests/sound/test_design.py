"""Where the sounds go, as data: one per transition kind with a level, one ambience per scene, shared requests."""

from pathlib import Path

from framecast.core.models import ArtifactRef, Scene, SoundAsset, Transition
from framecast.edit.timeline import plan_timeline
from framecast.sound.config import SoundConfig, TransitionLevels
from framecast.sound.design import ambience_cues, bed_sounds, plan_cues, requests, transition_cues


def timeline(*transitions, ambience=""):
    scenes = [
        Scene(
            narration="n",
            visual_prompt=f"Scene {i}: a volcano; flat style",
            duration=4,
            transition=t,
            ambience=ambience,
        )
        for i, t in enumerate(transitions)
    ]
    return plan_timeline(scenes, [2.0] * len(scenes), 30), scenes


def test_fades_and_dissolves_get_a_sound_peaking_in_the_quiet_as_the_picture_changes_and_cuts_none():
    tl, _ = timeline(Transition.fade, Transition.cut, Transition.dissolve, Transition.fade)
    cues = transition_cues(tl, SoundConfig())
    assert [c.scene_index for c in cues] == [0, 2]  # the last scene ends the video: no transition after it
    cfg = SoundConfig()
    assert [c.prompt for c in cues] == [cfg.transition_prompts.fade, cfg.transition_prompts.dissolve]
    for cue, (slot, nxt) in zip(cues, [(tl.slots[0], tl.slots[1]), (tl.slots[2], tl.slots[3])]):
        peak = cue.start + 0.55 * cue.seconds
        assert nxt.start <= peak < nxt.narration_start  # after the last words, before the next line
        assert cue.start >= nxt.start - 0.6  # it rises in the breath after the last words, not under them
        assert cue.gain_db == -12.0


def test_levels_are_per_kind_a_cut_can_be_turned_on_and_a_fade_off():
    tl, _ = timeline(Transition.fade, Transition.cut, Transition.fade)
    cues = transition_cues(tl, SoundConfig(transitions=TransitionLevels(fade=None, cut=-12)))
    assert [(c.scene_index, c.gain_db) for c in cues] == [(1, -12)]
    assert abs(cues[0].start - tl.slots[2].start) < 0.1  # the impact lands on the cut


def test_ambience_spans_every_scene_crossfading_over_each_transition():
    tl, scenes = timeline(Transition.fade, Transition.cut, Transition.fade, ambience="")
    assert ambience_cues(tl, scenes, SoundConfig()) == []  # off unless asked for
    cues = ambience_cues(tl, scenes, SoundConfig(ambience=True, ambience_gain_db=-25))
    assert [c.scene_index for c in cues] == [0, 1, 2]
    for cue, slot in zip(cues, tl.slots):
        assert cue.start == slot.start and slot.duration <= cue.seconds < slot.duration + 0.1
        assert cue.prompt.startswith(f"Scene {slot.index}: a volcano;") and "flat style" not in cue.prompt
    assert cues[0].fade_out == tl.slots[0].transition_seconds == cues[1].fade_in  # a crossfade over the fade
    assert cues[1].fade_out == cues[2].fade_in < 0.2  # a quick change at the cut, without a click


def test_the_scene_s_own_ambience_words_come_before_its_picture():
    tl, scenes = timeline(Transition.fade, Transition.fade, ambience="lava hissing, distant rumble")
    assert all(
        c.prompt.startswith("lava hissing, distant rumble;")
        for c in ambience_cues(tl, scenes, SoundConfig(ambience=True))
    )


def test_one_request_per_prompt_length_and_kind_however_often_it_plays():
    tl, scenes = timeline(*[Transition.fade] * 5, Transition.dissolve, Transition.fade)
    cues = plan_cues(tl, scenes, SoundConfig())
    assert len(cues) == 6  # five fades and a dissolve between seven scenes
    assert len(requests(cues)) == 2


def test_bed_levels_are_set_against_the_voice_and_a_short_sound_is_looped():
    tl, scenes = timeline(Transition.fade, Transition.fade, ambience="wind")
    cue = ambience_cues(tl, scenes, SoundConfig(ambience=True, ambience_gain_db=-20))[0]
    ref = ArtifactRef(uri="file:///x", sha256="0" * 64, size=1, media_type="audio/flac")
    loud = SoundAsset(ref=ref, prompt=cue.prompt, seconds=cue.seconds, loudness_lufs=-12.0)
    short = loud.model_copy(update={"seconds": cue.seconds / 3, "loudness_lufs": -30.0})
    (a,), (b,) = (bed_sounds([(cue, x)], lambda r: Path("/x"), voice_lufs=-18.0, total=tl.total) for x in (loud, short))
    assert a.gain_db == -20 + (-18.0 - -12.0) and not a.loop  # 20 LU under a voice at -18: brought down 6 dB more
    assert b.gain_db == -20 + (-18.0 - -30.0) and b.loop
