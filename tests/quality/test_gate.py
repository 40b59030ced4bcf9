from framecast.quality.gate import explicit_checks, label_checks, shot_checks, speech_check, wer

STARTS = (0.0, 5.0, 10.0)


def test_wer():
    assert wer("the cat sat", "the cat sat") == 0
    assert wer("the cat sat", "the bat sat down") == 2 / 3
    assert wer("", "") == 0


def test_shots_near_planned_cuts_pass_and_crossfades_widen_the_window():
    assert all(c.passed for c in shot_checks([0.0, 5.3, 10.1], STARTS, 0.5))
    assert all(c.passed for c in shot_checks([0.0, 5.7, 10.1], STARTS, 0.5, (0.6, 0.0, 0.0)))


def test_missing_and_unplanned_shots_are_located():
    failed = [c for c in shot_checks([0.0, 7.5, 10.0], STARTS, 0.5) if not c.passed]
    assert {(c.scene_index, c.at_seconds) for c in failed} == {(1, 5.0), (1, 7.5)}


def test_explicit_frames_at_or_above_the_threshold_fail_with_their_scene():
    failed = explicit_checks([(1.0, 1), (6.0, 4), (11.0, 3)], STARTS, "LIKELY")
    assert [(c.passed, c.scene_index, c.at_seconds) for c in failed] == [(False, 1, 6.0)]
    assert explicit_checks([(1.0, 3)], STARTS, "LIKELY")[0].passed


def test_speech_and_labels():
    assert speech_check("Volcanoes erupt, lava flows.", "volcanoes erupt lava flows", 0.1).passed
    assert not speech_check("bananas purple window", "volcanoes erupt lava flows", 0.25).passed
    soft = label_checks([("graphics", 0, 15)], ("Volcano: erupting",), STARTS, required=False)
    assert soft[0].name == "label-match" and soft[0].passed  # reported, not failing
    assert not label_checks([("graphics", 0, 15)], ("Volcano: erupting",), STARTS, required=True)[0].passed
    assert label_checks([("volcano", 0, 15)], ("Volcano: erupting",), STARTS, required=True)[0].passed


def test_only_scenes_whose_pictures_failed_are_regenerated():
    from framecast.core.models import QualityCheck
    from framecast.quality.gate import scenes_to_regenerate

    failures = [
        QualityCheck(name="explicit-content", passed=False, detail="", scene_index=2),
        QualityCheck(name="shot-alignment", passed=False, detail="", scene_index=1),
        QualityCheck(name="speech-transcript", passed=False, detail=""),
        QualityCheck(name="loudness", passed=False, detail="", scene_index=0),
        QualityCheck(name="explicit-content", passed=False, detail="", scene_index=2),
    ]
    assert scenes_to_regenerate(failures) == [1, 2]
    assert scenes_to_regenerate(failures[2:4]) == []
