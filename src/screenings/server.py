"""The HTTP server ``screenings serve`` runs: gunicorn, with a gevent worker that slow
clients cannot stall, and a logger that redacts and escapes what it writes.

Calendar apps poll from the open internet, so a bare ``serve`` must survive clients
that send a request a byte at a time or never read the answer. gunicorn's threaded
worker gives each connection a thread for as long as its client takes: eight slow
clients held all eight threads. Here every connection is a greenlet, cheap enough to
hold by the thousand, and each is given deadlines:

- reading a request (its line and headers, or the wait for the next one on a kept-alive
  connection) has ``keepalive`` seconds in all (gunicorn's gevent worker runs the parser
  under a ``gevent.Timeout`` of that length; ``--header-timeout`` sets it);
- an answer the client has taken no byte of for ``send_timeout`` seconds
  (``--send-timeout``) is given up and the connection reset: a deadline for an idle
  client, not for the whole answer, so a client that reads a big feed slowly but
  steadily gets all of it (``Sender``);
- the application runs ``threads`` requests at once in a worker (each holds one pooled
  database connection; the worker keeps ``threads`` + 1); a client that is slow to send
  or to read holds no such slot, only its greenlet.

gunicorn's parser, and so its limits (4 KB request line, 100 header fields of 8 KB
each), stay as they were. Rendering is CPU work that does not yield: a render blocks
its worker's other connections for as long as it takes, which is why there are
several workers (a worker that is busy accepts nothing new).

This module is imported only by ``serve`` (and by gunicorn, named on its command line):
it loads gevent and gunicorn.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import importlib
import logging
import signal
import socket
import struct
import sys
import termios
import time
from typing import Any

from gevent.lock import BoundedSemaphore
from gunicorn import glogging
from gunicorn.workers.ggevent import GeventWorker

from screenings import logsafe

# Seconds without a byte taken by the client; serve passes its --send-timeout instead.
SEND_TIMEOUT = 30.0


class Worker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker with a send timeout and a bound on the requests its
    application runs at once (gunicorn's ``threads`` setting). Use it with
    ``--worker-class screenings.server.Worker``."""

    send_timeout = SEND_TIMEOUT
    wsgi: Any

    def init_process(self) -> None:
        # Until gunicorn sets the worker's own handlers, after gevent has patched, a
        # SIGTERM would reach the master's, inherited through the fork, and be lost: the
        # master would wait out its graceful timeout before it killed this worker.
        signal.signal(signal.SIGTERM, self.handle_exit)
        super().init_process()

    def patch(self) -> None:
        super().patch()
        # psycopg picks its way of waiting for the server when it is imported: in the
        # master, which imported it to check the catalogue before gevent patched
        # ``select``, it picked a C loop that would block every greenlet of the worker.
        # Picked again now, it waits the cooperative way.
        waiting = sys.modules.get("psycopg.waiting")
        if waiting is not None:
            importlib.reload(waiting)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        application: Any = self.wsgi
        slots = BoundedSemaphore(max(1, self.cfg.threads))
        log = self.log

        def bounded(environ: dict[str, Any], start_response: Any) -> Any:
            environ["wsgi.errors"] = ErrorStream(log)
            with slots:
                return application(environ, start_response)

        self.wsgi = bounded

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        # Reading has its own deadline (the parser's timeout); writing gets this one, as
        # time with no byte taken: gevent's own sendall would make it a deadline for the
        # whole answer, and cut off a client reading a big feed slowly but steadily.
        sender = Sender(sock, self.send_timeout)
        sock.settimeout(sender.step)
        try:
            return super().handle_request(listener_name, req, sender, addr)
        except TimeoutError:
            self.log.info(
                "closed a connection from %s: it took nothing for %g s", addr[0], self.send_timeout
            )
            # Reset rather than closed: the unsent rest of the answer is dropped now, not
            # kept by the kernel for a client that reads nothing.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raise StopIteration from None  # gunicorn's way to close the connection
        finally:
            with contextlib.suppress(OSError):  # closed already
                sock.settimeout(None)


# Linux's SIOCOUTQ: the bytes a TCP socket holds that its peer has not acknowledged.
_SIOCOUTQ = termios.TIOCOUTQ if sys.platform.startswith("linux") else None


class Sender:
    """A connection's socket, as an answer is written to it: ``sendall`` gives up, with
    ``TimeoutError``, once the client has taken no byte for ``idle`` seconds (between
    ``idle`` and ``idle`` + ``step`` after the last), however long the whole answer
    takes. Everything else is the socket's own. The socket's timeout must be ``step``.

    A byte is taken when the client's TCP acknowledges it: the kernel's queue of bytes
    not yet acknowledged shrinks (Linux). Elsewhere, when the kernel has room for more
    of the answer: a client that reads a little at a time may then be cut off."""

    def __init__(self, sock: Any, idle: float) -> None:
        self.sock = sock
        self.idle = idle
        # How often a stalled answer looks at what the client took: a second, at most.
        self.step = min(1.0, idle / 4)

    def sendall(self, data: bytes, flags: int = 0) -> None:
        view = memoryview(data).cast("B")  # slices of the cached bytes, never copies
        taken_at, queued = time.monotonic(), self._unacknowledged()
        while view:
            try:
                sent = self.sock.send(view, flags)  # as much as the kernel has room for
            except TimeoutError:  # no room for ``step`` seconds: has the client taken any?
                now, waiting = time.monotonic(), self._unacknowledged()
                if waiting is not None and queued is not None and waiting < queued:
                    taken_at = now
                elif now - taken_at >= self.idle:
                    raise
                queued = waiting
                continue
            if sent:
                view = view[sent:]
                taken_at, queued = time.monotonic(), self._unacknowledged() if view else None

    def _unacknowledged(self) -> int | None:
        if _SIOCOUTQ is None:
            return None
        try:
            return int(struct.unpack("i", fcntl.ioctl(self.sock, _SIOCOUTQ, bytes(4)))[0])
        except OSError:
            return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def worker(send_timeout: float) -> type[Worker]:
    """A ``Worker`` class with ``send_timeout``, for gunicorn's ``worker_class``."""
    return type("Worker", (Worker,), {"send_timeout": send_timeout})


class Logger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, each of whose lines is safe to write: secret feed tokens
    redacted and control characters escaped (``screenings.logsafe``). A record is one
    line; a traceback, or more lines the application wrote, follow it indented by four
    spaces, so that no text from a client begins a line. Use it with
    ``--logger-class screenings.server.Logger``."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not isinstance(handler.formatter, SafeFormatter):
                    handler.setFormatter(SafeFormatter(handler.formatter or logging.Formatter()))


class SafeFormatter(logging.Formatter):
    """Wraps ``inner``: the record's message as one safe field, and whatever follows it
    (a traceback, or the further lines of a ``multiline`` record) redacted, escaped and
    indented."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        lines = message.split("\n") if getattr(record, "multiline", False) else [message]
        safe = copy.copy(record)
        safe.msg, safe.args = logsafe.field(lines[0]), None
        head, *rest = self.inner.format(safe).split("\n")
        return "\n".join([head, *("    " + logsafe.field(line) for line in lines[1:] + rest)])


class ErrorStream:
    """``wsgi.errors`` for one request: what the application writes goes to the error
    log, a record at each end of line, through the logger's formatter."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.pending: list[str] = []

    def write(self, text: str) -> None:
        self.pending.append(text)
        if text.endswith("\n"):
            self.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        text, self.pending = "".join(self.pending).rstrip("\n"), []
        if text:
            self.log.error(text, extra={"multiline": True})
