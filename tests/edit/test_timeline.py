from framecast.core.models import Scene, Transition
from framecast.edit.timeline import LEAD_IN, TAIL, plan_timeline


def scenes(*specs):
    return [Scene(narration="words", visual_prompt="p", duration=d, transition=t) for d, t in specs]


def test_scene_is_lengthened_to_fit_its_narration_and_transition():
    tl = plan_timeline(scenes((4, Transition.fade), (4, Transition.cut)), [6.0, 1.0], fps=25)
    first = tl.slots[0]
    assert first.duration >= LEAD_IN + 6.0 + TAIL + first.transition_seconds
    assert tl.slots[1].duration == 4.0  # planned length already fits


def test_scenes_overlap_by_exactly_the_transition_and_narrations_never_overlap():
    specs = [(5, Transition.fade), (5, Transition.dissolve), (5, Transition.cut), (5, Transition.fade)]
    voices = [4.0, 4.5, 3.0, 4.2]
    tl = plan_timeline(scenes(*specs), voices, fps=30)
    for prev, nxt, voice in zip(tl.slots, tl.slots[1:], voices):
        assert abs(nxt.start - (prev.start + prev.duration - prev.transition_seconds)) < 1e-6
        assert prev.narration_start + voice <= nxt.narration_start
    assert tl.slots[2].transition_seconds == 0
    assert tl.slots[-1].transition_seconds == 0  # the last scene has nothing to transition into
    assert abs(tl.total - (tl.slots[-1].start + tl.slots[-1].duration)) < 1e-6


def test_durations_are_whole_frames():
    tl = plan_timeline(scenes((4, Transition.fade), (4, Transition.fade)), [4.01, 3.33], fps=24)
    for slot in tl.slots:
        assert abs(slot.duration * 24 - round(slot.duration * 24)) < 1e-6
