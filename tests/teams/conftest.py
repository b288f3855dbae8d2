"""Fixtures shared by the Teams channel tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake_microsoft import FakeMicrosoft


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeMicrosoft]:
    """A loopback fake of Microsoft: signing keys, token endpoint, Bot Connector."""
    microsoft = FakeMicrosoft().start()
    try:
        yield microsoft
    finally:
        microsoft.stop()
