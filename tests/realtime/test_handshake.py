"""The opening handshake of each dialect and credential kind, as a real server sees it; and every way it fails."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest

from pyagent.realtime import (
    AZURE_OPENAI,
    AZURE_OPENAI_GA,
    OPENAI,
    VOICELIVE,
    ConnectionError,
    ConnectionTimeout,
    HandshakeError,
    InsecureTransportError,
    KeyCredential,
    TokenCredential,
    WebsocketConnectionOptions,
    connect,
)
from pyagent.realtime.testing import Handshake, Reject, ScriptedPeer, ScriptedServer

HTTP_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 502: "Bad Gateway"}


async def _handshake(**kwargs: Any) -> Handshake:
    async with ScriptedServer() as server:
        async with connect(endpoint=server.endpoint, **kwargs) as conn:
            assert not conn.closed
        return server.handshakes[0]


# -- URL, query and auth header of each dialect ---------------------------------------------------------------------


async def test_openai_bearer_key_and_model(key: str) -> None:
    hs = await _handshake(credential=key, dialect="openai", model="gpt-realtime")
    assert hs.path == "/v1/realtime"
    assert hs.query == {"model": "gpt-realtime"}
    assert hs.headers["authorization"] == f"Bearer {key}"
    assert "api-key" not in hs.headers
    assert "openai-beta" not in hs.headers


async def test_openai_endpoint_already_ending_in_v1() -> None:
    async with ScriptedServer() as server, connect(endpoint=server.endpoint + "/v1", dialect="openai"):
        pass
    assert server.handshakes[0].path == "/v1/realtime"


async def test_azure_openai_preview_api_key_and_deployment(key: str) -> None:
    hs = await _handshake(credential=key, dialect="azure-openai", model="gpt-4o-rt")
    assert hs.path == "/openai/realtime"
    assert hs.query == {"api-version": AZURE_OPENAI.default_api_version, "deployment": "gpt-4o-rt"}
    assert hs.headers["api-key"] == key
    assert "authorization" not in hs.headers


@pytest.mark.parametrize("how", [{"dialect": "azure-openai-ga"}, {"dialect": "azure-openai", "api_version": "v1"}])
async def test_azure_openai_ga_path(key: str, how: dict[str, str]) -> None:
    hs = await _handshake(credential=key, model="gpt-realtime", **how)
    assert hs.path == "/openai/v1/realtime"
    assert hs.query == {"model": "gpt-realtime"}
    assert hs.headers["api-key"] == key


async def test_voicelive_api_version_model_and_key(key: str) -> None:
    hs = await _handshake(credential=KeyCredential(key), dialect="voicelive", model="gpt-realtime")
    assert hs.path == "/voice-live/realtime"
    assert hs.query == {"api-version": "2025-10-01", "model": "gpt-realtime"}
    assert hs.headers["api-key"] == key


async def test_voicelive_agent_fields_become_query_parameters(key: str) -> None:
    hs = await _handshake(
        credential=key,
        dialect="voicelive",
        agent_name="helper",
        project_name="proj",
        agent_version="3",
        conversation_id="conv_1",
    )
    assert hs.query == {
        "api-version": "2025-10-01",
        "agent-name": "helper",
        "agent-project-name": "proj",
        "agent-version": "3",
        "conversation-id": "conv_1",
    }


async def test_query_and_headers_are_merged_last(key: str) -> None:
    hs = await _handshake(
        credential=key,
        dialect="voicelive",
        model="m",
        api_version="2026-01-01-preview",
        query={"model": "other", "extra": 1, "api-version": None},
        headers={"X-Trace": "t1", "API-KEY": "override"},
    )
    assert hs.query == {"model": "other", "extra": "1"}
    assert hs.headers["x-trace"] == "t1"
    assert hs.headers["api-key"] == "override"


async def test_endpoint_query_is_kept_under_the_dialect_parameters() -> None:
    async with ScriptedServer() as server:
        endpoint = f"{server.url}/base?region=west&model=x"
        await (await connect(endpoint=endpoint, dialect="voicelive", model="m")).close()
    assert server.handshakes[0].path == "/base/voice-live/realtime"
    assert server.handshakes[0].query == {"region": "west", "model": "m", "api-version": "2025-10-01"}


# -- credential kinds -----------------------------------------------------------------------------------------------


class _SyncTokenCredential:
    def __init__(self, value: str) -> None:
        self.value = value
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str) -> Any:
        self.calls.append(scopes)
        return TokenCredential(self.value).get_token()


class _AsyncTokenCredential(_SyncTokenCredential):
    async def get_token(self, *scopes: str) -> Any:  # type: ignore[override]
        self.calls.append(scopes)
        await asyncio.sleep(0)
        return TokenCredential(self.value).get_token()


class _DuckKey:
    def __init__(self, key: str) -> None:
        self.key = key


@pytest.mark.parametrize("kind", [_SyncTokenCredential, _AsyncTokenCredential])
async def test_token_credential_asked_once_with_default_scope(token: str, kind: type[_SyncTokenCredential]) -> None:
    credential = kind(token)
    hs = await _handshake(credential=credential, dialect="voicelive", model="m")
    assert hs.headers["authorization"] == f"Bearer {token}"
    assert "api-key" not in hs.headers
    assert credential.calls == [("https://ai.azure.com/.default",)]


@pytest.mark.parametrize("kind", [_SyncTokenCredential, _AsyncTokenCredential])
@pytest.mark.parametrize(
    "scopes",
    [["https://cognitiveservices.azure.com/.default"], ["s1", "s2"], "https://cognitiveservices.azure.com/.default"],
    ids=["one", "two", "a-str"],
)
async def test_token_credential_with_given_scopes(
    token: str, kind: type[_SyncTokenCredential], scopes: list[str] | str
) -> None:
    credential = kind(token)
    hs = await _handshake(credential=credential, dialect="azure-openai", model="d", credential_scopes=scopes)
    assert credential.calls == [(scopes,) if isinstance(scopes, str) else tuple(scopes)]
    assert hs.headers["authorization"] == f"Bearer {token}"


async def test_callables_sync_and_async_give_tokens(token: str) -> None:
    async def provider() -> str:
        return token

    hs = await _handshake(credential=lambda: token, dialect="voicelive", model="m")
    assert hs.headers["authorization"] == f"Bearer {token}"
    hs = await _handshake(credential=provider, dialect="azure-openai", model="m")
    assert hs.headers["authorization"] == f"Bearer {token}"


async def test_duck_typed_key_object_and_no_credential(key: str) -> None:
    hs = await _handshake(credential=_DuckKey(key), dialect="azure-openai", model="d")
    assert hs.headers["api-key"] == key
    hs = await _handshake(dialect="voicelive", model="m")
    assert "api-key" not in hs.headers
    assert "authorization" not in hs.headers


async def test_azure_sdk_key_credential_works_unimported(key: str) -> None:
    azure_credentials = pytest.importorskip("azure.core.credentials")
    hs = await _handshake(credential=azure_credentials.AzureKeyCredential(key), dialect="voicelive", model="m")
    assert hs.headers["api-key"] == key


async def test_a_credential_of_no_kind_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="credential must be"):
        await _handshake(credential=42, dialect="voicelive")


class _AzureKeyLike:  # azure-core's AzureKeyCredential shape: a read-only .key property
    def __init__(self, key: str) -> None:
        self._key = key

    @property
    def key(self) -> str:
        return self._key


def _credential_kinds(secret: str) -> dict[str, tuple[object, str]]:
    """Each credential kind connect() takes -> (the credential, "key" or "token")."""

    async def async_callable() -> str:
        return secret

    return {
        "key str": (secret, "key"),
        "key object": (_AzureKeyLike(secret), "key"),
        "KeyCredential": (KeyCredential(secret), "key"),
        "sync get_token": (_SyncTokenCredential(secret), "token"),
        "async get_token": (_AsyncTokenCredential(secret), "token"),
        "TokenCredential": (TokenCredential(secret), "token"),
        "sync callable": (lambda: secret, "token"),
        "async callable": (async_callable, "token"),
    }


@pytest.mark.parametrize("dialect", ["openai", "azure-openai", "azure-openai-ga", "voicelive"])
@pytest.mark.parametrize("kind", list(_credential_kinds("x")))
async def test_every_credential_kind_on_every_dialect(key: str, dialect: str, kind: str) -> None:
    credential, what = _credential_kinds(key)[kind]
    hs = await _handshake(credential=credential, dialect=dialect, model="m")
    if what == "token" or dialect == "openai":
        assert hs.headers["authorization"] == f"Bearer {key}"
        assert "api-key" not in hs.headers
    else:
        assert hs.headers["api-key"] == key
        assert "authorization" not in hs.headers
    if isinstance(credential, _SyncTokenCredential):
        assert credential.calls == [("https://ai.azure.com/.default",)]  # asked once, with the default scope


def test_openai_is_the_default_endpoint(key: str) -> None:
    for how in ({"dialect": "openai"}, {}):
        opener = connect(credential=key, model="gpt-realtime", **how)  # nothing opens until awaited
        assert opener._opening.url.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
        assert opener._opening.dialect is OPENAI
    with pytest.raises(TypeError, match="endpoint"):
        connect(credential=key, dialect="voicelive")


# -- auto detection -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "dialect", "path"),
    [
        ("/v1", OPENAI, "/v1/realtime"),
        ("/openai", AZURE_OPENAI, "/openai/realtime"),
        ("/openai/v1", AZURE_OPENAI_GA, "/openai/v1/realtime"),
        ("/voice-live", VOICELIVE, "/voice-live/realtime"),
        ("", VOICELIVE, "/voice-live/realtime"),
    ],
)
async def test_auto_picks_from_the_path_and_says_so(
    suffix: str, dialect: object, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pyagent.realtime")
    async with ScriptedServer() as server, connect(endpoint=server.endpoint + suffix) as conn:
        assert conn.dialect is dialect
    assert server.handshakes[0].path == path
    assert any(f"dialect auto-detected as {conn.dialect.name}" in r.getMessage() for r in caplog.records)


# -- failures ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, "bad key"),
        (403, "forbidden region\n"),
        (404, "no deployment"),
        (502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n"),
        (401, "\n"),
    ],
)
async def test_http_status_is_kept_so_failures_are_told_apart(key: str, status: int, body: str) -> None:
    async with ScriptedServer(reject=Reject(status, body)) as server:
        with pytest.raises(HandshakeError) as caught:
            await connect(endpoint=server.endpoint, credential=key, dialect="voicelive", model="m")
    assert caught.value.status == status
    assert body in caught.value.body
    assert str(status) in str(caught.value)
    # One line, whatever the body's lines: they stay whole in .body.
    message = str(caught.value)
    assert "\n" not in message
    assert "\r" not in message
    assert message.endswith(" ".join(body.split()) or f"HTTP {status} {HTTP_REASONS[status]}")
    assert key not in str(caught.value)
    assert key not in repr(caught.value)


async def test_redirects_are_refused_and_the_key_goes_nowhere_else(key: str) -> None:
    async with ScriptedServer() as target:
        port = target.port
        location = f"{target.url}/voice-live/realtime?sig=SIGNATURE-123"
        async with ScriptedServer(reject=Reject(302, "moved", location=location)) as server:
            with pytest.raises(HandshakeError) as caught:
                await connect(endpoint=server.endpoint, credential=key, dialect="voicelive", model="m")
        assert target.handshakes == []
    assert caught.value.status == 302
    assert f"127.0.0.1:{port}/voice-live/realtime" in str(caught.value)
    assert "redirect" in str(caught.value)
    assert "SIGNATURE" not in str(caught.value)
    assert key not in str(caught.value)


@pytest.mark.parametrize("scheme", ["ws", "http"])
@pytest.mark.parametrize(
    "how", ["credential", "api-key header", "authorization header", "query"], ids=lambda how: how.replace(" ", "-")
)
async def test_plaintext_to_a_remote_host_is_refused_before_any_socket(key: str, scheme: str, how: str) -> None:
    given: dict[str, Any] = {
        "credential": {"credential": key},
        "api-key header": {"headers": {"API-Key": key}},
        "authorization header": {"headers": {"Authorization": f"Bearer {key}"}},
        "query": {"query": {"api-key": key}},
    }[how]
    with pytest.raises(InsecureTransportError) as caught:
        # 192.0.2.1 (TEST-NET-1) would hang if a socket were opened: the refusal must come first.
        connect(endpoint=f"{scheme}://192.0.2.1:9", dialect="voicelive", model="m", **given)
    assert key not in str(caught.value)


async def test_plaintext_to_loopback_and_with_the_opt_in_is_allowed(key: str) -> None:
    connect(endpoint="ws://192.0.2.1:9", credential=key, dialect="voicelive", allow_insecure=True)
    connect(endpoint="ws://192.0.2.1:9", dialect="voicelive")  # nothing secret to protect
    connect(endpoint="http://localhost:9", credential=key, dialect="voicelive")


async def test_unknown_keyword_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="modle"):
        connect(endpoint="http://127.0.0.1:9", modle="gpt")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bogus"):
        connect(endpoint="http://127.0.0.1:9", connection_options={"bogus": 1})


async def test_bad_endpoints_and_dialects_are_value_errors() -> None:
    with pytest.raises(ValueError, match="endpoint"):
        connect(endpoint="ftp://example.com", dialect="voicelive")
    with pytest.raises(ValueError, match="unknown dialect"):
        connect(endpoint="http://127.0.0.1:9", dialect="nope")
    with pytest.raises(ValueError, match="agent_name and project_name"):
        connect(endpoint="http://127.0.0.1:9", dialect="voicelive", agent_name="a")
    with pytest.raises(ValueError, match="voicelive"):
        connect(endpoint="http://127.0.0.1:9", dialect="openai", agent_name="a", project_name="p")


async def test_refused_port_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectionError, match="cannot connect"):
        await connect(endpoint=f"http://127.0.0.1:{port}", dialect="voicelive")


async def test_silent_server_is_a_handshake_timeout() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        options = WebsocketConnectionOptions(handshake_timeout=0.2)
        says = r'took longer than 0\.2 s, the limit set by connection_options=\{"handshake_timeout": 0\.2\}'
        with pytest.raises(ConnectionTimeout, match=says):
            await connect(endpoint=f"http://127.0.0.1:{port}", dialect="voicelive", connection_options=options)
    finally:
        for writer in accepted:
            writer.close()
        listener.close()
        await listener.wait_closed()


async def test_connect_is_awaitable_and_a_context_manager_once() -> None:
    async with ScriptedServer() as server:
        opener = connect(endpoint=server.endpoint, dialect="voicelive")
        conn = await opener
        assert not conn.closed
        await conn.close()
        assert conn.closed
        with pytest.raises(RuntimeError, match="already used"):
            await opener
        async with connect(endpoint=server.endpoint, dialect="voicelive") as conn2:
            assert not conn2.closed
        assert conn2.closed


async def test_peer_type_is_public() -> None:
    assert ScriptedPeer.__module__ == "pyagent.realtime.testing"


async def test_a_callable_may_return_an_access_token_object(token: str) -> None:
    hs = await _handshake(credential=lambda: TokenCredential(token).get_token(), dialect="azure-openai-ga", model="d")
    assert hs.headers["authorization"] == f"Bearer {token}"
    assert "api-key" not in hs.headers


async def test_a_credential_giving_no_token_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="token"):
        await _handshake(credential=lambda: None, dialect="voicelive")


async def test_a_server_hanging_up_during_the_handshake_is_a_handshake_error() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    listener = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        with pytest.raises(HandshakeError) as caught:
            await connect(endpoint=f"http://127.0.0.1:{port}", dialect="voicelive")
        assert caught.value.status is None
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_port_out_of_range_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"(?i)port"):
        await connect(endpoint="http://127.0.0.1:99999", dialect="voicelive")
