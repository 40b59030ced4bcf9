"""Transports: HTTP with retries and limits, safe downloads, Google errors, redaction, signed callback URLs."""
