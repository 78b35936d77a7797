"""Receivers for the notify tests: an HTTP server and an SMTP server on 127.0.0.1 that record what
they are sent. The HTTP server answers each path as told: 2xx, 5xx, or no answer at all."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

HANG_LIMIT = 5.0  # a hanging answer gives up by itself after this long, so the server always stops


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class HttpReceiver:
    """Records every POST; `answers[path]` is an HTTP status, 'hang', or a list of them used in turn
    (default 200)."""

    server: ThreadingHTTPServer
    requests: list[Request] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)
    delay: float = 0.0  # seconds before each answer (to make two runs overlap)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def to(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def start_http() -> HttpReceiver:
    receiver: HttpReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            answer = receiver.answers.get(self.path, 200)
            if isinstance(answer, list):
                answer = answer.pop(0) if answer else 200
            if answer == "hang":
                receiver.stopping.wait(HANG_LIMIT)
                return
            with receiver.lock:
                receiver.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if receiver.delay:
                time.sleep(receiver.delay)
            self.send_response(int(answer))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = HttpReceiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver


class _Mailbox:
    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []  # as received, before parsing
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        self.raw.append(raw)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(raw, policy=policy.default)))
        return "250 OK"


@dataclass
class SmtpReceiver:
    controller: Controller
    mailbox: _Mailbox

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.mailbox.messages

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp() -> SmtpReceiver:
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return SmtpReceiver(controller, mailbox)
