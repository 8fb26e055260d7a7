"""Frames built from ``protocol/*.json`` alone: the smallest valid frame of every event, and a way to reach every
model (and every union position) inside one, so tests can be generated over the whole catalogue.

A *route* leads from an event to a nested object: a list of ``(field, type)`` steps, where ``type`` is the catalogue
type placed at ``field`` (a model name, or ``list[...]`` of one, whose first element is followed).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from conftest import ROOT

EVENTS: list[dict[str, Any]] = json.loads((ROOT / "protocol" / "events.json").read_text())["events"]
_MODELS_FILE: dict[str, Any] = json.loads((ROOT / "protocol" / "models.json").read_text())
MODELS: dict[str, dict[str, Any]] = _MODELS_FILE["models"]
UNIONS: dict[str, dict[str, Any]] = _MODELS_FILE["unions"]
PRIMITIVES = {"string", "integer", "number", "boolean", "base64", "object", "any"}
SAMPLE = {"string": "s", "integer": 1, "number": 0.5, "boolean": True, "base64": "AAEC", "object": {}, "any": {"k": 1}}

Route = list[tuple[str, str]]


def alternatives(type_: str) -> list[str]:
    """The top-level alternatives of a catalogue type, ``null`` left out."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(type_):
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(type_[start:i].strip())
            start = i + 1
    parts.append(type_[start:].strip())
    return [p for p in parts if p != "null"]


def value_for(type_: str) -> Any:
    """The smallest valid JSON value of a catalogue type (its first alternative)."""
    alt = alternatives(type_)[0]
    if alt in SAMPLE:
        return copy.deepcopy(SAMPLE[alt])
    if alt.startswith("list["):
        return [value_for(alt[5:-1])]
    if alt in UNIONS:
        return model_value(next(iter(UNIONS[alt]["variants"].values())))
    return model_value(alt)


def model_value(name: str) -> dict[str, Any]:
    """The smallest valid object of a model: its tag, its required fields, and the fields a default fills."""
    entry = MODELS[name]
    value: dict[str, Any] = {}
    if "tag" in entry:
        value["type"] = entry["tag"]
    for field in entry["fields"]:
        if field["required"]:
            value[field["name"]] = value_for(field["type"])
        elif "default" in field:
            value[field["name"]] = field["default"]
    return value


def event_value(entry: dict[str, Any]) -> dict[str, Any]:
    """The smallest valid frame of an event."""
    value: dict[str, Any] = {"type": entry["type"]}
    for field in entry["fields"]:
        if field["required"]:
            value[field["name"]] = value_for(field["type"])
    return value


def _build(type_: str) -> tuple[Any, dict[str, Any]]:
    """A value of ``type_`` (a model, or lists of one) and the model object inside it."""
    if type_.startswith("list["):
        inner, target = _build(type_[5:-1])
        return [inner], target
    obj = model_value(type_)
    return obj, obj


def place(frame: dict[str, Any], route: Route) -> dict[str, Any]:
    """Put the objects of ``route`` into ``frame``; returns the innermost one (edits show in ``frame``)."""
    current = frame
    for field, type_ in route:
        current[field], current = _build(type_)
    return current


def steps(route: Route) -> list[str | int]:
    """The keys and indices that lead from the event to the route's object."""
    out: list[str | int] = []
    for field, type_ in route:
        out.append(field)
        out.extend([0] * type_.count("list["))
    return out


def _targets(type_: str) -> list[tuple[str, str]]:
    """(placed type, model name) for every model a field of this type can hold; union aliases become variants."""
    out = []
    for alt in alternatives(type_):
        depth = alt.count("list[")
        inner = alt[5 * depth : len(alt) - depth] if depth else alt
        wrap = ("list[" * depth, "]" * depth)
        if inner in UNIONS:
            out += [(f"{wrap[0]}{v}{wrap[1]}", v) for v in UNIONS[inner]["variants"].values()]
        elif inner in MODELS:
            out.append((alt, inner))
    return out


@dataclass(frozen=True)
class Place:
    """An event and the route inside it to one model."""

    event: dict[str, Any]
    route: Route


def model_places() -> dict[str, Place]:
    """The shortest route from some event to every model the events can carry (breadth first)."""
    found: dict[str, Place] = {}
    frontier: list[tuple[dict[str, Any], Route, list[dict[str, Any]]]] = [(e, [], e["fields"]) for e in EVENTS]
    while frontier:
        following = []
        for event, route, fields in frontier:
            for field in fields:
                for placed, model in _targets(field["type"]):
                    if model not in found:
                        found[model] = Place(event, [*route, (field["name"], placed)])
                        following.append((event, found[model].route, MODELS[model]["fields"]))
        frontier = following
    return found


def union_places() -> dict[str, tuple[Place, str, int]]:
    """For every union: a route to an object holding a field of that union's type (or a list of it), that field's
    name, and how many lists deep the union sits in it."""
    places = model_places()
    out: dict[str, tuple[Place, str, int]] = {}
    holders: list[tuple[Place, list[dict[str, Any]]]] = [(Place(e, []), e["fields"]) for e in EVENTS]
    holders += [(place, MODELS[name]["fields"]) for name, place in places.items()]
    holders.sort(key=lambda h: len(h[0].route))
    for holder, fields in holders:
        for field in fields:
            for alt in alternatives(field["type"]):
                inner = alt.replace("list[", "").replace("]", "")
                if inner in UNIONS and inner not in out:
                    out[inner] = (holder, field["name"], alt.count("list["))
    return out


def frame_at(place_: Place) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh frame of the place's event with the route's objects in it, and the innermost object."""
    frame = event_value(place_.event)
    return frame, place(frame, place_.route)


def locate(obj: Any, keys: list[str | int]) -> Any:
    """Follow wire keys and indices through a decoded event (the mapping access under test serves as the path)."""
    for key in keys:
        obj = obj[key]
    return obj
