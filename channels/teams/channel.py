"""The Microsoft Teams channel for Rasa: ``channels.teams.channel.TeamsInput``.

Teams reaches a bot through the Bot Framework; this is Rasa's Bot Framework
channel made fit for Signpost:

- requests are authenticated (JWT) unless ``validate_jwt: false`` is set for
  local development, which logs a warning and only ever replies to this machine;
- Microsoft's endpoints come from the credentials (defaults are the real ones);
- nothing blocks the server: HTTP is async and the webhook answers at once,
  the conversation runs in the background (Teams gives a bot 15 seconds);
- replies are plain text, question cards with buttons, and recommendation
  cards (channels/teams/cards.py);
- Rasa's conversation id is a keyed hash of the Teams ids, never the ids.

It fails closed: it refuses to start without a tenant id and a pseudonym
key of its own, answers only activities from Teams (``channelId`` msteams)
in the configured tenant, and replies only to Microsoft's connector hosts.

credentials.yml (see credentials.example.yml and README.md)::

    channels.teams.channel.TeamsInput:
      app_id: ${TEAMS_APP_ID}
      app_password: ${TEAMS_APP_PASSWORD}
      tenant_id: ${TEAMS_TENANT_ID}
      pseudonym_key: ${TEAMS_PSEUDONYM_KEY}
      area: sefton                 # optional: the area for this tenant
      team_areas: {}               # optional: team id -> area id
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from rasa.core.channels.botframework import BotFrameworkInput
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant import PROJECT_ROOT
from channels.input_checks import PayloadRules, Refused, check_text
from channels.webhook import webhook_blueprint

from .activities import (
    DEFAULT_SERVICE_HOSTS,
    TEAMS_CHANNEL_ID,
    ActivityError,
    Inbound,
    activity_tenant,
    card_activity,
    conversation_url,
    read_message,
    reply_url,
    sender_key,
    text_activity,
    typing_activity,
    welcomes_the_bot,
)
from .auth import OPENID_METADATA_URL, TENANT_TOKEN_URL, AuthError, RequestAuthenticator, TokenClient
from .cards import card_words, cards_for_custom, fits_teams, question_card
from .connector import ConnectorClient

log = logging.getLogger(__name__)

ONLY_TEXT = ("Sorry, I can only read typed messages. Please type your question or use the buttons. "
             "If anyone is in danger right now, call 999.")
SOMETHING_WENT_WRONG = ("Sorry, something went wrong on my side and I couldn't answer that. "
                        "If anyone is in danger right now, call 999. Otherwise please try again, "
                        "or talk to your safeguarding lead.")
GREET_INTENT = "/greet"
AREAS_DIR = PROJECT_ROOT / "pathways" / "areas"
MIN_PSEUDONYM_KEY_LENGTH = 16
# A turn that takes longer than this shows "Signpost is typing..." (Teams
# shows it for a few seconds, so it is repeated until the answer is sent).
TYPING_AFTER = 1.0
TYPING_EVERY = 3.0
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class TeamsOutput(OutputChannel):
    """Sends Signpost's messages into the Teams conversation a message came from."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    def __init__(self, inbound: Inbound, connector: ConnectorClient) -> None:
        self.inbound = inbound
        self.connector = connector

    async def _post(self, activity: dict[str, Any]) -> None:
        await self.connector.post(reply_url(self.inbound), activity)

    async def send_typing(self) -> None:
        await self.connector.post(conversation_url(self.inbound), typing_activity(self.inbound))

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        message = dict(message)
        custom = message.pop("custom", None)
        cards = cards_for_custom(custom) if isinstance(custom, Mapping) else []
        has_buttons = bool(message.get("buttons") or message.get("quick_replies"))
        if cards and "recommendation" in custom and not has_buttons:
            # The cards hold everything the readable text says (it is for
            # channels that cannot draw a card), so it is not sent twice.
            message.pop("text", None)
        elif cards and "answer" in custom and message.get("text"):
            # A knowledge answer's text already has the passage, source and date.
            cards = []
        await super().send_response(recipient_id, message)
        recommendation = custom.get("recommendation") if isinstance(custom, Mapping) else None
        summary = card_words(recommendation)["title"] if isinstance(recommendation, Mapping) else "Answer"
        for card in cards:
            await self._post_card(card, summary)
        if custom is not None and not cards and not (isinstance(custom, Mapping) and "answer" in custom):
            log.info("Teams: a custom message of an unknown shape was not sent (keys: %s)",
                     sorted(custom) if isinstance(custom, Mapping) else type(custom).__name__)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if text.strip():
            await self._post(text_activity(self.inbound, text.strip()))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        card = question_card(text or "", buttons or [])
        if card["body"]:  # an empty card would show as a blank bubble
            await self._post_card(card, summary=text or "")

    async def _post_card(self, card: dict[str, Any], summary: str) -> None:
        if fits_teams(card):
            await self._post(card_activity(self.inbound, card, summary))
        else:
            # A card some Teams client could not draw: its readable text instead, never a blank bubble.
            log.error("Teams: a card needing a newer Adaptive Card version was sent as text")
            await self._post(text_activity(self.inbound, card.get("fallbackText") or summary))


def _flag(credentials: Mapping[str, Any], key: str, default: bool) -> bool:
    value = credentials.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"Teams channel: '{key}' must be true or false, not {value!r}")


def _text_list(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list from YAML, or a comma-separated string from an environment variable."""
    if value is None or value == "":
        return default
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _area(value: Any, where: str) -> str:
    area = str(value or "").strip()
    if area and not (AREAS_DIR / f"{area}.yaml").is_file():
        raise ValueError(f"Teams channel: {where} names the area {area!r}, which has no file in pathways/areas/")
    return area


class TeamsInput(BotFrameworkInput):
    """Receives Teams messages at /webhooks/teams/webhook."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        # Rasa raises above; mypy cannot see its NoReturn (Rasa ships no type information).
        assert credentials is not None
        tenant = str(credentials.get("tenant_id") or "").strip()
        team_areas = credentials.get("team_areas") or {}
        if not isinstance(team_areas, Mapping):
            raise ValueError("Teams channel: 'team_areas' must map team ids to area ids")
        return cls(
            app_id=str(credentials.get("app_id") or "").strip(),
            app_password=str(credentials.get("app_password") or ""),
            tenant_id=tenant,
            pseudonym_key=str(credentials.get("pseudonym_key") or ""),
            token_url=str(credentials.get("token_url") or "").strip() or None,
            openid_metadata_url=str(credentials.get("openid_metadata_url") or "").strip() or OPENID_METADATA_URL,
            validate_jwt=_flag(credentials, "validate_jwt", default=True),
            service_url_hosts=_text_list(credentials.get("service_url_hosts"), DEFAULT_SERVICE_HOSTS),
            area=_area(credentials.get("area"), "'area'"),
            team_areas={str(team): _area(area, f"team_areas[{team!r}]") for team, area in team_areas.items()},
        )

    def __init__(self, app_id: str, app_password: str, *, tenant_id: str, pseudonym_key: str,
                 token_url: str | None = None, openid_metadata_url: str = OPENID_METADATA_URL,
                 validate_jwt: bool = True, service_url_hosts: tuple[str, ...] = DEFAULT_SERVICE_HOSTS,
                 area: str = "", team_areas: Mapping[str, str] | None = None) -> None:
        # BotFrameworkInput.__init__ is not called: it fetches Microsoft's keys
        # synchronously at start-up, so the server would not start while they
        # are unreachable. Keys are fetched on the first request instead.
        self.app_id = app_id
        self.app_password = app_password
        self.validate_jwt = validate_jwt
        if not tenant_id:
            # New bots are single-tenant (or a managed identity): their tokens
            # come from their own tenant, and only that tenant's staff may talk to them.
            raise ValueError("Teams channel: 'tenant_id' is required (the App Tenant ID of the Azure Bot).")
        if len(pseudonym_key) < MIN_PSEUDONYM_KEY_LENGTH:
            raise ValueError(f"Teams channel: 'pseudonym_key' is required, at least {MIN_PSEUDONYM_KEY_LENGTH} "
                             "characters, a secret of its own (not the app password): it turns Teams ids "
                             "into Signpost's conversation ids.")
        if app_password and pseudonym_key == app_password:
            raise ValueError("Teams channel: 'pseudonym_key' must not be the app password "
                             "(rotating the password would reset every conversation).")
        if validate_jwt and not app_id:
            raise ValueError("Teams channel: 'app_id' is needed to check that requests come from Microsoft. "
                             "For local development only, set 'validate_jwt: false'.")
        if not validate_jwt:
            log.warning("Teams channel: request authentication is OFF (validate_jwt: false). Use this only "
                        "for local development: anyone who can reach the webhook can talk to the bot, and "
                        "replies only go to a serviceUrl on this machine.")
        self.tenant_id = tenant_id
        self.pseudonym_key = pseudonym_key
        self.service_url_hosts = service_url_hosts
        self.area = area
        self.team_areas = dict(team_areas or {})
        self.authenticator = RequestAuthenticator(app_id, openid_metadata_url)
        self.connector = ConnectorClient(TokenClient(app_id, app_password,
                                                     token_url or TENANT_TOKEN_URL.format(tenant=tenant_id)))
        self._running: set[asyncio.Task] = set()
        self.rules = PayloadRules()

    def area_for(self, inbound: Inbound) -> str:
        """The area whose guidance answers this message: the team's, else the tenant's ('' = default)."""
        return self.team_areas.get(inbound.team_id, self.area) if inbound.team_id else self.area

    def _in_background(self, work: Awaitable[Any]) -> None:
        # The event loop holds tasks only weakly; without this reference a
        # conversation turn could be collected half-way through.
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _typing(self, output: TeamsOutput) -> None:
        await asyncio.sleep(TYPING_AFTER)
        while True:
            await output.send_typing()
            await asyncio.sleep(TYPING_EVERY)

    async def _converse(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        message: UserMessage) -> None:
        typing = asyncio.ensure_future(self._typing(message.output_channel))
        try:
            await on_new_message(message)
        except Exception as exc:  # noqa: BLE001 - the person asking must still get a safe next step
            # The type only: an exception's text may quote what was typed.
            log.error("Teams: handling a message failed: %s", type(exc).__name__)
            await message.output_channel.send_text_message(message.sender_id, SOMETHING_WENT_WRONG)
        finally:
            typing.cancel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams_webhook = webhook_blueprint("teams_webhook")

        @teams_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            try:
                activity = request.json
            except Exception:  # noqa: BLE001 - sanic raises its own error types for bad bodies
                activity = None
            if not isinstance(activity, dict):
                return response.text("Expected a Bot Framework activity (a JSON object).", status=400)
            if activity.get("channelId") != TEAMS_CHANNEL_ID:
                return response.text("This endpoint only answers Microsoft Teams (channelId msteams).", status=400)
            if self.validate_jwt:
                try:
                    await self.authenticator.check(request.headers.get("Authorization"), TEAMS_CHANNEL_ID,
                                                   str(activity.get("serviceUrl") or ""))
                except AuthError as exc:
                    log.warning("Teams: refused a request: %s", exc)
                    return response.text("Could not verify that this request comes from the Bot Framework.",
                                         status=401)
            if activity_tenant(activity) != self.tenant_id:
                log.warning("Teams: refused an activity from another tenant")
                return response.text("This bot only answers its own organisation's Teams.", status=403)
            welcome = welcomes_the_bot(activity)
            if activity.get("type") != "message" and not welcome:
                # typing, reactions, other members joining...: nothing to answer.
                return response.json({}, status=200)
            try:
                inbound = read_message(activity, loopback_only=not self.validate_jwt,
                                       allowed_hosts=self.service_url_hosts)
            except ActivityError as exc:
                return response.text(f"Not a message Signpost can answer: {exc}.", status=400)
            if welcome:
                # The greeting's wording is the assistant's own (domain.yml), not the channel's.
                inbound = replace(inbound, text=GREET_INTENT, activity_id=None)
            output = TeamsOutput(inbound, self.connector)
            key = sender_key(inbound, self.pseudonym_key)
            # The same checks as every channel's (size, encoding, button payloads); the greeting is ours.
            text = inbound.text if welcome else check_text(inbound.text, self.rules)
            if isinstance(text, Refused) or not text:
                reply = text.reason if isinstance(text, Refused) else ONLY_TEXT
                self._in_background(output.send_text_message(key, reply))
                return response.json({}, status=200)
            area = self.area_for(inbound)
            message = UserMessage(text=text, output_channel=output, sender_id=key,
                                  input_channel=self.name(), metadata={"area": area} if area else None)
            # Answer the connector now; the conversation may take longer than Teams waits.
            self._in_background(self._converse(on_new_message, message))
            return response.json({}, status=200)

        return teams_webhook
