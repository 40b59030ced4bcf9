"""Prefect-free command handlers behind the `framecast` CLI (cost, sandbox, voices, callbacks, deployments)."""
