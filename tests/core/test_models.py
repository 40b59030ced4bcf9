import pytest
from pydantic import ValidationError

from framecast.core.models import Scene, Script, Transition
from framecast.core.validation import describe_validation_error


def scene(**kw):
    return {"narration": "Hello there.", "visual_prompt": "A card", **kw}


def test_script_accepts_a_minimal_valid_script_with_defaults():
    script = Script.model_validate({"title": "T", "scenes": [scene()]})
    assert script.scenes[0].transition is Transition.fade
    assert script.scenes[0].duration == 6.0


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"title": "", "scenes": [scene()]}, "title"),
        ({"title": "T", "scenes": []}, "scenes"),
        ({"title": "T", "scenes": [scene(duration=45)]}, "scenes[0].duration"),
        ({"title": "T", "scenes": [scene(duration=1)]}, "scenes[0].duration"),
        ({"title": "T", "scenes": [scene(transition="wipe")]}, "scenes[0].transition"),
        ({"title": "T", "scenes": [scene(narration="x" * 601)]}, "scenes[0].narration"),
        ({"title": "T", "scenes": [scene()], "music": "loud"}, "music"),
        ({"title": "Volcanoes\x00work", "scenes": [scene()]}, "title"),
        ({"title": "T", "scenes": [scene(narration="Evil \u202etxt.exe")]}, "scenes[0].narration"),
        ({"title": "T", "tags": ["a\u2066b"], "scenes": [scene()]}, "tags[0]"),
        ({"title": "T", "description": "bell\x07", "scenes": [scene()]}, "description"),
    ],
)
def test_invalid_scripts_are_rejected_with_the_field_named(bad, field):
    with pytest.raises(ValidationError) as info:
        Script.model_validate(bad)
    message = describe_validation_error(info.value, "script.json")
    assert f"  - {field}:" in message


def test_youtube_forbidden_angle_brackets_become_look_alikes_and_line_breaks_fold_in_one_line_fields():
    script = Script.model_validate(
        {
            "title": "Why 1 < 2 in C++\n templates <T>",
            "description": "a <b>\n\tc",
            "tags": ["x>y"],
            "scenes": [scene(narration="One\ntwo")],
        }
    )
    assert script.title == "Why 1 \u2039 2 in C++ templates \u2039T\u203a"
    assert script.description == "a \u2039b\u203a\n\tc" and script.tags == ["x\u203ay"]
    assert script.scenes[0].narration == "One\ntwo"


def test_total_duration_is_bounded():
    with pytest.raises(ValidationError, match="600"):
        Script(title="T", scenes=[Scene(**scene(duration=30))] * 21)


def test_models_are_frozen():
    s = Scene(**scene())
    with pytest.raises(ValidationError):
        s.duration = 10
