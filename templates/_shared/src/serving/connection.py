"""HTTP/1.1 connections with bounded request headers.

uvicorn's default parser (httptools, when it is installed) takes a header of
any size and waits forever for one that never ends. This service runs uvicorn's
h11 protocol instead, with what h11 and uvicorn leave out:

- a header block over the limit (uvicorn's ``h11_max_incomplete_event_size``)
  gets a 431 (Request Header Fields Too Large). h11 enforces that limit only on
  a header still incomplete in its buffer, so one that arrives whole in a
  single read would pass: the bytes are counted here as they arrive;
- a request whose headers do not arrive complete within a deadline is answered
  408 and the connection closed, so slow clients cannot hold connections open
  a byte at a time (a connection that sends nothing is closed without a word).

The number of header lines is limited in the application (limits.py), where
the answer can be JSON like every other error.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def plain_response(status: int, reason: str, text: str) -> bytes:
    """A whole HTTP/1.1 response that closes the connection, as bytes: written
    directly, because h11 will not send an answer to a request it refused."""
    body = text.encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


TOO_LARGE = plain_response(
    431, "Request Header Fields Too Large", "request headers are too large\n"
)
H11_DEFAULT_LIMIT = 16 * 1024  # h11's own default, when uvicorn is given none
TOO_SLOW = plain_response(408, "Request Timeout", "request headers took too long\n")


class BoundedHeadersProtocol(H11Protocol):
    """uvicorn's h11 protocol with a 431 for oversized headers and a header deadline.

    Use ``bounded_headers(timeout)`` to get a class with the deadline set: uvicorn
    builds one protocol object per connection from the class it is given.
    """

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._bytes_since_armed = False
        self._header_bytes = 0  # of the header block being received
        self._header_tail = b""  # its last 3 bytes: an end marker may straddle two reads

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._bytes_since_armed = True
        if self.conn.their_state is h11.IDLE and self._header_over_limit(data):
            self.transport.write(TOO_LARGE)
            self.transport.close()
            return
        super().data_received(data)

    def _header_over_limit(self, data: bytes) -> bool:
        """Count the header block's bytes up to its blank line (CRLF CRLF)."""
        limit = self.config.h11_max_incomplete_event_size or H11_DEFAULT_LIMIT
        searched = self._header_tail + data
        end = searched.find(b"\r\n\r\n")
        if end >= 0:
            size = self._header_bytes - len(self._header_tail) + end + 4
            self._header_bytes, self._header_tail = 0, b""
            return size > limit
        self._header_bytes += len(data)
        self._header_tail = searched[-3:]
        return self._header_bytes > limit

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this inside its `except h11.RemoteProtocolError`, so the
        # error h11 raised is the one being handled, with its status hint.
        error = sys.exc_info()[1]
        if getattr(error, "error_status_hint", 400) == 431:
            self.transport.write(TOO_LARGE)
            self.transport.close()
        else:
            super().send_400_response(msg)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._bytes_since_armed = False
        waiting_for = self.cycle  # a new request replaces the cycle
        self._header_deadline = self.loop.call_later(
            self.header_timeout, self._headers_too_slow, waiting_for
        )

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self, waiting_for: object) -> None:
        if self.cycle is not waiting_for or self.transport.is_closing():
            return  # the request arrived in time
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request (pipelined) is being answered: not a slow header
        if self._bytes_since_armed:  # part of a request: say why it is dropped
            self.transport.write(TOO_SLOW)
        self.transport.close()  # an idle connection is simply closed, as keep-alive does


def bounded_headers(header_timeout: float) -> type[BoundedHeadersProtocol]:
    """The protocol class uvicorn should build connections from."""
    return type("BoundedHeaders", (BoundedHeadersProtocol,), {"header_timeout": header_timeout})
