"""The state table: a turn's sequence, the ignored triggers and the calls each state refuses."""

from __future__ import annotations

import pytest

from pyagent.voice._states import ALLOWED_CALLS, TRANSITIONS, StateMachine, Trigger
from pyagent.voice.errors import InvalidStateError
from pyagent.voice.session import SessionState

S = SessionState
T = Trigger


def run(machine: StateMachine, *triggers: Trigger) -> list[SessionState]:
    seen = [machine.state]
    for trigger in triggers:
        machine.apply(trigger)
        seen.append(machine.state)
    return seen


def test_the_states_the_spec_names() -> None:
    assert [s.name for s in SessionState] == [
        "IDLE",
        "CONNECTING",
        "CONNECTED",
        "LISTENING",
        "PROCESSING",
        "SPEAKING",
        "DISCONNECTED",
    ]
    assert str(S.SPEAKING) == "SPEAKING"


def test_a_turn_with_a_tool_call() -> None:
    states = run(
        StateMachine(),
        T.CONNECT,
        T.OPENED,
        T.SPEECH_STARTED,
        T.COMMITTED,
        T.RESPONSE_CREATED,
        T.TOOL_CALLS,
        T.RESPONSE_CREATED,
        T.AUDIO,
        T.AUDIO,
        T.RESPONSE_DONE,
        T.CLOSED,
    )
    assert states == [
        S.IDLE,
        S.CONNECTING,
        S.CONNECTED,
        S.LISTENING,
        S.PROCESSING,
        S.PROCESSING,
        S.PROCESSING,
        S.PROCESSING,
        S.SPEAKING,
        S.SPEAKING,
        S.CONNECTED,
        S.DISCONNECTED,
    ]


def test_barge_in_and_late_events_while_listening() -> None:
    machine = StateMachine(S.SPEAKING)
    assert machine.apply(T.SPEECH_STARTED) == (S.SPEAKING, S.LISTENING)
    # Late audio and the cancelled response's done do not leave LISTENING.
    assert machine.apply(T.AUDIO) is None
    assert machine.apply(T.RESPONSE_DONE) is None
    assert machine.state is S.LISTENING
    assert machine.apply(T.COMMITTED) == (S.LISTENING, S.PROCESSING)
    assert StateMachine(S.PROCESSING).apply(T.INTERRUPTED) == (S.PROCESSING, S.LISTENING)


def test_connect_failure_and_reconnect() -> None:
    assert run(StateMachine(), T.CONNECT, T.FAILED, T.CONNECT, T.OPENED) == [
        S.IDLE,
        S.CONNECTING,
        S.DISCONNECTED,
        S.CONNECTING,
        S.CONNECTED,
    ]
    # A closed session stays closed until connect().
    assert run(StateMachine(S.DISCONNECTED), T.SPEECH_STARTED, T.AUDIO, T.CLOSED)[-1] is S.DISCONNECTED


def test_a_lost_connection_goes_back_to_connecting_then_connected() -> None:
    for state in (S.CONNECTED, S.LISTENING, S.PROCESSING, S.SPEAKING):
        assert run(StateMachine(state), T.CONNECTION_LOST, T.OPENED) == [state, S.CONNECTING, S.CONNECTED]
    # When the attempts run out, the session closes from CONNECTING.
    assert run(StateMachine(S.SPEAKING), T.CONNECTION_LOST, T.CLOSED)[-1] is S.DISCONNECTED
    # While it reconnects the user's calls are allowed (they wait for the new connection); connect() is not.
    for call in set(ALLOWED_CALLS) - {"connect"}:
        StateMachine(S.CONNECTING).check(call)
    with pytest.raises(InvalidStateError, match="connecting already"):
        StateMachine(S.CONNECTING).check("connect")


def test_every_open_state_closes_and_every_target_is_a_state() -> None:
    for state in (S.CONNECTING, S.CONNECTED, S.LISTENING, S.PROCESSING, S.SPEAKING):
        assert TRANSITIONS[(state, T.CLOSED)] is S.DISCONNECTED
    assert all(isinstance(target, SessionState) for target in TRANSITIONS.values())


@pytest.mark.parametrize("call", sorted(set(ALLOWED_CALLS) - {"connect"}))
def test_calls_before_connect_are_clear_errors(call: str) -> None:
    with pytest.raises(InvalidStateError, match=rf"{call}\(\) is not allowed while the session is IDLE") as info:
        StateMachine().check(call)
    assert "session.connect()" in str(info.value)
    assert (info.value.state, info.value.call) == ("IDLE", call)
    StateMachine(S.SPEAKING).check(call)


def test_connect_twice_is_refused() -> None:
    StateMachine().check("connect")
    StateMachine(S.DISCONNECTED).check("connect")
    with pytest.raises(InvalidStateError, match="while the session is CONNECTED"):
        StateMachine(S.CONNECTED).check("connect")
