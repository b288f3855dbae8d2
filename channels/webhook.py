"""The part every Signpost channel's webhook shares: a Sanic blueprint that answers
``GET /`` with ``{"status": "ok"}`` (Rasa's own channels do the same, and health checks
and the tests poll it) before the channel adds its own ``POST /webhook``."""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


def webhook_blueprint(name: str) -> Blueprint:
    """A channel's blueprint, already answering its health check."""
    hook = Blueprint(name, __name__)

    @hook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return hook
