"""The publish stage: what goes out with the video (its thumbnail; framecast.publishing does the rest)."""
