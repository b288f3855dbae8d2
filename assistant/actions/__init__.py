"""Rasa custom actions: thin adapters over assistant.guidance, .extraction and .knowledge.

One action per module; ``rasa run actions --actions assistant.actions`` imports
every module here and registers each Action subclass it finds.
"""
