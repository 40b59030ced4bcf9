"""Prefect tasks: thin wrappers that give each framecast stage caching, retries and persistence.

Nothing is installed on import: the flow's prologue routes provider limits through Prefect (tasks.limits.install).
"""

from tasks import results as _results  # noqa: F401  registers the JSON-only result storage block types, so a
# worker resolving the server's default result storage finds them
