"""Fixtures of the connection tests: the secrets whose absence from every log line the whole run checks."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

KEY = "sk-test-KEY-7f3a9c1e5b2d4e6f"
TOKEN = "eyJ-test-TOKEN-0a1b2c3d4e5f"
SECRETS = (KEY, TOKEN)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1])
        self.lines.append(text)


COLLECTOR = _Collector()


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_any_log_line() -> Iterator[None]:
    """After the whole run: not one DEBUG record of any connection test may hold a key or token."""
    yield
    leaked = [line for line in COLLECTOR.lines if any(secret in line for secret in SECRETS)]
    assert COLLECTOR.lines, "no log line was captured, so the secret check proved nothing"
    shown = [line.replace(KEY, "<KEY>").replace(TOKEN, "<TOKEN>")[:120] for line in leaked[:3]]
    assert not leaked, f"secrets in {len(leaked)} log line(s): {shown}"


@pytest.fixture(autouse=True)
def _collect_debug_logs() -> Iterator[None]:
    """Each connection test runs with every logger at DEBUG, its records kept for the check above."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(COLLECTOR)
    try:
        yield
    finally:
        root.removeHandler(COLLECTOR)
        root.setLevel(previous)


@pytest.fixture
def key() -> str:
    """An API key no log line may show."""
    return KEY


@pytest.fixture
def token() -> str:
    """A bearer token no log line may show."""
    return TOKEN
