"""Session recordings: every connection written as JSONL, in the format the scripted test server replays.

One JSON object per line. The first line describes the connection, without headers and without keys::

    {"t": 0.0, "dir": "meta", "dialect": "openai", "path": "/v1/realtime", "query": {"model": "gpt-realtime"}}

then one line per event, both directions, ``t`` in seconds since the connection opened::

    {"t": 0.013, "dir": "server", "event": {...the event exactly as on the wire...}}

Audio is kept (base64, as on the wire) so a recording replays whole. A client frame that is not a JSON object has no
event to write and is left out (the server's ``error`` answer to it is recorded), so every line keeps the contract's
shape. Query parameters that carry a credential (``api-key``, ``key``, ``access_token``, ``token``, ...) are left out,
and inside events the values of fields that carry one (an MCP tool's ``authorization`` and ``headers``, an avatar ICE
server's ``credential``, a ``client_secret``, ...) are written as ``"[redacted]"``.
"""

from __future__ import annotations

import json
import logging
import pathlib
import time
from collections.abc import Mapping
from typing import IO, Any

from pyagent.realtime._redaction import SECRET_EVENT_FIELDS, SECRET_NAMES

__all__ = ["REDACTED", "SECRET_EVENT_FIELDS", "SessionRecorder", "recording_path"]

logger = logging.getLogger("pyagent.server")


REDACTED = "[redacted]"


def recording_path(directory: pathlib.Path, dialect: str, session_id: str, started: float) -> pathlib.Path:
    """``DIR/local_<UTC time>_<dialect>_<session id>.jsonl``: sortable by time, unique per session."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    return directory / f"local_{stamp}_{dialect}_{session_id}.jsonl"


class SessionRecorder:
    """Appends one connection's events to a JSONL file as they pass; ``t`` comes from the caller's clock.

    Lines are written as they come and flushed on close, so a recording of a crashed session is still readable up to
    its last event.
    """

    def __init__(self, path: pathlib.Path, *, dialect: str, url_path: str, query: Mapping[str, str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: IO[str] | None = path.open("w", encoding="utf-8")
        safe_query = {key: value for key, value in query.items() if key.lower() not in SECRET_NAMES}
        self._write({"t": 0.0, "dir": "meta", "dialect": dialect, "path": url_path, "query": safe_query})

    def client(self, t: float, frame: str | bytes) -> None:
        """Record a frame the client sent, as it was (when it is a JSON object)."""
        text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
        stripped = text.strip()
        if stripped.startswith("{") and _is_json_object(stripped):
            if "\n" in stripped or "\r" in stripped:  # a pretty-printed frame must still fit on one line
                stripped = json.dumps(json.loads(stripped), ensure_ascii=False, separators=(",", ":"))
            self._write_raw(t, "client", stripped)
        else:
            logger.debug("not recording a client frame that is not a JSON object (%d characters)", len(text))

    def server(self, t: float, encoded: bytes) -> None:
        """Record an event the server sent, from the exact bytes that went on the wire."""
        self._write_raw(t, "server", encoded.decode("utf-8"))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write_raw(self, t: float, direction: str, event_json: str) -> None:
        # The event's JSON is spliced in as it was: no second encode, the recording holds the wire bytes, unless it
        # names a secret-bearing field (in either direction: a session echoes its tools), which is hidden first.
        if any(f'"{name}"' in event_json for name in SECRET_EVENT_FIELDS):
            event_json = json.dumps(_redacted(json.loads(event_json)), ensure_ascii=False, separators=(",", ":"))
        self._line(f'{{"t": {round(t, 6)!r}, "dir": "{direction}", "event": {event_json}}}')

    def _write(self, record: dict[str, Any]) -> None:
        self._line(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")))

    def _line(self, line: str) -> None:
        if self._file is None:
            return
        self._file.write(line)
        self._file.write("\n")


def _redacted(value: Any) -> Any:
    """A copy of a decoded event with the value of every secret-bearing field replaced by :data:`REDACTED`."""
    if isinstance(value, dict):
        return {
            key: (_redact_value(item) if key in SECRET_EVENT_FIELDS else _redacted(item)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):  # headers: keep the names, hide every value
        return {key: REDACTED for key in value}
    return REDACTED if value is not None else None


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
