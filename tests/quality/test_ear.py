"""The gate's ear on a real narrated video and on deliberately broken copies of its mix (real ffmpeg, PocketSphinx).

The clean video must pass; music as loud as the voice, two scenes' narrations swapped, and captions 0.5 s late
must each fail, naming the scene. The render is framecast's own (tests/quality/ear_mixes.py); only the breakage
is done with ffmpeg here.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framecast import context as runtime
from framecast.edit.captions import Cue, to_ass
from framecast.media import align
from framecast.media.listen import Heard, HeardScene, arpa, speech_over_floor
from framecast.quality import ear
from tests.quality import ear_mixes

pytestmark = pytest.mark.skipif(not align.available(), reason="the ear needs the `align` extra (make setup has it)")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One short narrated video (4 scenes at the demo's pace, 320x180), made once for this module."""
    import os

    from framecast.settings import reset_settings

    os.environ["FRAMECAST_DATA_DIR"] = str(tmp_path_factory.mktemp("ear") / "out")
    reset_settings()
    try:
        yield ear_mixes.make(runtime.services(), "How volcanoes work", (4, 4), 30, speed=1.05)
    finally:
        os.environ.pop("FRAMECAST_DATA_DIR", None)
        reset_settings()


def failed(report, name: str) -> list:
    return [c for c in report.checks if c.name == name and not c.passed]


def test_the_clean_video_is_heard_as_written_and_passes(made):
    report = ear_mixes.judge(made)
    assert report.passed, report.summary()
    assert {"speech-heard", "caption-timing", "speech-over-floor"} <= {c.name for c in report.checks}
    assert report.measurements["heard_word_error_rate"] < 0.25
    assert abs(report.measurements["caption_offset_seconds"]) < 0.15


def test_swapped_narrations_fail_both_scenes_by_name(made):
    report = ear_mixes.judge(made, ear_mixes.swapped(made, 1, 2))
    assert not report.passed
    assert {c.scene_index for c in failed(report, "speech-heard")} == {1, 2}
    assert "scene 2:" in failed(report, "speech-heard")[0].detail


def test_captions_half_a_second_late_fail_the_timing_check(made):
    report = ear_mixes.judge(made, captions=ear_mixes.shifted_captions(made, 0.5))
    late = failed(report, "caption-timing")
    assert late and all("after the words are spoken" in c.detail for c in late)
    assert 0.35 < report.measurements["caption_offset_seconds"] < 0.65
    assert not failed(report, "speech-heard")  # the words are still the script's


def test_music_as_loud_as_the_voice_fails_though_the_loudness_is_on_target(made):
    report = ear_mixes.judge(made, ear_mixes.music_as_loud(made))
    assert not failed(report, "loudness")
    assert failed(report, "speech-over-floor")
    assert report.measurements["speech_over_floor_db"] < 23


def test_a_channel_that_does_not_listen_gets_no_ear_checks(made):
    report = ear_mixes.judge(made, ear_mixes.swapped(made, 1, 2), listen=False)
    assert not {"speech-heard", "caption-timing", "speech-over-floor"} & {c.name for c in report.checks}


def test_word_error_rate_counts_edits_against_the_reference():
    assert ear.word_error_rate(["a", "b", "c", "d"], ["a", "x", "c"]) == 0.5
    assert ear.word_error_rate([], []) == 0.0 and ear.word_error_rate([], ["a"]) == 1.0
    assert ear.tokens("It's 1,200 well-known feet.") == [
        "it's",
        "one",
        "thousand",
        "two",
        "hundred",
        "well",
        "known",
        "feet",
    ]


def test_caption_offsets_use_first_words_matched_in_order():
    heard = [Heard(w, 1.0 + i, 1.4 + i) for i, w in enumerate("the sky is blue the sea is green".split())]
    cues = [(1.2, 3.0, "The sky is blue."), (5.3, 8.0, "The sea is green.")]
    assert ear.caption_offsets(heard, cues) == [(1.2, 0.2), (5.3, 0.3)]
    windows = [(0.0, 4.5), (4.5, 9.0)]
    checks, lag = ear.caption_checks([(1.0, 0.05), (2.0, 0.02), (5.0, 0.6), (6.0, 0.7)], windows, 0.25)
    assert [c.scene_index for c in checks if not c.passed] == [1] and "median of 2 cue(s)" in checks[0].detail
    # One cue alone a little off, the video on time: no failure; the whole video late: every scene fails.
    checks, lag = ear.caption_checks([(1.0, 0.0), (2.0, 0.1), (5.0, 0.6)], windows, 0.25)
    assert all(c.passed for c in checks) and lag == 0.1
    checks, lag = ear.caption_checks([(1.0, 0.5), (2.0, 0.55), (5.0, 0.6)], windows, 0.25)
    assert [c.scene_index for c in checks] == [0, 1] and lag == 0.55


def test_the_floor_check_names_the_drowned_scene():
    scenes = [HeardScene([Heard("a", 0, 1)], 40.0), HeardScene([Heard("b", 2, 3)], 27.5), HeardScene([], None)]
    checks, least = ear.floor_checks(scenes, 32.0)
    assert [c.scene_index for c in checks] == [1] and least == 27.5 and "27.5 dB" in checks[0].detail


def test_the_floor_is_measured_between_loud_and_quiet_frames():
    from array import array

    quiet, loud = [10] * 320 * 90, [3000] * 320 * 10
    assert speech_over_floor(array("h", quiet + loud)) == round(20 * math.log10(300), 1)
    assert speech_over_floor(array("h", [5] * 320 * 10)) is None  # under a second: not judged


@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=5))
def test_every_burned_cue_is_read_back_from_the_ass_script(lines):
    # Each line has a visible word (a cue with nothing to show is not written at all), then anything.
    cues = [Cue(start=i * 2.0, end=i * 2.0 + 1.5, lines=(f"Word {line}",)) for i, line in enumerate(lines)]
    read = ear.ass_cues(to_ass(cues, width=320, height=180, font="DejaVu Sans", font_scale=0.08))
    assert [(a, b) for a, b, _ in read] == [(c.start, c.end) for c in cues]


@given(st.lists(st.lists(st.sampled_from(["sky", "blue", "sea", "it's"]), max_size=6), max_size=4))
def test_the_script_language_model_counts_every_gram(sentences):
    text = arpa(sentences)
    declared = [int(line.split("=")[1]) for line in text.splitlines() if line.startswith("ngram ")]
    sections = text.split("\\end\\")[0].split("-grams:")[1:]
    assert declared == [len([x for x in s.strip().splitlines() if x and not x.startswith("\\")]) for s in sections]
