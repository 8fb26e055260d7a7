"""Phone calls bridged to a voice session: Twilio Media Streams and Azure Communication Services audio streaming.

:func:`bridge_call` turns a carrier's media WebSocket (websockets' server connection, or Starlette's / FastAPI's
``WebSocket``) into a :class:`~pyagent.voice.VoiceSession`'s audio source and sink: the caller's audio in, the reply
out in the carrier's 20 ms frames, in the carrier's own format on the wire when the service speaks it (µ-law for
Twilio on every dialect), with the caller's ear as the playback clock (Twilio's marks) so barge-in truncates at what
the caller heard. :class:`PhoneServer` (``pyagent phone``, the ``phone`` extra) adds Twilio's TwiML webhook and
signature checks.
"""

from __future__ import annotations

from pyagent.telephony._bridge import bridge_call, current_call
from pyagent.telephony._protocols import (
    AcsMediaStreaming,
    CallerAudio,
    CallInfo,
    CarrierEvent,
    DtmfDigit,
    MediaStreamProtocol,
    PlaybackMark,
    StreamStarted,
    StreamStopped,
    TwilioMediaStreams,
)
from pyagent.telephony._server import PhoneServer
from pyagent.telephony._socket import CarrierSocket
from pyagent.telephony._twilio import twilio_signature, twiml_connect_stream, valid_twilio_signature
from pyagent.telephony.errors import (
    CallSetupError,
    CarrierClosedError,
    ConfigurationError,
    ConfigurationTypeError,
    MediaStreamError,
    MissingDependencyError,
    TelephonyError,
    UnsupportedSocketError,
)

__all__ = [
    "AcsMediaStreaming",
    "CallInfo",
    "CallSetupError",
    "CallerAudio",
    "CarrierClosedError",
    "CarrierEvent",
    "CarrierSocket",
    "ConfigurationError",
    "ConfigurationTypeError",
    "DtmfDigit",
    "MediaStreamError",
    "MediaStreamProtocol",
    "MissingDependencyError",
    "PhoneServer",
    "PlaybackMark",
    "StreamStarted",
    "StreamStopped",
    "TelephonyError",
    "TwilioMediaStreams",
    "UnsupportedSocketError",
    "bridge_call",
    "current_call",
    "twilio_signature",
    "twiml_connect_stream",
    "valid_twilio_signature",
]
