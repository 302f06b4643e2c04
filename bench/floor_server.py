"""The floor for bench/hub_fanout.py: a plain `websockets` broadcast server.

No Django, no Channels, no database: it holds the connections in a set and,
when any connection sends {"id": .., "cmd": "broadcast", "args": {"data": ..}},
encodes one event {"type": "agenda.current", "seq": n, "data": ..} once and
writes it to every connection with websockets.broadcast(). Whatever the hub
costs beyond this is the cost of Django, Channels and our own code.

Like the hub it sends {"type": "snapshot", "seq": n} first on each connection
and replies {"in_response": id, "ok": true} to the command.

    python bench/floor_server.py --port 8765

Loopback only. It stops by itself after --max-seconds, or as soon as the
process that started it (--parent-pid) is gone.
"""

import argparse
import asyncio
import json
import os
import signal

from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosed

MAX_MESSAGE = 64 * 1024


def encode(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class Floor:
    def __init__(self):
        self.clients = set()
        self.seq = 0

    async def handler(self, ws):
        self.clients.add(ws)
        try:
            await ws.send(encode({"type": "snapshot", "seq": self.seq, "data": {}}))
            async for raw in ws:
                try:
                    msg = json.loads(raw)
                    corr = msg.get("id")
                except (ValueError, AttributeError):
                    continue
                if msg.get("cmd") != "broadcast":
                    await ws.send(encode({"in_response": corr, "ok": False, "error": {"code": "unknown_command"}}))
                    continue
                self.seq += 1
                data = (msg.get("args") or {}).get("data")
                broadcast(self.clients, encode({"type": "agenda.current", "seq": self.seq, "data": data}))
                await ws.send(encode({"in_response": corr, "ok": True, "data": {}}))
        except ConnectionClosed:
            pass  # a client that goes away without a close frame is no error here
        finally:
            self.clients.discard(ws)


async def main(port: int, max_seconds: float, parent_pid: int | None) -> None:
    floor = Floor()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    # compression=None: Daphne does not negotiate permessage-deflate either.
    async with serve(floor.handler, "127.0.0.1", port, compression=None, max_size=MAX_MESSAGE, backlog=2048):
        print(f"floor-server listening on 127.0.0.1:{port}", flush=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        while not stop.done() and loop.time() < deadline:
            if parent_pid is not None and os.getppid() != parent_pid:
                break
            await asyncio.wait([stop], timeout=1.0)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--max-seconds", type=float, default=3600.0, help="stop by itself after this long")
    p.add_argument("--parent-pid", type=int, help="stop when this process is no longer our parent")
    a = p.parse_args()
    asyncio.run(main(a.port, a.max_seconds, a.parent_pid))
