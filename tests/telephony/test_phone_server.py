"""The phone server: Twilio's webhook answered with TwiML, signatures checked, and ``pyagent phone`` itself."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import websockets
from telephony.carriers import TwilioCaller
from telephony.conftest import CallLog, session_factory, wait_until

from conftest import ROOT
from pyagent.server import LocalServer
from pyagent.telephony import PhoneServer, twilio_signature, twiml_connect_stream, valid_twilio_signature

TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://calls.example.com"
FORM = {"CallSid": "CA1", "AccountSid": "AC1", "From": "+15550100", "To": "+15550199", "CallStatus": "ringing"}


def signed(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """Twilio's signature, computed here from its documented recipe (not with the code under test)."""
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


async def post(url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
    def call() -> tuple[int, str]:
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    return await asyncio.to_thread(call)


def stream_url(twiml: str) -> str:
    stream = ET.fromstring(twiml).find("./Connect/Stream")
    assert stream is not None, twiml
    return stream.attrib["url"]


def test_signature_and_twiml_helpers() -> None:
    url = "https://calls.example.com/incoming-call?x=1"
    assert twilio_signature(TOKEN, url, FORM) == signed(url, FORM)
    assert valid_twilio_signature(TOKEN, signed(url, FORM), url, FORM)
    assert not valid_twilio_signature(TOKEN, signed(url, FORM, "another-token"), url, FORM)
    assert not valid_twilio_signature(TOKEN, None, url, FORM)
    assert not valid_twilio_signature(TOKEN, signed(url, {**FORM, "To": "+1"}), url, FORM)
    # Twilio may sign with the default port or without it.
    assert valid_twilio_signature(
        TOKEN, signed("https://calls.example.com:443/incoming-call", {}), PUBLIC + "/incoming-call"
    )
    twiml = twiml_connect_stream("wss://calls.example.com/media-stream", {"customer": 'a "quoted" & <odd> one'})
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    assert stream_url(twiml) == "wss://calls.example.com/media-stream"
    [parameter] = root.findall("./Connect/Stream/Parameter")
    assert parameter.attrib == {"name": "customer", "value": 'a "quoted" & <odd> one'}


async def test_unsigned_or_wrongly_signed_requests_are_refused_when_the_token_is_set(
    local: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    log = CallLog()
    server = PhoneServer(
        session_factory(log, local.endpoint, "openai"), port=0, public_url=PUBLIC, auth_token=TOKEN, account_sid="AC1"
    )
    async with server:
        webhook = server.url + "/incoming-call"
        public_webhook = PUBLIC + "/incoming-call"
        assert await post(webhook, FORM) == (403, "invalid or missing X-Twilio-Signature")
        wrong = signed(public_webhook, FORM, "not-the-token")
        assert (await post(webhook, FORM, {"X-Twilio-Signature": wrong}))[0] == 403
        local_url = signed(webhook, FORM)  # signed for the local URL, but Twilio requested the public one
        assert (await post(webhook, FORM, {"X-Twilio-Signature": local_url}))[0] == 403
        tampered = {**FORM, "From": "+15550666"}
        assert (await post(webhook, tampered, {"X-Twilio-Signature": signed(public_webhook, FORM)}))[0] == 403
        other_account = {**FORM, "AccountSid": "AC2"}
        refused = await post(webhook, other_account, {"X-Twilio-Signature": signed(public_webhook, other_account)})
        assert refused[0] == 403
        status, twiml = await post(webhook, FORM, {"X-Twilio-Signature": signed(public_webhook, FORM)})
        assert status == 200
        assert stream_url(twiml) == "wss://calls.example.com/media-stream"
        # The stream's WebSocket upgrade: refused unsigned, accepted when signed for the public wss:// URL.
        media = server.url.replace("http://", "ws://") + "/media-stream"
        with pytest.raises(websockets.InvalidStatus) as unsigned:
            async with websockets.connect(media):
                pass
        assert unsigned.value.response.status_code == 403
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(media, additional_headers={"X-Twilio-Signature": signed(media, {})}):
                pass
        good = {"X-Twilio-Signature": signed("wss://calls.example.com/media-stream", {})}
        async with websockets.connect(media, additional_headers=good) as ws:
            await ws.send('{"event": "connected", "protocol": "Call", "version": "1.0.0"}')
        await wait_until(lambda: server.active_calls == 0)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused" in logged
    assert TOKEN not in logged
    assert TOKEN not in repr(server)


async def test_without_a_public_url_the_twiml_names_the_requested_host_and_get_works(local: LocalServer) -> None:
    server = PhoneServer(session_factory(CallLog(), local.endpoint, "openai"), port=0)
    async with server:
        assert not server.verifies_signatures
        status, twiml = await post(server.url + "/incoming-call", FORM)
        assert status == 200
        assert stream_url(twiml) == f"ws://127.0.0.1:{server.port}/media-stream"

        def get() -> str:
            with urllib.request.urlopen(server.url + "/incoming-call?CallSid=CA2", timeout=10) as response:
                return str(response.read().decode())

        assert stream_url(await asyncio.to_thread(get)) == f"ws://127.0.0.1:{server.port}/media-stream"
        assert server.public_urls()["acs"] == f"ws://127.0.0.1:{server.port}/acs/media-stream"


def _phone_environment() -> dict[str, str]:
    drop = ("PYAGENT_ENDPOINT", "PYAGENT_API_KEY", "PYAGENT_DIALECT", "OPENAI_API_KEY", "AZURE_VOICELIVE_ENDPOINT")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["TWILIO_AUTH_TOKEN"] = TOKEN
    env["PYTHONPATH"] = str(ROOT / "tests")
    return env


async def test_pyagent_phone_answers_a_signed_call_through_the_local_server(question_ulaw: bytes) -> None:
    """The command itself: the banner, an unsigned webhook refused, a signed call answered, a clean stop."""
    command = ["-m", "pyagent.cli", "phone", "--port", "0", "--agent", "telephony.agents:receptionist"]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        cwd=ROOT,
        env=_phone_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = [(await process.stdout.readline()).decode() for _ in range(5)]
        assert "receptionist" in banner[0]
        assert "local server" in banner[0]
        found = re.search(r"http://127\.0\.0\.1:(\d+)", banner[0])
        assert found is not None, banner
        base = found.group()
        assert banner[1].split()[-1] == base + "/incoming-call"
        assert "signatures checked" in banner[4]
        assert (await post(base + "/incoming-call", FORM))[0] == 403
        signature = signed(base + "/incoming-call", FORM)
        status, twiml = await post(base + "/incoming-call", FORM, {"X-Twilio-Signature": signature})
        assert status == 200
        media = stream_url(twiml)
        assert media == base.replace("http://", "ws://") + "/media-stream"
        async with TwilioCaller(media, {"X-Twilio-Signature": signed(media, {})}) as caller:
            await caller.speak(question_ulaw, then_silence_ms=1000)
            await wait_until(lambda: len(caller.acked) >= 10)  # the answer plays, and the marks come back
            await caller.hang_up()
        frames = [base64.b64decode(r.message["media"]["payload"]) for r in caller.frames("media")]
        assert len(frames) >= 10
        assert all(len(frame) == 160 for frame in frames[:-1])  # µ-law, 20 ms a frame
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    errors = (await process.stderr.read()).decode()
    assert TOKEN not in errors
