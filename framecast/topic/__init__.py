"""The topic stage: which topic a run makes, from the channel's list, its backlog or new ideas."""
