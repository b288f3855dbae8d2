import pytest

pytestmark = pytest.mark.e2e


def test_greeting_says_what_signpost_is_not(rasa_stack):
    replies = rasa_stack.send("smoke-greet", "hello")
    text = " ".join(r.get("text", "") for r in replies)
    assert "999" in text
    assert "not an emergency service" in text
