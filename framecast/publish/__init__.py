"""The publish stage: what goes out with the video (its thumbnail; framecast.publish.publish does the rest)."""
