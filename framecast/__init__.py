"""framecast: a topic in, a finished narrated and captioned video out."""

__version__ = "0.1.0"
