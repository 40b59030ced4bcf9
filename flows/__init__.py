"""Prefect flows: the order of the stages and their fan-out, nothing else."""
