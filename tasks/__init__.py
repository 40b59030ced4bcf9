"""Prefect tasks: thin wrappers that give each framecast stage caching, retries and persistence."""
