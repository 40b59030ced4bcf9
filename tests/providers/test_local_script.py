import pytest

from framecast.core.models import Script
from framecast.providers.base import ScriptBrief
from framecast.providers.local.script import LocalScriptWriter


def test_writes_a_valid_bounded_script_deterministically():
    brief = ScriptBrief("How volcanoes work", min_scenes=6, max_scenes=10, target_seconds=60)
    a, b = LocalScriptWriter().write(brief), LocalScriptWriter().write(brief)
    assert a == b
    assert isinstance(a, Script) and 6 <= len(a.scenes) <= 10
    assert a.title == "How volcanoes work"
    assert "how volcanoes work" in " ".join(s.narration for s in a.scenes)
    assert len({s.visual_prompt for s in a.scenes}) == len(a.scenes)  # a different picture per scene
    assert 45 <= sum(s.duration for s in a.scenes) <= 80


@pytest.mark.parametrize("lo, hi, target", [(2, 3, 60), (8, 12, 20), (1, 1, 30)])
def test_scene_count_follows_the_brief(lo, hi, target):
    script = LocalScriptWriter().write(ScriptBrief("Black holes", lo, hi, target))
    assert lo <= len(script.scenes) <= hi


def test_notes_become_the_body_of_the_script():
    notes = ("Magma is molten rock below the surface", "Lava is magma that reached the surface")
    script = LocalScriptWriter().write(ScriptBrief("Volcanoes", 4, 4, 40, notes=notes))
    narrations = [s.narration for s in script.scenes]
    assert narrations[1] == "Magma is molten rock below the surface."
    assert narrations[2] == "Lava is magma that reached the surface."
