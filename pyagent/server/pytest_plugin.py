"""A pytest fixture that runs the local realtime server for a test: no cloud, no credentials, no mocks.

Not registered automatically; enable it in a ``conftest.py``::

    pytest_plugins = ["pyagent.server.pytest_plugin"]

    def test_talks(local_server):
        url = local_server.url            # ws://127.0.0.1:PORT
        endpoint = local_server.endpoint  # http://127.0.0.1:PORT, for connect(endpoint=...)

The server runs on its own event loop in a background thread, so the fixture serves synchronous tests and
asynchronous ones alike (whatever loop or plugin runs them). It uses the fallback speech and sends audio as fast as
it is made; override the ``local_server_options`` fixture to change that (any :class:`LocalServer` argument)::

    @pytest.fixture
    def local_server_options():
        return {"speech": "auto", "realtime_factor": 1.0, "api_key": "test-key"}
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pyagent.server._server import LocalServer

__all__ = ["local_server", "local_server_options", "running_server"]

_START_TIMEOUT = 30.0


@contextlib.contextmanager
def running_server(**options: Any) -> Iterator[LocalServer]:
    """Run a :class:`LocalServer` on a background thread for the duration of the ``with`` block.

    Args:
        **options: :class:`LocalServer` arguments.

    Raises:
        TimeoutError: the server did not start within 30 seconds.
        Exception: whatever ``LocalServer.start()`` raises (for example ``SpeechUnavailableError``), re-raised in the
            calling thread.
    """
    server = LocalServer(**options)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []
    stop: list[asyncio.Event] = []

    async def serve() -> None:
        stop.append(asyncio.Event())
        try:
            await server.start()
        except BaseException as exc:  # handed to the calling thread, which re-raises it
            failure.append(exc)
            started.set()
            return
        started.set()
        try:
            await stop[0].wait()
        finally:
            await server.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), name="pyagent-local-server", daemon=True)
    thread.start()
    try:
        if not started.wait(_START_TIMEOUT):
            raise TimeoutError("the local server did not start in time")
        if failure:
            raise failure[0]
        yield server
    finally:
        if stop:
            loop.call_soon_threadsafe(stop[0].set)
        thread.join(_START_TIMEOUT)
        if not thread.is_alive():
            loop.close()


@pytest.fixture
def local_server_options() -> dict[str, Any]:
    """The :class:`LocalServer` arguments the ``local_server`` fixture uses; override it to change them."""
    return {"speech": "off", "realtime_factor": math.inf}


@pytest.fixture
def local_server(local_server_options: dict[str, Any]) -> Iterator[LocalServer]:
    """A running local realtime server on 127.0.0.1 (a free port), closed after the test."""
    with running_server(**local_server_options) as server:
        yield server
