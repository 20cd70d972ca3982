"""digestbot: digests."""
