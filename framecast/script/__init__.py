"""The script stage: the channel section and the writer that turns a topic into scenes."""
