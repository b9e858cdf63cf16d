"""Servers on 127.0.0.1 for real_library_driver.py: run with the test's virtual environment, which has websockets.

Not a test module: the driver starts this file as a process of its own, so
that the connections it serves outlive the window the driver closes, as a
remote server would. One websockets server on one port answers:

- `GET /hello` (plain HTTP): a short JSON body, for the httpx request;
- `GET /closes` (plain HTTP): the close codes seen on `/hold` so far, as JSON;
- websocket `/stream?n=N`: sends the numbers 0 to N-1 as text, in order, then closes;
- websocket `/hold`: keeps the connection open until the client closes it,
  then records the close code the client sent (1006 if it vanished without a
  close frame, which is what an unclosed transport looks like from here).

It prints its port on one line, and stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

CLOSES: list[int | None] = []


def plain_http(connection: ServerConnection, request: Request) -> Response | None:
    """Answer the plain HTTP paths; None lets a websocket handshake go on."""
    path = urlsplit(request.path).path
    if path == "/hello":
        return json_response(connection, {"greeting": "hello from 127.0.0.1"})
    if path == "/closes":
        return json_response(connection, CLOSES)
    return None


def json_response(connection: ServerConnection, body: object) -> Response:
    response = connection.respond(HTTPStatus.OK, json.dumps(body))
    response.headers["Content-Type"] = "application/json"
    return response


async def handle(ws: ServerConnection) -> None:
    assert ws.request is not None
    url = urlsplit(ws.request.path)
    if url.path == "/stream":
        for number in range(int(parse_qs(url.query)["n"][0])):
            await ws.send(str(number))
        await ws.close()
    elif url.path == "/hold":
        await ws.wait_closed()
        CLOSES.append(ws.close_code)
    else:
        await ws.close(code=1008, reason="no such path")


async def main() -> None:
    # The stream is sent in one burst, which on a busy machine can take longer than the 0.1 s after
    # which debug mode (-X dev) reports a slow step. The server's speed is not what the test checks.
    asyncio.get_running_loop().slow_callback_duration = 2.0
    async with serve(handle, "127.0.0.1", 0, process_request=plain_http) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        await asyncio.to_thread(sys.stdin.read)  # until the driver closes our stdin


if __name__ == "__main__":
    asyncio.run(main())
