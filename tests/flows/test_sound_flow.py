"""Sound design end to end: each distinct sound is generated (and paid) once, counted at the provider."""

import json
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.sandbox import Fault
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")
FOUR_SCENES = {"min_scenes": 4, "max_scenes": 4, "target_seconds": 20}


def sounds_of(publication) -> list[dict]:
    return json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())["sounds"]


def test_each_sound_is_generated_once_and_a_second_video_pays_only_for_its_own_ambience(cloud, sandbox, tmp_path):
    # The music bed is the local pad here, so every sound-generation call is the sound design's.
    channel = cloud(
        sound={"provider": "elevenlabs", "ambience": True}, script=FOUR_SCENES, music={"source": "generated"}
    )
    first = sounds_of(produce_video(channel=channel, topic="How volcanoes work"))
    transitions = [s for s in first if s["kind"] == "transition"]
    assert len(transitions) == 3 and len([s for s in first if s["kind"] == "ambience"]) == 4
    distinct = {(s["prompt"], s["seconds"], s["kind"]) for s in first}
    assert len(distinct) < len(first)  # two fades of one length share one whoosh
    asked = sandbox.state.calls("elevenlabs", "sound_generation")
    assert asked == len(distinct)
    billed = [e for e in ledger_entries(tmp_path / "out") if e["role"] == "sound"]
    assert len(billed) == asked and {e["provider"] for e in billed} == {"elevenlabs"}
    assert all(s["made_by"] == "elevenlabs (eleven_text_to_sound_v2)" for s in first)

    second = sounds_of(produce_video(channel=channel, topic="How geysers erupt"))
    new = {(s["prompt"], s["seconds"], s["kind"]) for s in second} - distinct
    assert new and all(kind == "ambience" for _, _, kind in new)  # every transition sound came from the cache
    assert sandbox.state.calls("elevenlabs", "sound_generation") == asked + len(new)
    whoosh = {s["sha256"] for s in first + second if s["kind"] == "transition" and "whoosh" in s["prompt"]}
    assert len(whoosh) == 1


def test_refused_sound_credentials_fall_back_to_the_offline_sounds_and_say_so(cloud, sandbox, tmp_path):
    sandbox.state.inject("elevenlabs", "sound_generation", Fault(status=401), times=50)
    channel = cloud(
        sound={"providers": ["elevenlabs", "local"], "ambience": True},
        script=FOUR_SCENES,
        music={"source": "generated"},
    )
    publication = produce_video(channel=channel, topic="How volcanoes work")

    assert publication.published
    sounds = sounds_of(publication)
    assert sounds and all(s["made_by"].startswith("local; elevenlabs skipped: credentials refused") for s in sounds)
    assert {s["recipe"]["recipe"] for s in sounds if s["kind"] == "ambience"} == {"rumble"}  # "volcano"
    assert {s["recipe"]["recipe"] for s in sounds if s["kind"] == "transition"} == {"whoosh", "swell"}
    assert not [e for e in ledger_entries(tmp_path / "out") if (e["provider"], e["role"]) == ("elevenlabs", "sound")]


def test_a_silent_generation_moves_to_the_next_provider_without_asking_again(cloud, sandbox, tmp_path):
    sandbox.state.inject("elevenlabs", "sound_generation", Fault(kind="silent"))
    channel = cloud(sound={"providers": ["elevenlabs", "local"]}, script=FOUR_SCENES, music={"source": "generated"})
    sounds = sounds_of(produce_video(channel=channel, topic="How volcanoes work"))

    fallen = [s for s in sounds if "elevenlabs skipped" in s["made_by"]]
    assert fallen and all("job failed" in s["made_by"] and s["made_by"].startswith("local") for s in fallen)
    assert len({s["prompt"] for s in fallen}) == 1  # only the sound whose generation was silent
    distinct = {(s["prompt"], s["seconds"]) for s in sounds}
    assert sandbox.state.calls("elevenlabs", "sound_generation") == len(distinct)  # no retry of the silent one


def test_a_sound_that_fails_for_good_is_left_out_and_the_video_still_published(cloud, sandbox, tmp_path):
    sandbox.state.inject("elevenlabs", "sound_generation", Fault(status=401), times=50)
    channel = cloud(sound={"provider": "elevenlabs"}, script=FOUR_SCENES, music={"source": "generated"})
    publication = produce_video(channel=channel, topic="How volcanoes work")

    assert publication.published
    manifest = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())
    assert manifest["sounds"] == []
    failed = manifest["sounds_failed"]
    assert {f["kind"] for f in failed} == {"transition"} and sorted(i for f in failed for i in f["scenes"]) == [0, 1, 2]
    assert all("401" in f["error"] for f in failed)
