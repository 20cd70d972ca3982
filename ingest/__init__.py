"""digestbot: ingest."""
