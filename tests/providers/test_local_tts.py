import wave

import pytest

from framecast.media import ffmpeg
from framecast.media.align import align_words
from framecast.providers.local.tts import LocalTextToSpeech, piper_available

TEXT = "Volcanoes form where molten rock rises to the surface."


def check_speech(speech, text):
    assert speech.path.is_file()
    assert 1.5 < speech.duration < 8
    assert [w.word for w in speech.words] == text.split()
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start < w.end <= speech.duration + 0.05 for w in speech.words)


@pytest.mark.skipif(not piper_available(), reason="voice extra not installed")
def test_piper_speaks_with_word_timing(tmp_path):
    speech = LocalTextToSpeech("piper").synthesize(TEXT, out=tmp_path / "n.wav")
    check_speech(speech, TEXT)
    assert speech.engine == "piper:en_US-joe-medium"
    with wave.open(str(speech.path)) as wav:
        assert wav.getframerate() == 22050


def test_speed_makes_speech_shorter(tmp_path):
    slow = LocalTextToSpeech("auto", speed=0.8).synthesize(TEXT, out=tmp_path / "slow.wav")
    fast = LocalTextToSpeech("auto", speed=1.5).synthesize(TEXT, out=tmp_path / "fast.wav")
    assert fast.duration < slow.duration * 0.8


@pytest.mark.skipif(bool(ffmpeg.has_filters("flite")), reason="this ffmpeg has no flite")
def test_flite_fallback_speaks_with_estimated_timing(tmp_path):
    speech = LocalTextToSpeech("flite").synthesize(TEXT, out=tmp_path / "n.wav")
    check_speech(speech, TEXT)
    assert speech.engine == "flite:slt"


@pytest.mark.skipif(bool(ffmpeg.has_filters("flite")), reason="this ffmpeg has no flite")
def test_flite_speaks_into_a_folder_whose_name_would_break_a_filter_graph(tmp_path):
    """Review L7: the text file's path never enters the graph, so a folder named with ' : , [ ] still works."""
    folder = tmp_path / "it's [a]: b,c;d"
    folder.mkdir()
    speech = LocalTextToSpeech("flite").synthesize(TEXT, out=folder / "n.wav")
    check_speech(speech, TEXT)
    assert sorted(p.name for p in folder.iterdir()) == ["n.wav"]  # the text file went with its folder


def test_align_words_maps_one_to_one_or_spreads_by_length():
    spans = [(0.1, 0.5), (0.6, 1.0)]
    assert [(w.start, w.end) for w in align_words(["a", "b"], spans)] == [(0.1, 0.5), (0.6, 1.0)]
    spread = align_words(["it", "is", "1,200", "degrees"], spans)
    assert [w.word for w in spread] == ["it", "is", "1,200", "degrees"]
    assert spread[0].start == 0.1 and spread[-1].end == 1.0
    assert all(a.end <= b.start + 1e-9 for a, b in zip(spread, spread[1:]))
