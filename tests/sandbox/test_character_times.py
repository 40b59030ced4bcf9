"""The ElevenLabs fake times characters where its speech really says them (the offline aligner), not evenly."""

import pytest

from framecast.media import align
from framecast.sandbox import media

pytestmark = pytest.mark.skipif(not align.available(), reason="needs the `align` extra (make setup has it)")


def test_characters_follow_the_spoken_words_and_spaces_sit_between_them():
    text = "  Volcanoes erupt when pressure builds.  "
    audio, duration = media.speech(text.strip(), "mp3")
    starts, ends = media.character_times(text, audio, ".mp3", duration)
    assert len(starts) == len(ends) == len(text)
    assert starts == sorted(starts) and all(e >= s for s, e in zip(starts, ends))
    first, last = text.index("V"), text.rindex(".")
    even = duration / len(text)  # what the even spread gave the first letter: 2 characters in
    assert abs(starts[first] - 2 * even) > 0.02  # the aligner's answer, not the even spread
    assert ends[last] <= duration + 0.05
    gap = text.index(" erupt")
    assert ends[gap - 1] <= starts[gap] <= starts[gap + 1]  # a space from its word's end to the next's start
    assert starts[-1] == ends[-1] == ends[last]  # trailing spaces at the last word's end
