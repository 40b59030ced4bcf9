"""The sound design stage: transition sounds and per-scene ambience (`design`), generated and cached (`generate`)."""
