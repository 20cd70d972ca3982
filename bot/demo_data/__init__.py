"""Sample data shipped for `digestbot demo`: a small news feed written for it."""
