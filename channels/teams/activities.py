"""Bot Framework activities: reading what Teams sent, addressing the replies.

Pure functions, no Rasa and no network, so the rules about mentions, button
presses, addressing and where replies may be sent are tested directly.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from .cards import PAYLOAD_KEY, attachment

_AT_MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
# Only real tags: "age < 18 and > 16" is left alone.
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t]+")
_LOOPBACK_NAMES = {"localhost"}
TEAMS_CHANNEL_ID = "msteams"
# Where Microsoft's Bot Connector for Teams lives; a deployment may narrow or
# extend this (``service_url_hosts`` in the credentials). "*.x" means any
# subdomain of x, not x itself.
DEFAULT_SERVICE_HOSTS = ("smba.trafficmanager.net", "*.botframework.com")


class ActivityError(ValueError):
    """The request is not a Bot Framework message activity Signpost can answer."""


@dataclass(frozen=True)
class Inbound:
    """What a Teams message activity means to Signpost."""

    text: str                   # what the user typed, or the payload of the button pressed
    conversation: dict[str, Any]
    user: dict[str, Any]        # the "from" account
    bot: dict[str, Any]         # the "recipient" account (us)
    service_url: str
    activity_id: str | None
    channel_id: str
    tenant_id: str = ""         # the Microsoft 365 tenant the message came from
    team_id: str = ""           # the team, for a message in a team's channel


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif pattern and host == pattern:
            return True
    return False


def check_service_url(url: str, loopback_only: bool,
                      allowed_hosts: Iterable[str] = DEFAULT_SERVICE_HOSTS) -> str:
    """The connector address replies (and our access token) go to; raises ActivityError.

    Only to Microsoft's connector hosts (``allowed_hosts``), over https, so a
    forged or mistaken serviceUrl can never receive the bot's access token.
    ``loopback_only`` holds when requests are not authenticated (local
    development with the Agents Playground or the Emulator): then replies
    only ever go to this machine. Plain http is allowed on loopback only.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ActivityError("serviceUrl must be an http(s) address")
    loopback = is_loopback_url(url)
    if loopback_only:
        if not loopback:
            raise ActivityError("without request authentication, replies only go to this machine (serviceUrl)")
        return url
    if parts.scheme == "http" and not loopback:
        raise ActivityError("serviceUrl must use https")
    if not host_allowed(parts.hostname, allowed_hosts):
        raise ActivityError("serviceUrl is not one of the Bot Connector hosts this bot replies to")
    return url


def activity_tenant(activity: Mapping[str, Any]) -> str:
    """The tenant id Teams put on the activity ('' when none)."""
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, Mapping) else None
    if isinstance(tenant, Mapping) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return tenant["id"]
    conversation = activity.get("conversation")
    if isinstance(conversation, Mapping) and isinstance(conversation.get("tenantId"), str):
        return conversation["tenantId"]
    return ""


def activity_team(activity: Mapping[str, Any]) -> str:
    """The team id for a message in a team's channel ('' elsewhere)."""
    channel_data = activity.get("channelData")
    if not isinstance(channel_data, Mapping):
        return ""
    team = channel_data.get("team")
    if isinstance(team, Mapping) and isinstance(team.get("id"), str):
        return team["id"]
    return str(channel_data.get("teamsTeamId") or "")


def _account(activity: Mapping[str, Any], key: str) -> dict[str, Any]:
    account = activity.get(key)
    if not isinstance(account, Mapping) or not isinstance(account.get("id"), str) or not account["id"]:
        raise ActivityError(f"the activity has no '{key}.id'")
    return dict(account)


def _payload_from_value(value: Any) -> str | None:
    """The quick-reply payload a card button sent, if this is one of ours."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, Mapping):
        payload = value.get(PAYLOAD_KEY)
        if isinstance(payload, str) and payload.strip():
            return payload.strip()
    return None


def typed_text(activity: Mapping[str, Any]) -> str:
    """The user's words: the bot's @mention removed, and any HTML Teams wrapped
    around formatted text turned back into plain text."""
    text = activity.get("text")
    if not isinstance(text, str):
        return ""
    text = _AT_MENTION.sub(" ", text)
    if activity.get("textFormat") == "xml" or _HTML_TAG.search(text):
        text = html.unescape(_HTML_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def welcomes_the_bot(activity: Mapping[str, Any]) -> bool:
    """True for the conversationUpdate Teams sends when someone installs the bot
    for themselves (a personal chat): the moment to say what Signpost is.
    Not in channels or group chats, where an unasked message would be noise."""
    if activity.get("type") != "conversationUpdate":
        return False
    conversation = activity.get("conversation")
    if not isinstance(conversation, Mapping) or conversation.get("conversationType") != "personal":
        return False
    bot = activity.get("recipient")
    bot_id = bot.get("id") if isinstance(bot, Mapping) else None
    added = activity.get("membersAdded")
    return bool(bot_id) and isinstance(added, list) and any(
        isinstance(m, Mapping) and m.get("id") == bot_id for m in added)


def read_message(activity: Any, loopback_only: bool = False,
                 allowed_hosts: Iterable[str] = DEFAULT_SERVICE_HOSTS) -> Inbound:
    """The parts of a ``message`` activity Signpost needs; raises ActivityError."""
    if not isinstance(activity, Mapping):
        raise ActivityError("expected a Bot Framework activity (a JSON object)")
    if activity.get("channelId") != TEAMS_CHANNEL_ID:
        raise ActivityError("the activity does not come from Microsoft Teams (channelId)")
    conversation = activity.get("conversation")
    if not isinstance(conversation, Mapping) or not isinstance(conversation.get("id"), str) \
            or not conversation["id"]:
        raise ActivityError("the activity has no 'conversation.id'")
    service_url = activity.get("serviceUrl")
    if not isinstance(service_url, str):
        raise ActivityError("the activity has no 'serviceUrl'")
    activity_id = activity.get("id")
    return Inbound(
        text=_payload_from_value(activity.get("value")) or typed_text(activity),
        conversation=dict(conversation),
        user=_account(activity, "from"),
        bot=_account(activity, "recipient"),
        service_url=check_service_url(service_url, loopback_only, allowed_hosts),
        activity_id=activity_id if isinstance(activity_id, str) and activity_id else None,
        channel_id=str(activity.get("channelId") or ""),
        tenant_id=activity_tenant(activity),
        team_id=activity_team(activity),
    )


def sender_key(inbound: Inbound, secret: str) -> str:
    """Rasa's conversation id for this person in this Teams conversation.

    A keyed hash, so the tracker store never holds Microsoft's user or
    conversation ids, and one person's chat with the bot in two places (a
    1:1 chat and a channel thread) stays two separate cases. The key is a
    secret of its own (``pseudonym_key``), never the app password: rotating
    the password must not reset every conversation.
    """
    if not secret:
        raise ValueError("the pseudonym key is empty")
    material = f"{inbound.conversation['id']}\n{inbound.user['id']}".encode()
    digest = hmac.new(secret.encode(), material, hashlib.sha256).hexdigest()
    return f"teams-{digest[:40]}"


def reply_url(inbound: Inbound) -> str:
    """Where the connector takes a reply: under the message answered, when known."""
    base = inbound.service_url.rstrip("/")
    conversation = quote(inbound.conversation["id"], safe="")
    if inbound.activity_id:
        return f"{base}/v3/conversations/{conversation}/activities/{quote(inbound.activity_id, safe='')}"
    return f"{base}/v3/conversations/{conversation}/activities"


def conversation_url(inbound: Inbound) -> str:
    """Where an activity that answers no particular message goes (a typing indicator)."""
    return f"{inbound.service_url.rstrip('/')}/v3/conversations/{quote(inbound.conversation['id'], safe='')}/activities"


def typing_activity(inbound: Inbound) -> dict[str, Any]:
    """"Signpost is typing...": shown while a slow answer is prepared."""
    return {
        "type": "typing",
        "from": {k: v for k, v in inbound.bot.items() if k in ("id", "name")},
        "recipient": {"id": inbound.user["id"]},
        "conversation": {"id": inbound.conversation["id"]},
    }


def _envelope(inbound: Inbound) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "from": {k: v for k, v in inbound.bot.items() if k in ("id", "name")},
        "recipient": {"id": inbound.user["id"]},
        "conversation": {"id": inbound.conversation["id"]},
    }
    if inbound.activity_id:
        activity["replyToId"] = inbound.activity_id
    return activity


def text_activity(inbound: Inbound, text: str) -> dict[str, Any]:
    """A plain-text reply: textFormat plain, so nothing in it is read as Markdown."""
    return {**_envelope(inbound), "textFormat": "plain", "text": text}


def card_activity(inbound: Inbound, card: Mapping[str, Any], summary: str = "") -> dict[str, Any]:
    """A reply carrying one Adaptive Card; ``summary`` is for notifications and
    clients that cannot draw the card."""
    activity = {**_envelope(inbound), "attachments": [attachment(card)]}
    if summary:
        activity["summary"] = summary
    return activity
