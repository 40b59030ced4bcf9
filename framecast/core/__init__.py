"""Ground floor: models, errors, validation and text rules; imports nothing else of framecast."""
