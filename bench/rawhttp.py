"""A lean HTTP/1.1 keep-alive client for the load generator (asyncio streams, no framework).

On a 2-core machine the load generator shares the CPU with the server it measures: httpx
spends about a millisecond of CPU per request on its own machinery, which the API and the
engine then lack. This client writes the request line and headers itself, reads the status
line, the headers and the whole body (``Content-Length`` or chunked), and keeps the
connection open, so a request is timed end to end as before for a fraction of the CPU.

>>> head = b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\ncontent-type: application/json\\r\\n\\r\\n"
>>> _parse_head(head)
(200, {'content-length': '2', 'content-type': 'application/json'})
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    """The connection failed or the reply was not HTTP/1.1 as expected."""


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"not an HTTP/1.x status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


class Client:
    """One keep-alive connection to ``base`` (``http://host:port/prefix``); not shared
    between tasks. ``get`` returns ``(status, body)``; a dropped connection is reopened on
    the next request."""

    def __init__(self, base: str, headers: Mapping[str, str], timeout: float = 30.0) -> None:
        u = urlsplit(base)
        if u.scheme != "http" or u.hostname is None:
            raise ValueError(f"plain http://host:port only: {base}")
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.timeout = timeout
        fixed = {"Host": f"{self.host}:{self.port}", "Accept": "*/*", **headers}
        # Header values may hold non-ASCII text: sent as UTF-8, as httpx does.
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode("utf-8")
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: Mapping[str, object] | None = None) -> tuple[int, bytes]:
        target = self.prefix + path + (("?" + urlencode(params)) if params else "")
        request = f"GET {target} HTTP/1.1\r\n".encode() + self._fixed + b"\r\n"
        if self._reader is not None and self._reader.at_eof():
            await self.close()  # the server closed the idle connection (keep-alive timeout)
        # A kept-alive connection may be closed by the server just as it is reused: a GET is
        # then sent again once on a new connection, as HTTP clients (httpx too) do.
        for attempt in (1, 2):
            reused = self._writer is not None
            try:
                return await asyncio.wait_for(self._exchange(request), self.timeout)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
                await self.close()
                if not (reused and attempt == 1):
                    raise HttpError(f"{type(e).__name__}: {e}") from e
            except (TimeoutError, HttpError):
                await self.close()
                raise
        raise AssertionError("unreachable")

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, limit=1 << 20
            )
        assert self._reader is not None
        self._writer.write(request)
        status, headers = _parse_head(await self._reader.readuntil(b"\r\n\r\n"))
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:  # no length: the body runs to the end of the connection
            body = await self._reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self._reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")  # no trailers are sent
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def close(self) -> None:
        w, self._reader, self._writer = self._writer, None, None
        if w is not None:
            w.close()
            with contextlib.suppress(OSError):
                await w.wait_closed()
