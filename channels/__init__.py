"""Channels through which professionals reach Signpost (web widget, Teams)."""
