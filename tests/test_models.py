import pytest
from pydantic import ValidationError

from framecast.config import describe_validation_error
from framecast.models import Scene, Script, Transition


def scene(**kw):
    return {"narration": "Hello there.", "visual_prompt": "A card", **kw}


def test_script_accepts_a_minimal_valid_script_with_defaults():
    script = Script.model_validate({"title": "T", "scenes": [scene()]})
    assert script.scenes[0].transition is Transition.fade
    assert script.scenes[0].duration == 6.0


@pytest.mark.parametrize("bad, field", [
    ({"title": "", "scenes": [scene()]}, "title"),
    ({"title": "T", "scenes": []}, "scenes"),
    ({"title": "T", "scenes": [scene(duration=45)]}, "scenes[0].duration"),
    ({"title": "T", "scenes": [scene(duration=1)]}, "scenes[0].duration"),
    ({"title": "T", "scenes": [scene(transition="wipe")]}, "scenes[0].transition"),
    ({"title": "T", "scenes": [scene(narration="x" * 601)]}, "scenes[0].narration"),
    ({"title": "T", "scenes": [scene()], "music": "loud"}, "music"),
    ({"title": "A <b> title", "scenes": [scene()]}, "title"),
])
def test_invalid_scripts_are_rejected_with_the_field_named(bad, field):
    with pytest.raises(ValidationError) as info:
        Script.model_validate(bad)
    message = describe_validation_error(info.value, "script.json")
    assert f"  - {field}:" in message


def test_total_duration_is_bounded():
    with pytest.raises(ValidationError, match="600"):
        Script(title="T", scenes=[Scene(**scene(duration=30))] * 21)


def test_models_are_frozen():
    s = Scene(**scene())
    with pytest.raises(ValidationError):
        s.duration = 10
