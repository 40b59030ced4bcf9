"""The soundtrack beyond the voice: the music bed (`music`), the sound design — transition sounds and per-scene
ambience — as cues (`design`), generated and cached per sound (`generate`); the channel sections (`config`)."""
