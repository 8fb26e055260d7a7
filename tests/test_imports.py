"""What ``import pyagent.realtime`` loads: the protocol layer, not the audio stack, and not the transport yet.

A program that only speaks the protocol (a text agent, a proxy, a test harness) must not pay for numpy and soxr,
which are most of what the audio layer costs to import; and websockets (with the ``importlib.metadata`` and proxy
support it loads) is executed at the first connection, not at import. Timings are in ``benchmarks/imports.py``.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import textwrap

from conftest import ROOT, modules_after
from pyagent.realtime.testing import Close, Expect, ScriptedServer, Send

NOT_AT_IMPORT = {"numpy", "soxr", "websockets", "python_socks"}


def test_import_realtime_loads_neither_numpy_nor_soxr_nor_websockets() -> None:
    loaded = modules_after("import pyagent.realtime")
    assert "pyagent" in loaded  # the import did happen
    assert "msgspec" in loaded
    assert not loaded & NOT_AT_IMPORT, sorted(loaded & NOT_AT_IMPORT)


def test_connecting_names_load_neither_numpy_nor_soxr() -> None:
    loaded = modules_after(
        "from pyagent.realtime import connect, RealtimeConnection, WebsocketConnectionOptions\n"
        "from pyagent.realtime.codec import decode_server_event\n"
        'decode_server_event(b\'{"type": "session.created", "event_id": "e", "session": {}}\')\n'
        'connect(endpoint="http://127.0.0.1:9", dialect="openai")  # arguments checked; nothing opened yet'
    )
    assert not loaded & NOT_AT_IMPORT, sorted(loaded & NOT_AT_IMPORT)


# Run in a fresh interpreter: websockets loads at the first connection, and every path through the transport (a
# refused port, an HTTP error at the upgrade, a conversation, the server's close) works from there.
CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pyagent.realtime import ConnectionClosed, ConnectionError, HandshakeError, connect

    async def main(endpoint: str, refusing: str, refused: str) -> None:
        assert "websockets" not in sys.modules
        try:
            await connect(endpoint=refused, dialect="openai")
        except ConnectionError as exc:
            print("refused", type(exc).__name__)
        print("loaded", "websockets" in sys.modules)
        try:
            await connect(endpoint=refusing, dialect="openai")
        except HandshakeError as exc:
            print("upgrade", exc.status)
        conn = await connect(endpoint=endpoint, dialect="openai")
        created = await conn.recv()
        await conn.session.update(session={"type": "realtime", "instructions": "Be brief."})
        updated = await conn.recv()
        print("events", created.type, updated.type)
        try:
            await conn.recv()
        except ConnectionClosed as exc:
            print("closed", exc.code, exc.reason)

    asyncio.run(main(*sys.argv[1:4]))
    """
)


async def _run_child(code: str, *args: str) -> list[str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 0, err.decode()
    return out.decode().splitlines()


CREATED = {"type": "session.created", "event_id": "e1", "session": {"id": "sess_1", "model": "gpt-realtime"}}


async def test_the_transport_loads_at_the_first_connection_and_works_from_there() -> None:
    script = [
        Send(CREATED),
        Expect("session.update"),
        Send({"type": "session.updated", "event_id": "e2", "session": {"id": "sess_1", "instructions": "Be brief."}}),
        Close(4000, "script ended"),
    ]
    with socket.socket() as closed_port:  # bound, never listening: connecting is refused
        closed_port.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{closed_port.getsockname()[1]}"
        async with ScriptedServer(script) as server, ScriptedServer([], reject=404) as refusing:
            printed = await _run_child(CHILD, server.endpoint, refusing.endpoint, refused)
    assert printed == [
        "refused ConnectionError",
        "loaded True",
        "upgrade 404",
        "events session.created session.updated",
        "closed 4000 script ended",
    ]


# The first connections of a process, made by 4 threads (each with its own loop) while a fifth walks every module
# as debuggers and loggers do (inspect.getmodule reads each module's attributes): every one connects.
THREADS = textwrap.dedent(
    """
    import asyncio, inspect, sys, threading
    from pyagent.realtime import connect

    endpoint = sys.argv[1]
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet a module half imported if one could
    done = threading.Event()
    results = []

    def walk() -> None:
        while not done.is_set():
            inspect.getmodule(walk)
            inspect.stack()

    async def first_connection() -> str:
        async with connect(endpoint=endpoint, dialect="openai") as conn:
            return (await conn.recv()).type

    def run() -> None:
        try:
            results.append(asyncio.run(first_connection()))
        except Exception as exc:
            results.append(repr(exc))

    walker = threading.Thread(target=walk)
    walker.start()
    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    walker.join()
    print(sorted(results))
    """
)


async def test_the_first_connections_from_many_threads_all_connect() -> None:
    async with ScriptedServer([Send(CREATED)]) as server:
        assert await _run_child(THREADS, server.endpoint) == [str(["session.created"] * 4)]


# Ctrl-C while the transport is imported for the first time (as in a REPL or a notebook): the next connection works.
INTERRUPTED = textwrap.dedent(
    """
    import asyncio, sys
    from pyagent.realtime import connect

    class InterruptOnce:
        fired = False

        def find_spec(self, name, path=None, target=None):
            if name == "websockets.asyncio.client" and not self.fired:
                InterruptOnce.fired = True
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, InterruptOnce())

    async def first_event() -> str:
        async with connect(endpoint=sys.argv[1], dialect="openai") as conn:
            return (await conn.recv()).type

    for attempt in range(2):
        try:
            print(attempt, asyncio.run(first_event()))
        except KeyboardInterrupt:
            print(attempt, "interrupted")
    """
)


async def test_a_first_connection_interrupted_while_importing_leaves_the_next_one_working() -> None:
    async with ScriptedServer([Send(CREATED)]) as server:
        assert await _run_child(INTERRUPTED, server.endpoint) == ["0 interrupted", "1 session.created"]
