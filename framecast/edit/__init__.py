"""The edit stage: timeline, captions and music bed (`prepare`), then the one render (`render`)."""

from framecast.edit.prepare import AMBIENCE_SECONDS, compose_music, plan, prepare_music, timed_words, write_captions
from framecast.edit.render import assemble

__all__ = ["AMBIENCE_SECONDS", "assemble", "plan", "prepare_music", "timed_words", "write_captions"]
