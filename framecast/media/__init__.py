"""ffmpeg-based media: command builders are pure functions, `ffmpeg.run` is the one place that runs them."""
