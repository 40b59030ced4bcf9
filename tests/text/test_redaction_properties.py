"""Property: whatever a secret holds and however a library escaped it, redact() leaves no form of it."""

import base64
import json
from urllib.parse import quote, quote_plus

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framecast.core.scrub import forms
from framecast.transport.errors import redact

# Printable ASCII, control characters (C0, DEL, C1), and any other code point but lone surrogates.
CHARS = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(max_codepoint=0x1F),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.characters(exclude_categories=("Cs",)),
)
SECRETS = st.text(CHARS, min_size=6, max_size=40).filter(lambda s: len(s.strip()) >= 6)

ESCAPERS = {
    "raw": lambda s: s,
    "stripped": str.strip,
    "repr": lambda s: repr(s)[1:-1],
    "ascii": lambda s: ascii(s)[1:-1],
    "bytes repr (h11)": lambda s: repr(s.encode("utf-8"))[2:-1],
    "json": lambda s: json.dumps(s)[1:-1],
    "json utf-8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "url": lambda s: quote(s, safe=""),
    "url path": quote,
    "url form": quote_plus,
    "unicode_escape": lambda s: s.encode("unicode_escape").decode(),
    "repr in json": lambda s: json.dumps(repr(s))[1:-1],
    "json in url": lambda s: quote(json.dumps(s)[1:-1], safe=""),
    "stripped repr": lambda s: repr(s.strip())[1:-1],
    "base64 of stripped": lambda s: base64.b64encode(s.strip().encode("utf-8")).decode(),
}
tried = {"examples": 0}


def all_forms(secret: str) -> set[str]:
    return {escape(secret) for escape in ESCAPERS.values()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    secret=SECRETS,
    other=SECRETS,
    around=st.lists(st.text(CHARS, max_size=30), min_size=len(ESCAPERS) + 1, max_size=len(ESCAPERS) + 1),
)
@example(secret="sk-proj-REALKEY-abcdef123456\n", other="KeyPass-99", around=[" Illegal header value b'Bearer "] * 16)
def test_no_escaped_form_of_a_secret_survives(secret, other, around):
    tried["examples"] += 1
    pieces = [around[0]]
    for i, escape in enumerate(ESCAPERS.values()):
        pieces += [escape(secret), around[i + 1]]
    pieces += [json.dumps(other)]
    cleaned = redact("".join(pieces), [secret, other])
    for name, escape in ESCAPERS.items():
        assert escape(secret) not in cleaned, name
    assert other not in cleaned


@settings(max_examples=100, deadline=None)
@given(text=st.text(CHARS, max_size=200), secret=SECRETS)
def test_text_without_a_secret_is_left_alone(text, secret):
    if not any(form in text for form in forms(secret)) and "***" not in text:
        assert redact(text, [secret]) == text
