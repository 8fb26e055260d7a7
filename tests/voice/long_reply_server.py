"""A local server in its own process that answers every turn at length: memory tests measure the client alone.

Run as ``python long_reply_server.py SECONDS``: it prints the endpoint on a line, then serves until stdin closes.
"""

from __future__ import annotations

import asyncio
import math
import sys

from pyagent.server import LocalServer, Reply, ResponderContext


async def main(words: int) -> None:
    def long_reply(context: ResponderContext) -> Reply:
        return Reply(text=" ".join(["word"] * words))

    async with LocalServer(responder=long_reply, speech="off", realtime_factor=math.inf) as server:
        print(server.endpoint, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
