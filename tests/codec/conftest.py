"""Fixtures of the codec tests: the vendor examples and real session objects in ``fixtures/events``."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from conftest import FIXTURES

EVENTS = FIXTURES / "events"


def load_examples() -> list[dict[str, Any]]:
    """The 110 OpenAPI examples (audio placeholders replaced by real base64 PCM)."""
    data: list[dict[str, Any]] = json.loads((EVENTS / "openai-python_openapi_realtime_event_examples.json").read_text())
    return data


def session_record(name: str) -> dict[str, Any]:
    """The session object of a recorded ``client_secrets`` response."""
    record = json.loads((EVENTS / name).read_text())
    session: dict[str, Any] = record["Entries"][0]["ResponseBody"]["session"]
    return session


def fixture_text(name: str) -> str:
    return pathlib.Path(EVENTS / name).read_text()
