"""Helpers shared by Signpost's tests."""
