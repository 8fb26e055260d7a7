"""A phone call bridged to a :class:`~pyagent.voice.VoiceSession`: the carrier's socket is its audio source and sink.

Theory of operation. :func:`bridge_call` waits for the carrier's start (the call's ids and audio format), sets the
session's audio to the carrier's format (so the service speaks it on the wire when it can, and nothing is converted),
connects the session and then runs three things until the caller hangs up:

* the listener (this coroutine): each frame from the carrier is parsed (:mod:`._protocols`); the caller's audio goes
  to ``send_audio(..., commit=False)`` (the service's turn detection ends the turns, the session answers them), a
  key pressed to the ``dtmf`` event, a mark echoed to the playback clock, ``stop`` ends the call. A frame that does
  not fit the protocol is logged and the call goes on.
* the player: the session's :attr:`~pyagent.voice.VoiceSession.playback` clock is played by the carrier
  (``use_carrier``). Woken by each piece of reply audio, the player takes whole 20 ms frames from the clock
  (``send``), sends each as a ``media`` frame and, where the carrier acknowledges playback (Twilio), a ``mark`` named
  by the clock's position after it. When Twilio echoes the mark, everything before that position was heard
  (``heard_up_to``). ACS acknowledges nothing; the clock counts its audio heard in real time from when it was sent.
* the drain: the session's finished responses are taken (and dropped) so that nothing piles up during a long call;
  ``response_done`` handlers still get every one.

Barge-in: the session reads what was heard from the clock and clears it (audio in flight is dropped, never counted);
its ``interrupted`` event makes the bridge send ``clear`` (Twilio) or ``StopAudio`` (ACS) at once. The pending marks
Twilio then echoes fall on audio the clock no longer holds and count nothing, so the truncation is what the caller
heard. The session ending (the service closed it) hangs the call up; the call ending disconnects the session.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pyagent.telephony._protocols import (
    FRAME_MS,
    CallerAudio,
    CallInfo,
    DtmfDigit,
    MediaStreamProtocol,
    PlaybackMark,
    StreamStarted,
    StreamStopped,
    protocol_for,
)
from pyagent.telephony._socket import CarrierSocket, carrier_socket
from pyagent.telephony.errors import CallSetupError, CarrierClosedError, MediaStreamError
from pyagent.voice import Interruption, SessionState, VoiceSession, current_session
from pyagent.voice._audio_io import OutputConverter
from pyagent.voice._config import AudioSettings
from pyagent.voice.errors import ConfigurationError, InvalidStateError, ResponseError, SessionClosedError, VoiceError

__all__ = ["bridge_call", "current_call"]

logger = logging.getLogger("pyagent.telephony")

_WARNED_FRAMES = 5  # bad frames logged as warnings per call; later ones at debug level
_CLOSE_POLICY = 1008
_DRAIN_TIMEOUT = 2.0  # seconds the drain may take to see the session's close


def current_call() -> CallInfo:
    """The phone call whose session runs the current tool (``current_session().context["call"]``).

    Raises:
        InvalidStateError: called outside a tool call, or in a session that is not bridged to a call.
    """
    call = current_session().context.get("call")
    if not isinstance(call, CallInfo):
        raise InvalidStateError("this session is not bridged to a phone call", call="current_call")
    return call


async def bridge_call(
    websocket: Any,
    session: VoiceSession,
    carrier: str | MediaStreamProtocol = "twilio",
    *,
    start_timeout: float = 10.0,
) -> CallInfo:
    """Bridge one phone call on the carrier's WebSocket to ``session``, from the stream's start to the hang-up.

    ::

        async def media_stream(websocket):  # a websockets server handler, or a Starlette/FastAPI endpoint
            await bridge_call(websocket, VoiceSession(agent=agent), "twilio")

    The session must not be connected: the bridge sets its audio to the carrier's (µ-law 8 kHz for Twilio, PCM16 16
    or 24 kHz for ACS), connects it, and disconnects it when the call ends. During the call,
    ``session.context["call"]`` is the :class:`CallInfo` (tools read it with :func:`current_call`), DTMF keys arrive
    as the session's ``dtmf(digit)`` event, and barge-in truncates at what the caller heard.

    Args:
        websocket: the carrier's WebSocket: websockets' server connection, or Starlette's / FastAPI's ``WebSocket``
            (accepted here if the endpoint has not yet).
        session: the conversation to bridge, not yet connected.
        carrier: ``"twilio"`` (Media Streams), ``"acs"`` (Azure Communication Services), or a fresh protocol object.
        start_timeout: seconds to wait for the stream's start.

    Returns:
        The call's ids and audio format, once the call has ended.

    Raises:
        CallSetupError: the stream closed, stopped or timed out before it started, or its audio format is not one
            the bridge speaks.
        SessionClosedError: the service ended the session during the call (the call is hung up).
        UnsupportedSocketError: ``websocket`` is not a WebSocket the bridge can use.
        ConfigurationError, pyagent.realtime.ConnectionError, ResponseError: the session could not connect (the call
            is hung up).
    """
    socket = await carrier_socket(websocket)
    protocol = protocol_for(carrier, socket.headers) if isinstance(carrier, str) else carrier
    return await _Call(socket, session, protocol, start_timeout).run()


class _Call:
    """One bridged call: the listener, the player and the drain around one session."""

    def __init__(
        self, socket: CarrierSocket, session: VoiceSession, protocol: MediaStreamProtocol, start_timeout: float
    ) -> None:
        self._socket = socket
        self._session = session
        self._protocol = protocol
        self._start_timeout = start_timeout
        self._frame_bytes = 0
        self._carrier_audio = AudioSettings()
        self._converter: OutputConverter | None = None  # wire -> carrier, when the service cannot speak the carrier's
        self._reset_conversion = False
        self._unsent = bytearray()  # converted audio waiting to fill a carrier frame
        self._wake = asyncio.Event()
        self._response_done = False  # a response ended: its last partial frame goes out too
        self._session_ended = False  # the session closed by itself (the service, the network): hang up
        self._hanging_up = False  # the caller hung up first: the session's close is ours
        self._hang_up: asyncio.Task[None] | None = None
        self._bad_frames = 0

    async def run(self) -> CallInfo:
        try:
            call = await self._wait_for_start()
        except BaseException:
            await self._socket.close(_CLOSE_POLICY)
            raise
        logger.info("%s call %s (stream %s) started", call.carrier, call.call_id or "?", call.stream_id)
        session = self._session
        fmt = call.audio_format
        self._frame_bytes = fmt.ms_to_bytes(FRAME_MS)
        handlers = (
            ("audio", self._on_audio),
            ("response_done", self._on_response_done),
            ("interrupted", self._on_interrupted),
            ("state_changed", self._on_state_changed),
        )
        closed: SessionClosedError | None = None
        drain: asyncio.Task[SessionClosedError | None] | None = None
        try:
            session.configure_audio(sample_rate=fmt.sample_rate, channels=1, format=fmt.encoding)
            session.context["call"] = call
            for name, handler in handlers:
                session.on(name)(handler)
            async with session.connect():
                session.playback.use_carrier(acknowledged=self._protocol.acknowledges_playback)
                self._carrier_audio = AudioSettings(fmt.sample_rate, 1, fmt.encoding)
                if session.wire_audio_format != fmt:
                    logger.info(
                        "the service does not speak %s: the reply is converted from %s", fmt, session.wire_audio_format
                    )
                    self._converter = OutputConverter(self._carrier_audio, session.wire_audio_format)
                player = asyncio.create_task(self._play(), name="pyagent-phone-player")
                drain = asyncio.create_task(self._drain(), name="pyagent-phone-drain")
                try:
                    await self._listen()
                finally:
                    player.cancel()
                    await asyncio.gather(player, return_exceptions=True)
            # The session is closed now, by the service or by the hang-up: the drain ends with how it closed.
            try:
                async with asyncio.timeout(_DRAIN_TIMEOUT):
                    closed = await drain
            except TimeoutError:
                logger.debug("the session's responses were still being drained at the hang-up")
        finally:
            if drain is not None and not drain.done():
                drain.cancel()
                await asyncio.gather(drain, return_exceptions=True)
            for name, handler in handlers:
                session.off(name, handler)
            if self._hang_up is not None:
                await self._hang_up
            await self._socket.close()
        logger.info("%s call %s ended", call.carrier, call.call_id or "?")
        if self._session_ended and closed is not None:
            raise closed
        return call

    # -- the carrier's frames ---------------------------------------------------------------------------------------

    async def _wait_for_start(self) -> CallInfo:
        try:
            async with asyncio.timeout(self._start_timeout):
                while True:
                    frame = await self._socket.receive()
                    if frame is None:
                        raise CallSetupError("the carrier closed the stream before it started")
                    try:
                        event = self._protocol.parse(frame)
                    except MediaStreamError as exc:
                        self._bad_frame(exc)
                        continue
                    if isinstance(event, StreamStarted):
                        return event.call
                    if isinstance(event, StreamStopped):
                        raise CallSetupError("the carrier stopped the stream before it started")
        except TimeoutError:
            raise CallSetupError(f"the carrier did not start the stream within {self._start_timeout} s") from None

    async def _listen(self) -> None:
        session = self._session
        playback = session.playback
        while True:
            frame = await self._socket.receive()
            if frame is None:
                logger.debug("the carrier closed the stream")
                self._hanging_up = True
                return
            try:
                event = self._protocol.parse(frame)
            except MediaStreamError as exc:
                self._bad_frame(exc)
                continue
            if isinstance(event, CallerAudio):
                try:
                    await session.send_audio(event.data, commit=False)
                except (SessionClosedError, InvalidStateError):
                    return  # the session ended: so does the call
            elif isinstance(event, PlaybackMark):
                position = _mark_position(event.name)
                if position is not None:
                    playback.heard_up_to(position)
            elif isinstance(event, DtmfDigit):
                try:
                    await session.notify_dtmf(event.digit)
                except ConfigurationError as exc:
                    self._bad_frame(exc)
            elif isinstance(event, StreamStopped):
                logger.debug("the carrier stopped the stream")
                self._hanging_up = True
                return

    def _bad_frame(self, exc: Exception) -> None:
        self._bad_frames += 1
        level = logging.WARNING if self._bad_frames <= _WARNED_FRAMES else logging.DEBUG
        logger.log(level, "the carrier sent a frame the call cannot use (%d so far): %s", self._bad_frames, exc)

    # -- the reply's audio ------------------------------------------------------------------------------------------

    async def _play(self) -> None:
        """Send the reply's audio from the playback clock in 20 ms frames (converted when the service could not
        speak the carrier's format), each followed by a mark where the carrier acknowledges playback."""
        playback = self._session.playback
        wire = playback.audio_format
        wire_frame = wire.ms_to_bytes(FRAME_MS)
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while True:
                    queued = playback.queued_bytes
                    if queued < wire_frame and not (queued and self._response_done):
                        break
                    chunk = playback.send(wire_frame)
                    if not chunk:
                        break
                    await self._send_audio(chunk, playback.sent_position, final=False)
                if not playback.queued_bytes and self._response_done:
                    self._response_done = False
                    await self._send_audio(b"", playback.sent_position, final=True)
        except CarrierClosedError:
            return

    async def _send_audio(self, chunk: bytes, position: int, *, final: bool) -> None:
        """Send wire audio ending at clock ``position``: as it is, or converted and cut into the carrier's frames."""
        if self._converter is None:
            if chunk:
                await self._send_frame(chunk, position)
            return
        if self._reset_conversion:
            self._reset_conversion = False
            self._converter = OutputConverter(self._carrier_audio, self._session.playback.audio_format)
            self._unsent.clear()
        if chunk:
            self._unsent += self._converter.process(chunk)
        if final:
            self._unsent += self._converter.flush()
        frame_bytes = self._frame_bytes
        while len(self._unsent) >= frame_bytes or (final and self._unsent):
            frame = bytes(self._unsent[:frame_bytes])
            del self._unsent[:frame_bytes]
            await self._send_frame(frame, position)

    async def _send_frame(self, frame: bytes, position: int) -> None:
        await self._socket.send(self._protocol.media(frame))
        mark = self._protocol.mark(str(position))
        if mark is not None:
            await self._socket.send(mark)

    def _on_audio(self) -> None:
        self._wake.set()

    def _on_response_done(self) -> None:
        self._response_done = True
        self._wake.set()

    async def _on_interrupted(self, interruption: Interruption) -> None:
        self._reset_conversion = True  # audio held for conversion belongs to what was cut
        try:
            await self._socket.send(self._protocol.clear())
        except CarrierClosedError:
            return
        logger.debug("barge-in: the carrier was told to drop its audio (%s)", interruption)

    async def _drain(self) -> SessionClosedError | None:
        """Take the finished responses nobody else receives, so a long call keeps none of them; return the error
        that closed the session."""
        while True:
            try:
                await self._session.receive()
            except ResponseError:
                continue  # a failed turn: the session's error handlers were told
            except SessionClosedError as exc:
                return exc
            except VoiceError:
                return None

    # -- the session's end ------------------------------------------------------------------------------------------

    def _on_state_changed(self, new: SessionState) -> None:
        if new is SessionState.DISCONNECTED and self._hang_up is None and not self._hanging_up:
            logger.info("the session ended during the call: hanging up")
            self._session_ended = True
            # Not awaited here, inside the session's shutdown: the listener's receive() ends when it is done.
            self._hang_up = asyncio.create_task(self._socket.close(), name="pyagent-phone-hang-up")


def _mark_position(name: str) -> int | None:
    try:
        return int(name)
    except ValueError:
        logger.debug("a mark this bridge did not send: %r", name)
        return None
