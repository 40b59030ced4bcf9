"""The edit stage: timeline and captions (`prepare`), then the one render (`render`)."""

from framecast.edit.prepare import plan, timed_words, write_captions
from framecast.edit.render import assemble

__all__ = ["assemble", "plan", "timed_words", "write_captions"]
