"""The web chat widget for the practice intranet, and the demo page server (serve.py)."""
