"""Reading Teams activities and addressing replies (pure functions)."""
from __future__ import annotations

import pytest

from channels.teams.activities import (
    ActivityError,
    activity_team,
    activity_tenant,
    card_activity,
    check_service_url,
    host_allowed,
    read_message,
    reply_url,
    sender_key,
    text_activity,
    typed_text,
)


def _activity(**overrides):
    activity = {
        "type": "message", "id": "1700000000123", "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/uk/",
        "from": {"id": "29:user", "name": "A Professional"},
        "recipient": {"id": "28:bot", "name": "Signpost"},
        "conversation": {"id": "19:abc@thread.tacv2;messageid=1700000000000"},
        "text": "hello",
    }
    activity.update(overrides)
    return activity


def test_the_bots_mention_and_teams_html_are_removed_but_comparisons_are_kept():
    assert typed_text({"text": "<at>Signpost</at> what is MARAC?"}) == "what is MARAC?"
    assert typed_text({"text": "<p>she is <b>16</b></p>", "textFormat": "xml"}) == "she is 16"
    assert typed_text({"text": "age &lt; 18 &amp; scared", "textFormat": "xml"}) == "age < 18 & scared"
    assert typed_text({"text": "age < 18 and > 16"}) == "age < 18 and > 16"
    assert typed_text({"text": None}) == ""


def test_a_button_press_reads_the_payload_from_the_card_data():
    payload = '/inform{"children_in_household": true}'
    escaped = payload.replace('"', '\\"')
    for value in ({"signpost_payload": payload}, f'{{"signpost_payload": "{escaped}"}}'):
        assert read_message(_activity(text="", value=value)).text == payload
    # Data from some other card is not mistaken for ours.
    assert read_message(_activity(text="typed", value={"other": 1})).text == "typed"


def test_a_message_without_the_needed_parts_is_refused_with_a_reason():
    for broken, reason in ((_activity(conversation=None), "conversation.id"),
                           (_activity(**{"from": {}}), "from.id"),
                           (_activity(recipient="bot"), "recipient.id"),
                           (_activity(serviceUrl=None), "serviceUrl"),
                           ([], "JSON object")):
        with pytest.raises(ActivityError, match=reason):
            read_message(broken)


def test_replies_only_go_to_microsofts_connector_hosts_over_https():
    assert check_service_url("https://smba.trafficmanager.net/uk/", loopback_only=False)
    assert check_service_url("https://europe.botframework.com/", loopback_only=False)
    # A loopback fake of Microsoft only when a deployment (here: a test) lists it.
    assert check_service_url("http://127.0.0.1:3978/", loopback_only=False, allowed_hosts=["127.0.0.1"])
    assert check_service_url("http://localhost:3978/", loopback_only=True)
    for url in ("http://smba.trafficmanager.net/uk/", "ftp://x/", "not a url", "https://attacker.example/",
                "https://botframework.com.attacker.example/", "https://evilbotframework.com/",
                "http://127.0.0.1:3978/"):
        with pytest.raises(ActivityError):
            check_service_url(url, loopback_only=False)
    # Without request authentication the token must never leave this machine.
    with pytest.raises(ActivityError, match="this machine"):
        check_service_url("https://smba.trafficmanager.net/uk/", loopback_only=True)


def test_the_host_list_is_configurable_and_a_star_means_subdomains_only():
    assert host_allowed("a.example.org", ["*.example.org"])
    assert not host_allowed("example.org", ["*.example.org"])
    assert host_allowed("SMBA.trafficmanager.net.", ["smba.trafficmanager.net"])
    assert not host_allowed("smba.trafficmanager.net", ["*.botframework.com"])
    with pytest.raises(ActivityError, match="Bot Connector hosts"):
        check_service_url("https://smba.trafficmanager.net/uk/", loopback_only=False,
                          allowed_hosts=["*.botframework.com"])


def test_only_activities_from_teams_are_read():
    for channel in (None, "", "slack", "emulator", "MSTEAMS"):
        with pytest.raises(ActivityError, match="channelId"):
            read_message(_activity(channelId=channel))


def test_the_tenant_and_the_team_are_read_from_the_activity():
    inbound = read_message(_activity(channelData={"tenant": {"id": "t-1"}, "team": {"id": "19:team"}}))
    assert (inbound.tenant_id, inbound.team_id) == ("t-1", "19:team")
    personal = read_message(_activity(conversation={"id": "a:1", "tenantId": "t-2"}))
    assert (personal.tenant_id, personal.team_id) == ("t-2", "")
    assert activity_tenant({}) == "" and activity_team({"channelData": {"teamsTeamId": "19:x"}}) == "19:x"


def test_the_conversation_id_rasa_keeps_is_a_stable_pseudonym():
    inbound = read_message(_activity())
    key = sender_key(inbound, "secret")
    assert key == sender_key(read_message(_activity(text="again")), "secret")
    assert "29:user" not in key and "19:abc" not in key
    assert key != sender_key(inbound, "another secret")
    with pytest.raises(ValueError):
        sender_key(inbound, "")  # never an unkeyed (guessable) hash
    other_chat = read_message(_activity(conversation={"id": "a:personal-chat"}))
    assert sender_key(other_chat, "secret") != key


def test_replies_are_addressed_to_the_conversation_under_the_message_answered():
    inbound = read_message(_activity())
    assert reply_url(inbound) == ("https://smba.trafficmanager.net/uk/v3/conversations/"
                                  "19%3Aabc%40thread.tacv2%3Bmessageid%3D1700000000000/activities/1700000000123")
    reply = text_activity(inbound, "Thank you")
    assert reply == {"type": "message", "from": {"id": "28:bot", "name": "Signpost"}, "recipient": {"id": "29:user"},
                     "conversation": {"id": "19:abc@thread.tacv2;messageid=1700000000000"},
                     "replyToId": "1700000000123", "textFormat": "plain", "text": "Thank you"}
    card = card_activity(inbound, {"type": "AdaptiveCard"}, summary="Answer")
    assert card["attachments"] == [{"contentType": "application/vnd.microsoft.card.adaptive",
                                    "content": {"type": "AdaptiveCard"}}]
    assert card["summary"] == "Answer"
    no_id = read_message(_activity(id=None))
    assert reply_url(no_id).endswith("/activities") and "replyToId" not in text_activity(no_id, "x")
