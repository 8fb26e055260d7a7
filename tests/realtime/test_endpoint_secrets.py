"""A key anywhere in the endpoint is a credential; Azure's key names are secret names; a key the service echoes back is
hidden before any layer sees it; ``*.localhost`` is loopback only where it resolves there."""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

import msgspec
import pytest

from conftest import FIXTURES
from pyagent.audio import load_audio
from pyagent.realtime import (
    ConnectionClosed,
    HandshakeError,
    InsecureTransportError,
    connect,
)
from pyagent.realtime.dialects import is_loopback_host
from pyagent.realtime.events import ErrorEvent
from pyagent.realtime.testing import Close, Expect, Reject, ScriptedServer, Send

# '/', '+' and '=' make the URL-quoted and base64 forms differ from the key itself.
ENDPOINT_KEY = "pyagent/EndpointKey+7Qx=9fZ"
DIALECTS = ["openai", "azure-openai", "azure-openai-ga", "voicelive"]
QUERY_NAMES = ["api-key", "key", "token", "access_token", "subscription-key", "Ocp-Apim-Subscription-Key"]


def forms(secret: str) -> list[str]:
    """The secret as it may show up in text; computed here, not with the library's own helper."""
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
    ]


def assert_hidden(texts: Iterable[str], secret: str = ENDPOINT_KEY) -> None:
    checked = 0
    for text in texts:
        checked += 1
        for form in forms(secret):
            assert form not in text, f"{form!r} shows in {text[:200]!r}"
    assert checked, "nothing was checked"


def endpoint_with_key(base: str, where: str) -> str:
    """``base`` (``scheme://host:port``) carrying the key: in a query parameter named ``where``, or as user info."""
    scheme, _, host = base.partition("://")
    if where == "user:KEY@":
        return f"{scheme}://user:{QUOTED}@{host}"
    if where == "KEY@":
        return f"{scheme}://{QUOTED}@{host}"
    return f"{base}/?{where}={QUOTED}&region=west"


ENDPOINT_FORMS = [*QUERY_NAMES, "user:KEY@", "KEY@"]
PARIS = FIXTURES / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
QUOTED = quote(ENDPOINT_KEY, safe="")


# -- 1. a key inside the endpoint URL -------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("scheme", ["ws", "http"])
@pytest.mark.parametrize("where", ENDPOINT_FORMS)
def test_a_key_in_the_endpoint_is_refused_over_plaintext_before_any_socket(
    dialect: str, scheme: str, where: str
) -> None:
    endpoint = endpoint_with_key(f"{scheme}://192.0.2.1:9", where)
    # connect() raises while it is being called, before anything is awaited: no socket can have opened. (192.0.2.1,
    # TEST-NET-1, would hang a connection attempt.)
    with pytest.raises(InsecureTransportError) as caught:
        connect(endpoint=endpoint, dialect=dialect, model="m")
    assert "192.0.2.1" in str(caught.value)
    assert_hidden([str(caught.value), repr(caught.value)])
    connect(endpoint=endpoint, dialect=dialect, model="m", allow_insecure=True)  # the opt-in still works
    connect(endpoint=endpoint.replace("192.0.2.1", "127.0.0.1"), dialect=dialect, model="m")  # loopback is fine


def test_secret_query_names_match_without_regard_to_case() -> None:
    with pytest.raises(InsecureTransportError):
        connect(endpoint=f"ws://192.0.2.1:9/?API-KEY={QUOTED}", dialect="voicelive")
    with pytest.raises(InsecureTransportError):
        connect(endpoint="ws://192.0.2.1:9", dialect="voicelive", query={"Subscription-Key": ENDPOINT_KEY})


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("where", ENDPOINT_FORMS)
async def test_a_key_in_the_endpoint_travels_but_shows_nowhere(
    dialect: str, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    script = [Expect("session.update"), Close(4001, f"key {ENDPOINT_KEY} revoked")]
    async with ScriptedServer(script) as server:
        opener = connect(endpoint=endpoint_with_key(server.endpoint, where), dialect=dialect, model="m")
        texts = [repr(opener._opening.url)]
        async with opener as conn:
            texts += [conn.url, repr(conn), str(conn)]
            await conn.session.update(session={"instructions": "hi"})
            with pytest.raises(ConnectionClosed) as caught:
                await conn.recv()
    handshake = server.handshakes[0]
    if where.endswith("@"):
        user = "user" if where.startswith("user") else ""
        password = ENDPOINT_KEY if user else ""
        expected = (f"{user}:{password}" if user else f"{ENDPOINT_KEY}:").encode()
        assert handshake.headers["authorization"] == "Basic " + base64.b64encode(expected).decode()
        assert "@" not in handshake.path
    else:
        assert handshake.query[where] == ENDPOINT_KEY  # it did travel, so any log could have shown it
        assert handshake.query["region"] == "west"
    assert caught.value.code == 4001
    assert "revoked" in caught.value.reason
    assert "***" in conn.url if not where.endswith("@") else conn.url.startswith("ws://***@127.0.0.1")
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("connecting to ") for line in lines)
    assert_hidden([*texts, str(caught.value), caught.value.reason, repr(handshake), *lines])
    assert caught.value.__context__ is None  # websockets' exception, which holds the raw reason, is not chained
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        (f"ftp://host.example/?api-key={QUOTED}", "http"),
        (f"https://user:{QUOTED}@host.example:99999/", "port"),
        (f"https://user:{QUOTED}@host.example:port/", "port"),
        (f"https:///?key={QUOTED}", "host"),
        (f"https://user:{QUOTED}%ff@host.example/", "UTF-8"),
        (f"https://user:{ENDPOINT_KEY}@host.example/", "port"),  # the '/' in the key ends the authority
    ],
    ids=["scheme", "port-range", "port-text", "no-host", "bad-userinfo", "unquoted-userinfo"],
)
def test_a_malformed_endpoints_error_hides_the_key(endpoint: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as caught:
        connect(endpoint=endpoint, dialect="voicelive")
    assert "***" in str(caught.value)  # the endpoint is quoted, with its credential hidden
    assert_hidden([str(caught.value), repr(caught.value)])
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None


MALFORMED = {
    "unclosed-ipv6": (f"https://[bad?api-key={QUOTED}", "an IPv6 address goes between [ and ]"),
    "unclosed-ipv6-userinfo": (f"http://user:{QUOTED}@[::1", "an IPv6 address goes between [ and ]"),
    "ipv6-no-port": ("http://[::1", "an IPv6 address goes between [ and ]"),
    "text-after-bracket": (f"http://[::1]x/?key={QUOTED}", "an IPv6 address goes between [ and ]"),
    "not-ipv6": (f"http://[zz::1]/?token={QUOTED}", "what is in brackets must be an IPv6 address"),
    "ipv4-in-brackets": ("http://[127.0.0.1]:8765", "what is in brackets must be an IPv6 address"),
    "stray-bracket": (f"http://a]b/?api-key={QUOTED}", "an IPv6 address goes between [ and ]"),
    "space-in-host": (f"https://my host/?api-key={QUOTED}", "a host name holds no spaces"),
    "control-in-host": ("http://\x00host", "a host name holds no spaces, controls"),
    "port-zero": (f"http://127.0.0.1:0/?api-key={QUOTED}", "has port 0, which names no service"),
    "ipv6-port-zero": ("ws://[::1]:0", "has port 0"),
    "negative-port": ("http://host.example:-1", "has a bad port (a number from 1 to 65535)"),
}


@pytest.mark.parametrize(("endpoint", "says"), MALFORMED.values(), ids=MALFORMED.keys())
def test_every_malformed_endpoint_is_a_typed_configuration_error_with_the_key_hidden(endpoint: str, says: str) -> None:
    """connect(), VoiceSession and the variables VoiceSession reads: each says what is wrong in its own words, never
    urllib's (which may quote the endpoint), and never with the key."""
    from pyagent import ConfigurationError
    from pyagent.voice import VoiceSession
    from pyagent.voice._config import resolve_endpoint

    attempts = [
        lambda: connect(endpoint=endpoint, dialect="voicelive"),
        lambda: connect(endpoint=endpoint),  # the dialect judged from the endpoint: after the endpoint is checked
        lambda: VoiceSession(endpoint=endpoint),
        lambda: resolve_endpoint(None, None, None, {"PYAGENT_ENDPOINT": endpoint}),
    ]
    for attempt in attempts:
        with pytest.raises(ConfigurationError, match=re.escape(says)) as caught:
            attempt()
        assert "0 to 65535" not in str(caught.value)
        assert "Invalid IPv6 URL" not in str(caught.value)
        chain: list[BaseException] = []
        error: BaseException | None = caught.value
        while error is not None:  # a layer above may re-raise the realtime layer's error as its own
            chain.append(error)
            error = error.__cause__ or error.__context__
        assert all(isinstance(link, ConfigurationError) for link in chain)
        assert_hidden([text for link in chain for text in (str(link), repr(link))])


def test_a_well_formed_endpoint_with_an_ipv6_scope_or_a_port_is_accepted() -> None:
    from pyagent.realtime.dialects import check_endpoint

    for endpoint in ("ws://[fe80::1%25eth0]:8765", "http://[::1]:8765/v1", "https://exämple.com", "http://h:1"):
        assert check_endpoint(endpoint) == endpoint


async def test_a_refused_handshake_quoting_the_endpoints_key_hides_it() -> None:
    body = f"Access denied for key {ENDPOINT_KEY} (sent as {quote_plus(ENDPOINT_KEY)})"
    async with ScriptedServer(reject=Reject(401, body)) as server:
        with pytest.raises(HandshakeError) as caught:
            await connect(endpoint=endpoint_with_key(server.endpoint, "api-key"), dialect="voicelive")
    assert caught.value.status == 401
    assert "Access denied" in caught.value.body
    assert_hidden([str(caught.value), repr(caught.value), caught.value.body])
    assert caught.value.__context__ is None


# -- 2. Azure's key names are secret names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {"headers": {"Ocp-Apim-Subscription-Key": ENDPOINT_KEY}},
        {"query": {"subscription-key": ENDPOINT_KEY}},
        {"query": {"Ocp-Apim-Subscription-Key": ENDPOINT_KEY}},
    ],
    ids=["header", "query", "query-long-name"],
)
async def test_azure_subscription_keys_are_credentials(
    given: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(InsecureTransportError):
        connect(endpoint="ws://192.0.2.1:9", dialect="voicelive", **given)  # type: ignore[arg-type]
    caplog.set_level(logging.DEBUG)
    async with (
        ScriptedServer() as server,
        connect(endpoint=server.endpoint, dialect="voicelive", model="m", **given) as conn,  # type: ignore[arg-type]
    ):
        texts = [repr(conn), conn.url]
    handshake = server.handshakes[0]
    sent = {**handshake.headers, **{name.lower(): value for name, value in handshake.query.items()}}
    assert ENDPOINT_KEY in sent.values()
    lines = [record.getMessage() for record in caplog.records]
    if "headers" in given:
        assert "> Ocp-Apim-Subscription-Key: ***" in lines  # websockets logged the header, by name, hidden
    assert_hidden([*texts, repr(handshake), *lines])


# -- 3. a key the service echoes back -------------------------------------------------------------------------------


def _error_quoting(secret: str) -> dict[str, object]:
    message = (
        f"Incorrect API key provided: {secret}. Also seen as {quote_plus(secret, safe='')} and "
        f"{base64.b64encode(secret.encode()).decode()}."
    )
    return {
        "type": "error",
        "event_id": "event_1",
        "error": {"type": "invalid_request_error", "code": "invalid_api_key", "message": message, "param": None},
    }


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("how", ["credential", "endpoint"])
async def test_an_error_event_quoting_the_key_never_shows_it(
    dialect: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echoed = _error_quoting(ENDPOINT_KEY)
    async with ScriptedServer([Send(echoed), Send(echoed)]) as server:
        given = (
            {"credential": ENDPOINT_KEY, "endpoint": server.endpoint}
            if how == "credential"
            else {"endpoint": endpoint_with_key(server.endpoint, "api-key")}
        )
        async with connect(dialect=dialect, model="m", **given) as conn:
            event = await conn.recv()
            frame = await conn.recv_bytes()
            redacted = conn.redact(f"ResponseError: {ENDPOINT_KEY} / {quote(ENDPOINT_KEY, safe='')}")
    assert isinstance(event, ErrorEvent)
    assert event.error.code == "invalid_api_key"  # the rest of the event is whole
    assert isinstance(event.error.message, str)
    assert event.error.message.startswith("Incorrect API key provided: ***.")
    assert json.loads(frame)["error"]["param"] is None  # still valid JSON
    assert redacted == "ResponseError: *** / ***"
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("error event: invalid_api_key: Incorrect API key provided: ***") for line in lines)
    assert_hidden(
        [repr(event), str(event), json.dumps(msgspec.to_builtins(event)), frame.decode(), redacted, *lines],
    )


async def test_redact_leaves_text_without_secrets_alone_and_hides_urls() -> None:
    async with ScriptedServer() as server, connect(endpoint=server.endpoint, credential=ENDPOINT_KEY) as conn:
        assert conn.redact("nothing secret here: event_1 resp_2") == "nothing secret here: event_1 resp_2"
        assert conn.redact("see https://u:pw-9876@h.example/?token=abc123&model=m") == (
            "see https://***@h.example/?token=***&model=m"
        )


# -- 4. *.localhost ---------------------------------------------------------------------------------------------------


def _refuse_to_resolve(host: str) -> list[str]:
    raise AssertionError(f"{host} must not be looked up")


@pytest.mark.parametrize(
    ("host", "addresses", "loopback"),
    [
        ("localhost", None, True),
        ("LOCALHOST.", None, True),
        ("127.0.0.1", None, True),
        ("127.8.9.10", None, True),
        ("::1", None, True),
        ("[::1]", None, True),
        ("192.0.2.1", None, False),
        ("example.com", None, False),  # a remote name stays remote, whatever it resolves to
        ("app.localhost", ["127.0.0.1"], True),
        ("app.localhost", ["127.0.0.1", "::1"], True),
        ("app.localhost", ["127.0.0.1", "203.0.113.7"], False),
        ("app.localhost", ["203.0.113.7"], False),
        ("app.localhost", [], False),  # does not resolve
    ],
)
def test_localhost_subdomains_are_loopback_only_where_they_resolve_there(
    host: str, addresses: list[str] | None, loopback: bool
) -> None:
    looked_up: list[str] = []

    def resolve(name: str) -> list[str]:
        looked_up.append(name)
        assert addresses is not None
        return addresses

    assert is_loopback_host(host, resolve=resolve if addresses is not None else _refuse_to_resolve) is loopback
    assert looked_up == ([host] if addresses is not None else [])


def test_a_localhost_subdomain_as_this_machine_resolves_it() -> None:
    host = "pyagent-test-11.localhost"
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        addresses = set()
    here = bool(addresses) and all(address in ("127.0.0.1", "::1") for address in addresses)
    endpoint = f"ws://{host}:9"
    if here:
        connect(endpoint=endpoint, credential=ENDPOINT_KEY, dialect="voicelive")
    else:
        with pytest.raises(InsecureTransportError):
            connect(endpoint=endpoint, credential=ENDPOINT_KEY, dialect="voicelive")
    assert connect(endpoint=endpoint, dialect="voicelive")._opening.url.loopback is here


async def test_audio_deltas_keep_their_audio_and_lose_the_key_around_it() -> None:
    audio = load_audio(PARIS)[:4800]
    b64 = base64.b64encode(audio).decode()
    padded = base64.b64encode(ENDPOINT_KEY.encode()).decode()
    frames = [
        # compact JSON as the services send it, the key around the audio (before and after it)
        f'{{"type":"response.output_audio.delta","event_id":"{ENDPOINT_KEY}","response_id":"r","item_id":"i",'
        f'"output_index":0,"content_index":0,"delta":"{b64}"}}',
        f'{{"delta":"{b64}","event_id":"e","response_id":"{padded}","item_id":"i","output_index":0,'
        f'"content_index":0,"type":"response.audio.delta"}}',
        # spaced JSON: searched whole
        json.dumps(
            {
                "type": "response.output_audio_transcript.delta",
                "event_id": "e",
                "response_id": "r",
                "item_id": "i",
                "output_index": 0,
                "content_index": 0,
                "delta": f"the key is {ENDPOINT_KEY}",
            }
        ),
    ]
    async with (
        ScriptedServer([Send(frame) for frame in frames]) as server,
        connect(endpoint=server.endpoint, credential=ENDPOINT_KEY, dialect="openai") as conn,
    ):
        events = [await conn.recv() for _ in frames]
    first, second, third = (msgspec.to_builtins(event) for event in events)
    assert base64.b64decode(first["delta"]) == audio
    assert base64.b64decode(second["delta"]) == audio
    assert first["event_id"] == "***"
    assert second["response_id"].startswith("***")
    assert third["delta"] == "the key is ***"
    assert_hidden([repr(event) for event in events])
