"""Signpost's own REST channel: Rasa's REST request/response shape, with its input checked.

Served at ``/webhooks/signpost/webhook``; registered in credentials.yml as
``channels.rest.SignpostRestInput``.
"""
from channels.rest.channel import SignpostRestInput

__all__ = ["SignpostRestInput"]
