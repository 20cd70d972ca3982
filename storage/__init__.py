"""digestbot: storage."""
