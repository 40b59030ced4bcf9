"""Provider webhooks: the receiver Kling POSTs a finished task to (signed URLs: framecast.transport.callbacks)."""
