"""The voice stage: narration and its word timing."""
