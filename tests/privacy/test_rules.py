"""The channel's input rules, the log scrubbing and the store's redaction, tested directly."""
from __future__ import annotations

import json
import logging
import sys

from rasa.shared.core.events import BotUttered, UserUttered

from assistant import log_privacy
from assistant.redacting_tracker_store import REDACTED, clean_bot_event, redact
from channels.input_checks import BAD_PAYLOAD, MAX_MESSAGE_CHARS, TOO_LONG, PayloadRules, Refused
from channels.rest.checks import BAD_BODY, BAD_MESSAGE, BAD_SENDER, Accepted, RateLimiter, check_request

RULES = PayloadRules()
SENDER = "web-0123456789abcdef"


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_known_payloads_pass_and_anything_else_is_refused():
    for ok in ['/inform{"immediate_danger": false}', "/show_advice", '/inform{"children_in_household": null}',
               '/restart{"confirmed": true}', '/inform{"disclosure_source": "third_party"}']:
        assert RULES.is_known_payload(ok), ok
    for bad in ['/inform{"immediate_danger": "Quentin Farrowdale"}', '/inform{"quentin_farrowdale": true}',
                '/inform{"immediate_danger": tru', "/no_such_intent", '/inform["L20 7QZ"]',
                '/inform{"immediate_danger": false}{"x": 1}', '/inform@0.9{"weapon": true}']:
        assert not RULES.is_known_payload(bad), bad
        assert check_request(body(sender=SENDER, message=bad), RULES) == Refused(200, BAD_PAYLOAD)


def test_slash_text_that_is_not_a_payload_is_read_as_typed_text():
    checked = check_request(body(sender=SENDER, message="/ he hit her"), RULES)
    assert checked == Accepted(SENDER, "he hit her", None)


def test_bodies_senders_and_messages_that_are_refused():
    for raw in [b"", b"  ", b"[]", b'"hello"', b"42", b"null", b"{not json"]:
        assert check_request(raw, RULES) == Refused(400, BAD_BODY), raw
    for sender in [None, "", "default", "a b c d e f g h", "x" * 65, 12345678, ["web-0123456789"]]:
        assert check_request(body(sender=sender, message="hi"), RULES) == Refused(400, BAD_SENDER), sender
    for message in [None, 42, ["Quentin"], {"text": "Quentin"}]:
        assert check_request(body(sender=SENDER, message=message), RULES) == Refused(400, BAD_MESSAGE)
    assert check_request(body(sender=SENDER, message="x" * (MAX_MESSAGE_CHARS + 1)), RULES) == Refused(200, TOO_LONG)
    assert check_request(b'{"sender": "%s", "message": "%s"}' % (SENDER.encode(), b"x" * 10**6),
                         RULES) == Refused(200, TOO_LONG)


def test_a_lone_surrogate_is_replaced_not_fatal():
    checked = check_request(b'{"sender": "%s", "message": "hi \\ud800 there"}' % SENDER.encode(), RULES)
    assert isinstance(checked, Accepted)
    checked.message.encode("utf-8")


def test_the_rate_limiter_allows_a_burst_then_refuses_then_refills():
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now=0.0)                       # per sender
    assert limiter.allow("a", now=0.6)                       # refilled


def test_the_store_keeps_known_payloads_only():
    kept = UserUttered('/inform{"weapon": true}', intent={"name": "inform"})
    assert redact(kept) is kept
    for text in ['/inform{"weapon": "Quentin Farrowdale"}', "/Quentin Farrowdale 07700 900461", "hello Quentin"]:
        stored = redact(UserUttered(text, intent={"name": "inform"}, parse_data={"text": text}))
        assert stored.text == REDACTED and "Quentin" not in json.dumps(stored.as_dict())


def test_bot_events_lose_any_echo_of_what_was_typed():
    typed = "what is MARAC? asking for Quentin Farrowdale"
    event = BotUttered(text=f"You asked: {typed}", data={"custom": {"answer": {"question": "x", "id": "marac"}}})
    cleaned = json.dumps(clean_bot_event(event, [typed]).as_dict())
    assert "Farrowdale" not in cleaned and '"question": "x"' not in cleaned and "marac" in cleaned


def test_log_lines_lose_user_text(caplog):
    log_privacy.install()
    logger = logging.getLogger("rasa.core.channels.rest")
    with caplog.at_level(logging.INFO):
        logger.error(json.dumps({"text": "Quentin Farrowdale", "event": "rest.message.received.failure",
                                 "exception": [{"exc_value": "Quentin", "frames": [{"locals": {"t": "Quentin"}}]}]}))
        logging.getLogger("py.warnings").warning("Failed to parse arguments in line '/inform{Quentin}'. Continuing")
        typed = "Quentin Farrowdale"
        try:
            raise ValueError(typed)   # an exception whose message quotes a value
        except ValueError:
            logging.getLogger("rasa_sdk.executor").exception("action failed")
    text = caplog.text + "".join(logging.Formatter().format(r) for r in caplog.records)
    assert "Quentin" not in text
    assert "rest.message.received.failure" in text and "ValueError" in text
    assert sys.getrecursionlimit()   # the filter never raises
