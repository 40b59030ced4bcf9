"""Text made safe for where it goes: slugs, markdown artifacts, the terminal, YouTube's snippet.

Each function is total: any string in, a valid string out (sanitised, never refused).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from anyascii import anyascii

# YouTube's snippet limits (videos.insert): title ≤ 100 characters, description ≤ 5000 bytes,
# neither may hold "<" or ">"; tags ≤ 500 characters in all, a tag with a space counting its quotes.
TITLE_CHARS = 100
DESCRIPTION_BYTES = 5000
TAGS_CHARS = 500
HASH_CHARS = 8  # 32 bits of the topic in a transliterated slug: two topics of one channel and day never meet

# Control characters (Cc, except tab and newline where a field keeps lines), bidi overrides and isolates.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_CONTROLS_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
# CSI / OSC / other ESC sequences a terminal would act on, removed whole before the lone controls.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")


def slug(text: str, limit: int = 60) -> str:
    """A filesystem- and URL-safe form of a title: [a-z0-9-], at most `limit` characters.

    An ASCII title with a letter or digit keeps the slug it always had (published paths do not move); one
    with none gets "video-" and a short hash of itself. Any other title is
    transliterated (anyascii: Café → cafe, Как → kak, 火山 → huoshan) and gets a short hash of the
    NFC-normalised title, so two different non-ASCII topics never share a slot.
    """
    plain = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    if text.isascii() and plain:
        return plain
    nfc = unicodedata.normalize("NFC", text)
    digest = hashlib.sha256(nfc.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    if text.isascii():  # only punctuation ("???", "!!!"): was "video" for all of them
        return f"video-{digest}"
    base = re.sub(r"[^a-z0-9]+", "-", anyascii(nfc).lower()).strip("-")[: limit - HASH_CHARS - 1].strip("-")
    return f"{base}-{digest}" if base else digest


def markdown(text: object) -> str:
    """`text` as literal markdown: every metacharacter backslash-escaped, one line, no HTML."""
    flat = _CONTROLS_ONE_LINE.sub(" ", str(text))
    # CommonMark lets a backslash escape any ASCII punctuation; escaping all of it leaves no link, image,
    # emphasis, heading, table cell, HTML tag or autolink to form.
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", flat)


def terminal(text: object) -> str:
    """`text` as one plain line: terminal escape sequences and control characters removed, line breaks as spaces."""
    return _CONTROLS_ONE_LINE.sub("", _BREAKS.sub(" ", _ESCAPES.sub("", str(text))))


def _clean(text: str, keep_lines: bool) -> str:
    text = unicodedata.normalize("NFC", _ESCAPES.sub("", text))
    text = (_CONTROLS if keep_lines else _CONTROLS_ONE_LINE).sub(" " if not keep_lines else "", text)
    # YouTube refuses angle brackets: single guillemets read the same.
    return text.replace("<", "\u2039").replace(">", "\u203a")


def youtube_title(title: str, fallback: str = "Video") -> str:
    """A title YouTube accepts: one line, no < or >, 1-100 characters (cut at a word where possible)."""
    text = re.sub(r"\s+", " ", _clean(title, keep_lines=False)).strip()
    if len(text) > TITLE_CHARS:
        cut = text[: TITLE_CHARS - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut[TITLE_CHARS // 2 :] else cut
        text = cut.rstrip() + "\u2026"
    return text or fallback


def youtube_description(description: str) -> str:
    """A description YouTube accepts: no < or >, no control characters but newlines, ≤ 5000 UTF-8 bytes."""
    text = _clean(description.replace("\r\n", "\n"), keep_lines=True).strip()
    data = text.encode("utf-8", "replace")
    if len(data) <= DESCRIPTION_BYTES:
        return data.decode("utf-8")
    return data[: DESCRIPTION_BYTES - 3].decode("utf-8", "ignore").rstrip() + "\u2026"


def youtube_tags(tags: list[str]) -> list[str]:
    """Tags YouTube accepts: one line each, no < > or commas, 500 characters in all (quotes counted)."""
    kept: list[str] = []
    used = 0
    for tag in tags:
        tag = re.sub(r"\s+", " ", _clean(tag, keep_lines=False).replace(",", " ")).strip()
        cost = len(tag) + (2 if " " in tag else 0) + (1 if kept else 0)
        if tag and tag not in kept and used + cost <= TAGS_CHARS:
            kept.append(tag)
            used += cost
    return kept
