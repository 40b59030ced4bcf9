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

    def duplicate(self) -> "TaskWorkers":
        return type(self)(self._fixed)

    def __enter__(self) -> "TaskWorkers":
        if self._fixed is None:
            from framecast.settings import get_settings

            self._max_workers = get_settings().task_workers
        return super().__enter__()
