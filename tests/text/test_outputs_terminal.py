"""`framecast voices` prints provider-chosen names without their terminal escapes (issue 17, review I3)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from framecast.core.safe_text import terminal

ESCAPES = [
    "\x1b[2J",
    "\x1b]8;;http://evil\x07",
    "\x1b]0;title\x1b\\",
    "\x1b[31m",
    "\x9b2J",
    "\x07",
    "\r",
    "\n",
    "\x08",
    "\x00",
    "\u202e",
    "\u2066",
    "\x1bc",
]


def test_voices_strips_escape_sequences_from_provider_names(sandbox, monkeypatch, capsys):
    from flows.cli import main
    from framecast.providers.elevenlabs import sandbox as elevenlabs_api
    from framecast.settings import reset_settings

    hostile = elevenlabs_api._voice(
        "hostile0000000000000", "\x1b]8;;http://evil\x07Joe\x1b]8;;\x07 \x1b[2J\x1b[31mRed\r\u202eevil", {}
    )
    monkeypatch.setattr(elevenlabs_api, "VOICES", [*elevenlabs_api.VOICES, hostile])
    monkeypatch.setenv("ELEVENLABS_API_KEY", "key-abcdef123456")
    monkeypatch.setenv("FRAMECAST_ELEVENLABS_BASE_URL", sandbox.base_url("elevenlabs"))
    reset_settings()
    try:
        assert main(["voices"]) == 0
    finally:
        reset_settings()
    out = capsys.readouterr().out
    assert "hostile0000000000000  Joe Red evil  (premade)" in out and "Rachel" in out
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(ESCAPES), st.text(max_size=8)), max_size=10).map("".join))
def test_terminal_text_has_no_control_character_left(text):
    out = terminal(text)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert terminal(out) == out
