"""Replace secrets in text in every form a library may have written them: raw, stripped, escaped, encoded.

A key reaches a message raw (`str(exc)`), as a Python repr (h11 quotes an illegal header as
`b'Bearer sk-…\\n'`), JSON-escaped (an API body echoing it, Prefect's log payloads), URL-encoded (a
query string) or base64 (an Authorization header). Each of these, and each applied twice (a repr
inside a JSON string), is replaced by ***.
"""

from __future__ import annotations

import base64
import html
import json
import re
from functools import lru_cache
from urllib.parse import quote, quote_plus

MIN_LENGTH = 6  # shorter values would blank ordinary words; no provider issues keys this short
MASK = "***"


def _escapes(s: str) -> set[str]:
    """`s` as the usual escapers write it (without their surrounding quotes)."""
    raw = s.encode("utf-8", "surrogatepass")  # a lone surrogate must not make redaction itself fail
    found = {
        s,
        repr(s)[1:-1],
        ascii(s)[1:-1],
        json.dumps(s)[1:-1],
        json.dumps(s, ensure_ascii=False)[1:-1],
        s.encode("unicode_escape").decode("ascii"),
        repr(raw)[2:-1],
        quote(raw, safe=""),
        quote(raw),
        quote_plus(raw),
        html.escape(s),
    }
    # Some encoders write %xx in lower case.
    found |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in list(found) if "%" in f}
    return found


@lru_cache(maxsize=256)
def forms(secret: str) -> tuple[str, ...]:
    """Every form of `secret` to replace, longest first (so a longer form is not left half-masked)."""
    roots = {secret, secret.strip()}
    first = set().union(*(_escapes(r) for r in roots if r))
    every = set().union(*(_escapes(f) for f in first))  # twice escaped: a repr inside JSON, JSON inside a URL
    raw = secret.strip().encode("utf-8", "surrogatepass")
    every |= {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return tuple(sorted((f for f in every if len(f) >= MIN_LENGTH), key=len, reverse=True))


def redact_cut(text: str, secrets) -> str:
    """`redact`, and a secret cut off at the end of `text` (a body read up to N characters) masked too."""
    text = redact(text, secrets)
    for form in {f for s in secrets if s and len(s.strip()) >= MIN_LENGTH for f in forms(s)}:
        for keep in range(len(form) - 1, MIN_LENGTH - 1, -1):
            if text.endswith(form[:keep]):
                return text[:-keep] + MASK
    return text


def redact(text: str, secrets) -> str:
    """`text` with every form of every secret (at least MIN_LENGTH characters) replaced by ***."""
    every = sorted({f for s in secrets if s and len(s.strip()) >= MIN_LENGTH for f in forms(s)}, key=len, reverse=True)
    while True:  # until stable: a mask next to leftover text could spell a secret that itself holds "***"
        before = text
        for form in every:
            if form in text:
                text = text.replace(form, MASK)
        if text == before:
            return text
