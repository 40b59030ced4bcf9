"""The flow's task runner: Prefect's thread pool, sized when a run starts rather than when the flow is imported."""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner


class TaskWorkers(ThreadPoolTaskRunner):
    """A ThreadPoolTaskRunner of FRAMECAST_TASK_WORKERS threads (sized for provider waits, not for CPU).

    The size is read from the settings as the run starts (Prefect duplicates the flow's runner, then enters it),
    so importing the flow reads no settings and a deployment's worker uses its own machine's value.
    """

    def __init__(self, max_workers: int | None = None):
        super().__init__(max_workers=max_workers or 1)  # a placeholder until the run starts
        self._fixed = max_workers

    def duplicate(self) -> TaskWorkers:
        return type(self)(self._fixed)

    def __enter__(self) -> TaskWorkers:
        if self._fixed is None:
            self._max_workers = _task_workers()
        return super().__enter__()


def _task_workers() -> int:
    """FRAMECAST_TASK_WORKERS; with settings that do not load, the default: the flow's body then fails the run
    with the settings' own message (the runner is entered before the body, where an error would not be the run's)."""
    from framecast.core.errors import ConfigError
    from framecast.settings import Settings, get_settings

    try:
        return get_settings().task_workers
    except ConfigError:
        return Settings.model_fields["task_workers"].default
