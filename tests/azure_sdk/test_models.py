"""``pyagent.realtime.models`` is ``azure.ai.voicelive.models`` by name: every name the SDK exports exists, is
pyagent's own class (or union), and, given the same arguments, encodes what the SDK's ``as_dict()`` gives."""

from __future__ import annotations

import base64
import enum
import inspect
import json
import sys
import typing
from typing import Any

import msgspec
import pytest
from msgspec import inspect as mi

from pyagent.realtime import AsyncTokenCredential, AzureKeyCredential, DefaultAzureCredential, KeyCredential
from pyagent.realtime import events as ev
from pyagent.realtime import models as pm
from pyagent.realtime.codec import encode_client_event, encode_server_event
from pyagent.realtime.errors import MissingDependencyError

am = pytest.importorskip("azure.ai.voicelive.models")
model_base = pytest.importorskip("azure.ai.voicelive._utils.model_base")
azure_credentials = pytest.importorskip("azure.core.credentials")
azure_credentials_async = pytest.importorskip("azure.core.credentials_async")

SDK_NAMES = sorted(am.__all__)
SDK_ENUMS = [n for n in SDK_NAMES if inspect.isclass(getattr(am, n)) and issubclass(getattr(am, n), enum.Enum)]
SDK_MODELS = [n for n in SDK_NAMES if n not in SDK_ENUMS]
# The names the seed (``voicelive-api.md``) and the published samples use.
SEED_NAMES = [
    "RequestSession",
    "ResponseCreateParams",
    "ConversationRequestItem",
    "Modality",
    "Voice",
    "InputAudioFormat",
    "OutputAudioFormat",
    "TurnDetection",
    "Tool",
    "ToolChoice",
    "AudioInputTranscriptionOptions",
    "ServerEvent",
    "ClientEvent",
    "InterimResponseConfig",
]


def _sdk_fields(cls: type) -> dict[str, Any]:
    """Attribute name -> the SDK's rest field, over the class's whole MRO."""
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, model_base._RestField):
                fields[name] = value
    return fields


def _is_union(value: object) -> bool:
    return isinstance(value, typing._UnionGenericAlias) or type(value).__name__ == "UnionType"  # type: ignore[attr-defined]


def test_every_sdk_and_seed_name_exists() -> None:
    assert set(SDK_NAMES) <= set(pm.__all__)
    assert set(SEED_NAMES) <= set(pm.__all__)
    assert len(SDK_NAMES) == 199


@pytest.mark.parametrize("name", SDK_ENUMS)
def test_enums_have_the_sdks_members_equal_to_their_wire_strings(name: str) -> None:
    ours = getattr(pm, name)
    assert issubclass(ours, enum.StrEnum)
    for member in getattr(am, name):
        assert ours[member.name] == member.value == member
        assert ours[member.name].value == member.value


def test_event_type_enums_name_every_event_pyagent_models() -> None:
    assert {m.value for m in pm.ServerEventType} == set(ev.SERVER_EVENT_TYPES)
    assert set(ev.CLIENT_EVENT_TYPES) <= {m.value for m in pm.ClientEventType}


def _wire_type(sdk_cls: type, base: type) -> str:
    return next(tag for tag, cls in base.__mapping__.items() if cls is sdk_cls)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [n for n in SDK_MODELS if n.startswith(("ServerEvent", "ClientEvent"))])
def test_sdk_event_names_are_pyagents_event_classes(name: str) -> None:
    sdk_cls, ours = getattr(am, name), getattr(pm, name)
    if name in ("ServerEvent", "ClientEvent"):
        assert ours is getattr(ev, name)
        return
    if name in ("ServerEventType", "ClientEventType"):
        return
    if name.endswith("Details"):
        assert ours in (ev.ErrorDetail, ev.WarningDetail)
        return
    base, table = (am.ServerEvent, ev.SERVER_EVENT_TYPES) if name.startswith("Server") else (am.ClientEvent, {})
    if name.startswith("Client"):
        table = ev.CLIENT_EVENT_TYPES
    assert ours is table[_wire_type(sdk_cls, base)]
    assert getattr(ev, ours.__name__) is ours


# --- same name, same wire --------------------------------------------------------------------------------------


def _our_field_types(cls: type[msgspec.Struct]) -> dict[str, mi.Type]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return {f.encode_name: f.type for f in info.fields}


# Fields whose only value the SDK's classes write is a constant (it sets them itself, whatever it is given).
CONSTANTS = {"pre_generated_assistant_message.role": "assistant", "timestamp_type": "word"}


def _value(info: mi.Type, label: str) -> Any:
    """A value of our field type that uses every nested Struct's fields too (so nesting is compared)."""
    constant = next((v for k, v in CONSTANTS.items() if label.endswith(k)), None)
    if constant is not None:
        return constant
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        structs = [t for t in members if isinstance(t, mi.StructType)]
        return _value(structs[0] if structs else members[0], label)
    if isinstance(info, mi.StructType):
        return _instance(info.cls, label)
    if isinstance(info, mi.ListType):
        return [_value(info.item_type, label)]
    if isinstance(info, mi.DictType):
        return {"k": "v"}
    simple: dict[type, Any] = {
        mi.StrType: f"v-{label}",
        mi.IntType: 3,
        mi.FloatType: 0.25,
        mi.BoolType: True,
        mi.BytesType: b"\x01\x02\x03",
        mi.AnyType: {"type": "object", "properties": {}},
    }
    return simple[type(info)]


def _instance(cls: type[msgspec.Struct], label: str) -> Any:
    """``cls`` with every field set, but the discriminators a class fills in itself."""
    kwargs = {}
    for field, info in zip(msgspec.structs.fields(cls), _our_field_types(cls).values(), strict=True):
        if field.encode_name in ("type", "object") and not field.required:
            continue
        kwargs[field.name] = _value(info, f"{label}.{field.encode_name}")
    return cls(**kwargs)


def _fills_itself(sdk_cls: type, attr: str) -> bool:
    """Whether the SDK's class sets this field on its own (a constant ``type``)."""
    try:
        return attr in sdk_cls().as_dict()
    except TypeError:
        return False


def _sdk_argument(rest_field: Any, ours: Any) -> Any:
    """What the SDK takes for the same value: plain JSON for nested models, base64 text where its type is str."""
    if isinstance(ours, bytes):
        return ours if rest_field._format == "base64" else base64.b64encode(ours).decode()
    if isinstance(ours, msgspec.Struct):
        return ours.as_dict()  # type: ignore[attr-defined]
    if isinstance(ours, list):
        return [x.as_dict() if isinstance(x, msgspec.Struct) else x for x in ours]  # type: ignore[attr-defined]
    return ours


CONSTRUCTIBLE = [
    n for n in SDK_MODELS if isinstance(getattr(pm, n), type) and issubclass(getattr(pm, n), msgspec.Struct)
]


@pytest.mark.parametrize("name", CONSTRUCTIBLE)
def test_same_name_same_wire(name: str) -> None:
    """Every argument the SDK's class takes, given to both, gives the same JSON."""
    sdk_cls, ours = getattr(am, name), getattr(pm, name)
    ours_types = _our_field_types(ours)
    sdk_kwargs: dict[str, Any] = {}
    our_kwargs: dict[str, Any] = {}
    our_attrs = {f.encode_name: f.name for f in msgspec.structs.fields(ours)}
    required = {f.encode_name for f in msgspec.structs.fields(ours) if f.required}
    for attr, rest_field in _sdk_fields(sdk_cls).items():
        wire = rest_field._rest_name_input or attr
        if wire not in ours_types:  # a tag pyagent's class carries itself
            assert wire == "type", f"{name}.{attr} has no pyagent field"
            continue
        if (rest_field._is_discriminator or _fills_itself(sdk_cls, wire)) and wire not in required:
            continue
        value = _value(ours_types[wire], f"{name}.{wire}")
        if name == "MessageItem" and wire == "role":
            value = "user"
        our_kwargs[our_attrs[wire]] = value
        sdk_kwargs[attr] = _sdk_argument(rest_field, value)
    built = ours(**our_kwargs)
    expected = sdk_cls(**sdk_kwargs).as_dict()
    assert built.as_dict() == expected
    if isinstance(built, ev.ClientEventBase):
        assert json.loads(encode_client_event(built)) == expected
    elif isinstance(built, ev.ServerEventBase):
        assert json.loads(encode_server_event(built)) == expected


@pytest.mark.parametrize("name", CONSTRUCTIBLE)
def test_with_no_arguments_but_the_required_the_wire_is_the_same(name: str) -> None:
    """The defaults each side fills in (``AudioEchoCancellation()``'s type, ``UserMessageItem``'s role)."""
    sdk_cls, ours = getattr(am, name), getattr(pm, name)
    required = {
        f.name: _value(t, f"{name}.{f.encode_name}")
        for f, t in zip(msgspec.structs.fields(ours), _our_field_types(ours).values(), strict=True)
        if f.required
    }
    sdk_fields = _sdk_fields(sdk_cls)
    sdk_kwargs = {}
    for attr, value in required.items():
        rest_field = sdk_fields.get(attr)
        if rest_field is not None:
            sdk_kwargs[attr] = _sdk_argument(rest_field, value)
    assert ours(**required).as_dict() == sdk_cls(**sdk_kwargs).as_dict()


def test_the_issue_example_and_the_request_session_null() -> None:
    assert pm.AudioEchoCancellation().as_dict() == am.AudioEchoCancellation().as_dict()
    assert pm.AudioEchoCancellation().as_dict() == {"type": "server_echo_cancellation"}
    ours = pm.RequestSession(turn_detection=None, instructions="x")
    theirs = am.RequestSession(turn_detection=None, instructions="x")
    assert ours.as_dict() == theirs.as_dict() == {"turn_detection": None, "instructions": "x"}


ABSTRACT = [n for n in SDK_MODELS if _is_union(getattr(pm, n))]


@pytest.mark.parametrize("name", ABSTRACT)
def test_sdk_bases_are_unions_of_the_concrete_classes(name: str) -> None:
    """Every concrete SDK subclass of an abstract SDK base maps to a member of the matching pyagent union."""
    union = getattr(pm, name)
    members = set(typing.get_args(union))
    subclasses = [n for n in CONSTRUCTIBLE if issubclass(getattr(am, n), getattr(am, name))]
    assert subclasses or name in ("ConversationItemBase",)
    for sub in subclasses:
        ours = getattr(pm, sub)
        assert any(issubclass(ours, member) for member in members if isinstance(member, type)), (name, sub)


def test_decoded_events_pass_isinstance_against_the_sdk_names() -> None:
    from pyagent.realtime.codec import decode_server_event

    created = decode_server_event('{"type": "response.created", "response": {"id": "r"}}')
    assert isinstance(created, pm.ServerEventResponseCreated)
    assert isinstance(created, pm.ServerEvent)
    item = decode_server_event(
        '{"type": "conversation.item.created", "item": {"type": "function_call", "call_id": "c", "name": "f"}}'
    )
    assert isinstance(item, pm.ServerEventConversationItemCreated)
    assert isinstance(item.item, pm.ResponseFunctionCallItem)  # type: ignore[union-attr]
    assert isinstance(item.item, pm.ConversationRequestItem)  # type: ignore[union-attr]
    assert item.type == pm.ServerEventType.CONVERSATION_ITEM_CREATED
    assert item.item.type == pm.ItemType.FUNCTION_CALL  # type: ignore[union-attr]


def test_credentials_port_without_an_azure_package() -> None:
    key = AzureKeyCredential("k-123")
    assert AzureKeyCredential is KeyCredential
    assert key.key == "k-123"
    assert "k-123" not in repr(key)
    assert not isinstance(key, AsyncTokenCredential)
    assert not isinstance(azure_credentials.AzureKeyCredential("k"), AsyncTokenCredential)


def test_default_azure_credential_needs_azure_identity_only_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity.aio", None)  # as where azure-identity is not installed
    with pytest.raises(MissingDependencyError, match="pip install azure-identity") as missing:
        DefaultAzureCredential()
    assert isinstance(missing.value, ImportError)


async def test_default_azure_credential_is_azure_identitys() -> None:
    identity = pytest.importorskip("azure.identity.aio")
    credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
    try:
        assert isinstance(credential, identity.DefaultAzureCredential)
        assert isinstance(credential, AsyncTokenCredential)
        assert isinstance(credential, azure_credentials_async.AsyncTokenCredential)
    finally:
        await credential.close()


async def test_what_recv_returns_passes_isinstance_against_the_sdk_names() -> None:
    from pyagent.realtime import connect
    from pyagent.server import LocalServer

    async with (
        LocalServer(speech="off") as server,
        connect(endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime") as connection,
    ):
        created = await connection.recv()
        assert isinstance(created, pm.ServerEventSessionCreated)
        assert created.type == pm.ServerEventType.SESSION_CREATED
        await connection.session.update(session=pm.RequestSession(instructions="Be brief.", turn_detection=None))
        updated = await connection.recv()
        assert isinstance(updated, pm.ServerEventSessionUpdated)
        assert isinstance(updated.session, pm.ResponseSession)
        assert updated.session.instructions == "Be brief."
        await connection.conversation.item.create(item=pm.UserMessageItem(content=[pm.InputTextContentPart(text="hi")]))
        added = await connection.recv()
        assert isinstance(added, pm.ServerEventConversationItemCreated)
        assert isinstance(added.item, pm.ResponseMessageItem)
        assert added.item.role == pm.MessageRole.USER  # type: ignore[union-attr]
