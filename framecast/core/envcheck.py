"""Checks on values read from the environment: keys are stripped and must be printable, API URLs https.

Every refusal is a ConfigError that names the variable and never quotes its value (it may be a key).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlparse

from pydantic import AliasChoices

from framecast.core.errors import ConfigError

# Cc: C0/C1 controls (newline, tab, ESC, NUL, DEL); Cf: invisible format marks (zero-width, bidi
# overrides); Zl/Zp: line and paragraph separators; Cs: lone surrogates. None belongs in a key or a header.
_REFUSED = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def variable_name(settings_cls, field: str) -> str:
    """The environment variable a Settings field is read from (the vendor's own name when it has one)."""
    info = settings_cls.model_fields.get(field)
    alias = getattr(info, "validation_alias", None)
    if isinstance(alias, AliasChoices) and alias.choices:
        return str(alias.choices[0])
    return f"FRAMECAST_{field.upper()}" if field else "a FRAMECAST_* variable"


def clean_secret(variable: str, value: str, header: bool = True) -> str:
    """`value` without surrounding whitespace; a ConfigError (naming only `variable`) if a control character is left.

    `header`: the value is sent in an HTTP header, which carries ASCII only (every vendor's keys are ASCII).
    """
    stripped = value.strip()
    if header and not stripped.isascii():
        raise ConfigError(
            f"{variable} contains a non-ASCII character (at position "
            f"{next(i for i, c in enumerate(stripped) if not c.isascii()) + 1}): API keys are ASCII; "
            "copy the key again from the provider's dashboard"
        )
    bad = next((c for c in stripped if unicodedata.category(c) in _REFUSED), None)
    if bad is not None:
        what = unicodedata.name(bad, f"U+{ord(bad):04X}")
        raise ConfigError(
            f"{variable} contains a control or invisible character ({what}, at position "
            f"{stripped.index(bad) + 1}): set it again with the key alone, "
            "e.g. `printf %s KEY`, not `echo`"
        )
    return stripped


def loopback(host: str) -> bool:
    """Whether `host` is this machine: a loopback address literal (bracketed or not) or `localhost`; no lookup."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower().rstrip(".") == "localhost"


def check_https(variable: str, url: str) -> None:
    """A ConfigError unless `url` is https, or http to a loopback host (keys would cross the network in clear)."""
    parsed = urlparse(url)
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and loopback(parsed.hostname or ""):
        return
    shown = f"{parsed.scheme}://{parsed.hostname}" if parsed.scheme else "a URL without a scheme"
    raise ConfigError(
        f"{variable} must be an https:// URL (plain http only to localhost/127.0.0.1), not {shown}: "
        "keys and tokens are sent to it"
    )


# Domains where *.domain names every customer's bucket or distribution: a pattern over one is refused.
SHARED_DOMAINS = (
    "amazonaws.com",
    "cloudfront.net",
    "googleapis.com",
    "aliyuncs.com",
    "azureedge.net",
    "blob.core.windows.net",
    "r2.cloudflarestorage.com",
    "digitaloceanspaces.com",
    "appspot.com",
)


def pattern_problem(pattern: str) -> str | None:
    """Why a media-host pattern is not accepted in the settings (None = fine)."""
    bare = pattern.lower().rstrip(".")
    name = bare[2:] if bare.startswith("*.") else bare
    if not name or "*" in name or "/" in name or ":" in name or "@" in name:
        return f"{pattern!r} is not a host name or *.domain"
    if bare.startswith("*.") and any(name == d or name.endswith("." + d) for d in SHARED_DOMAINS):
        return f"{pattern!r} covers every customer's bucket or distribution there; name the exact host"
    return None
