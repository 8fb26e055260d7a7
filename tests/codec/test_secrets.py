"""Secrets that travel in events (ephemeral keys, MCP credentials, TURN credentials) never appear in a repr."""

from __future__ import annotations

import json

from pyagent.realtime.codec import decode_server_event, encode_client_event
from pyagent.realtime.events import (
    Avatar,
    AvatarIceServer,
    ClientSecret,
    InvalidEvent,
    McpTool,
    Session,
    SessionCreated,
    SessionUpdate,
    UnknownEvent,
)

SECRET = "ek_0123456789abcdef"


def test_session_repr_hides_client_secret_but_the_wire_keeps_it() -> None:
    frame = {
        "type": "session.created",
        "event_id": "e",
        "session": {"id": "s", "client_secret": {"value": SECRET, "expires_at": 1}},
    }
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, SessionCreated)
    assert SECRET not in repr(event)
    assert "expires_at=1" in repr(event)
    assert isinstance(event.session.client_secret, ClientSecret)
    assert event.session.client_secret.value == SECRET


def test_mcp_tool_repr_hides_authorization_and_header_values() -> None:
    tool = McpTool(
        server_label="docs", server_url="https://mcp.example", authorization=SECRET, headers={"X-Key": SECRET}
    )
    update = SessionUpdate(session=Session(tools=[tool]))
    assert SECRET not in repr(update)
    assert "X-Key" in repr(update)
    assert "docs" in repr(update)
    wire = json.loads(encode_client_event(update))
    assert wire["session"]["tools"][0]["authorization"] == SECRET


def test_avatar_ice_credential_is_hidden() -> None:
    avatar = Avatar(ice_servers=[AvatarIceServer(urls=["turn:relay"], username="u", credential=SECRET)])
    assert SECRET not in repr(avatar)
    assert "turn:relay" in repr(avatar)


def test_fallback_events_do_not_print_their_raw_frame() -> None:
    unknown = decode_server_event(json.dumps({"type": "session.secret", "value": SECRET}))
    assert isinstance(unknown, UnknownEvent)
    assert SECRET not in repr(unknown)
    assert unknown.raw["value"] == SECRET
    invalid = decode_server_event(json.dumps({"type": "session.created", "session": {"client_secret": SECRET}}))
    assert isinstance(invalid, InvalidEvent)
    assert SECRET not in repr(invalid)
    assert SECRET in invalid.raw
