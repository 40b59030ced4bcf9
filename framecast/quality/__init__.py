"""The quality stage: the gate's section, its policy over what the analyzers found, and the check."""
