"""Prefect tasks: thin wrappers that give each framecast stage caching, retries and persistence."""

from tasks import limits as _limits

_limits.install()
from tasks import results as _results  # noqa: E402,F401  registers the JSON-only result storage block types, so a
# worker resolving the server's default result storage finds them
