"""digestbot: bot."""
