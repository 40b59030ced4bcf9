"""Before a run: the channel loaded and planned, its cost estimated, its providers checked."""
