"""The secrets a database URL can carry: the password after the user, and `?password=` / `?sslpassword=`.

SQLAlchemy's `hide_password` masks only the first; libpq (psycopg) also reads the query keys.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_QUERY_KEYS = ("password", "sslpassword")


def url_secrets(url: str) -> list[str]:
    """Every secret in `url`, for redaction (an unparsable URL is a secret as a whole)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return [url]
    found = [str(parsed.password)] if parsed.password else []
    for key in SECRET_QUERY_KEYS:
        value = parsed.query.get(key)
        found += [value] if isinstance(value, str) else [v for v in value or ()]
    return [f for f in found if f]


def has_credentials(url: str) -> bool:
    """Whether `url` carries a password anywhere (so it must not be copied anywhere readable)."""
    return bool(url_secrets(url))


def safe_url(url: str) -> str:
    """`url` for messages: its passwords, in the user part or the query, shown as ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(an unparsable URL)"
    query = {k: ("***" if k in SECRET_QUERY_KEYS else v) for k, v in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True)
