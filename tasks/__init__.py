"""Prefect tasks: thin wrappers that give each framecast stage caching, retries and persistence."""

from tasks import limits as _limits

_limits.install()
