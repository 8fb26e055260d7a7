"""``protocol/`` is the reviewable spec: the Structs must match it field for field, in both directions."""

from __future__ import annotations

import json
import typing
from typing import Any

import msgspec
import pytest
from codec.wiretypes import struct_fields

from conftest import ROOT
from pyagent.realtime import events
from pyagent.realtime.dialects import DIALECTS
from pyagent.realtime.events import CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES, ClientEventBase, ServerEventBase, _models

CATALOGUE: dict[str, Any] = json.loads((ROOT / "protocol" / "events.json").read_text())
MODELS: dict[str, Any] = json.loads((ROOT / "protocol" / "models.json").read_text())
EVENTS: list[dict[str, Any]] = CATALOGUE["events"]


def _by_name(fields: list[dict[str, Any]]) -> dict[str, tuple[str, bool, Any]]:
    return {f["name"]: (f["type"], f["required"], f.get("default")) for f in fields}


def _class_name(event_type: str) -> str:
    special = {"error": "ErrorEvent", "warning": "WarningEvent"}
    return special.get(event_type) or "".join(p.capitalize() for p in event_type.replace(".", "_").split("_"))


def test_catalogue_covers_every_sdk_event() -> None:
    client = {e["type"] for e in EVENTS if e["direction"] == "client"}
    server = {e["type"] for e in EVENTS if e["direction"] == "server"}
    # 20 client and 72 server types across the OpenAI (GA, beta) and Voice Live SDKs, plus the translation
    # session's and the beta transcription_session.created the vendor's examples use.
    assert len(client) == 22
    assert len(server) == 77
    assert len(EVENTS) == len(client) + len(server)
    assert not client & server, "the two directions share one type namespace without clashes"


@pytest.mark.parametrize("entry", EVENTS, ids=lambda e: f"{e['direction']}:{e['type']}")
def test_catalogued_event_has_a_struct_with_exactly_its_fields(entry: dict[str, Any]) -> None:
    table = CLIENT_EVENT_TYPES if entry["direction"] == "client" else SERVER_EVENT_TYPES
    cls = table[entry["type"]]
    assert cls.__name__ == entry["class"] == _class_name(entry["type"])
    assert getattr(events, cls.__name__) is cls
    assert cls.__struct_config__.tag == entry["type"] == cls.type
    assert cls.__struct_config__.tag_field == "type"
    assert _by_name(struct_fields(cls)) == _by_name(entry["fields"])
    assert set(entry["dialects"]) <= set(DIALECTS)
    assert entry["dialects"]


def test_every_event_struct_is_catalogued() -> None:
    catalogued = {(e["direction"], e["class"]) for e in EVENTS}
    structs = set()
    for name in events.__all__:
        obj = getattr(events, name)
        if isinstance(obj, type) and issubclass(obj, ClientEventBase) and obj is not ClientEventBase:
            structs.add(("client", name))
        if isinstance(obj, type) and issubclass(obj, ServerEventBase) and obj is not ServerEventBase:
            structs.add(("server", name))
    assert structs == catalogued
    assert {c.__name__ for c in CLIENT_EVENT_TYPES.values()} == {n for d, n in catalogued if d == "client"}
    assert {c.__name__ for c in SERVER_EVENT_TYPES.values()} == {n for d, n in catalogued if d == "server"}


def test_unions_of_the_decoders_hold_every_event() -> None:
    assert set(typing.get_args(events.KnownClientEvent)) == set(CLIENT_EVENT_TYPES.values())
    assert set(typing.get_args(events.KnownServerEvent)) == set(SERVER_EVENT_TYPES.values())


@pytest.mark.parametrize("name", sorted(MODELS["models"]))
def test_catalogued_model_matches_its_struct(name: str) -> None:
    entry = MODELS["models"][name]
    cls = getattr(events, name)
    assert _by_name(struct_fields(cls)) == _by_name(entry["fields"])
    assert cls.__struct_config__.tag == entry.get("tag")


def test_every_model_struct_is_catalogued() -> None:
    structs = {
        name
        for name in _models.__all__
        if isinstance(getattr(_models, name), type) and issubclass(getattr(_models, name), msgspec.Struct)
    }
    assert structs == set(MODELS["models"])


@pytest.mark.parametrize("name", sorted(MODELS["unions"]))
def test_catalogued_union_matches_its_alias(name: str) -> None:
    entry = MODELS["unions"][name]
    members = typing.get_args(getattr(events, name))
    variants = {m.__struct_config__.tag: m.__name__ for m in members if m is not str}
    assert variants == entry["variants"]
    assert (str in members) == (entry.get("or") == "string")


def test_every_type_a_catalogue_names_exists() -> None:
    known = set(MODELS["models"]) | set(MODELS["unions"]) | {"string", "integer", "number", "boolean"}
    known |= {"base64", "object", "any", "null"}
    fields = [f for e in EVENTS for f in e["fields"]] + [f for m in MODELS["models"].values() for f in m["fields"]]
    for field in fields:
        for part in field["type"].replace("list[", " ").replace("]", " ").replace("|", " ").split():
            assert part in known, (field, part)


def test_beta_names_point_at_catalogued_ga_events() -> None:
    server = {e["type"]: e for e in EVENTS if e["direction"] == "server"}
    renamed = {e["type"]: e["ga_name"] for e in EVENTS if "ga_name" in e}
    assert len(renamed) == 6
    for beta, ga in renamed.items():
        assert "openai" in server[ga]["dialects"]
        assert "openai" not in server[beta]["dialects"]
        assert _by_name(server[beta]["fields"]).keys() <= _by_name(server[ga]["fields"]).keys() | {"obfuscation"}


def test_every_event_of_a_real_voicelive_turn_is_catalogued_for_voicelive() -> None:
    text = (ROOT / "fixtures" / "events" / "msdocs_voicelive_python_quickstart_observed_event_order.txt").read_text()
    observed = [line.split()[0] for line in text.splitlines() if line[:1].isalpha() and "." in line.split()[0]]
    observed = [name for name in observed if not name.endswith(":")]
    server = {e["type"]: e for e in EVENTS if e["direction"] == "server"}
    assert len(observed) >= 10
    for name in observed:
        assert "voicelive" in server[name]["dialects"], name
