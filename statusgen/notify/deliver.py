"""Sending a Message: an HTTP POST or an e-mail, with a timeout and a few attempts, and telling it
without secrets (the dry run, logs and summaries never show a token, a secret or a password)."""

from __future__ import annotations

import http.client
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from statusgen.clock import wall_time
from statusgen.notify.channels import Channel
from statusgen.notify.payloads import USER_AGENT, Message
from statusgen.notify.webhook import webhook_headers

TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS = (2.0, 8.0)  # waits before the second and third attempts
MASK = "***"


@dataclass(frozen=True)
class Transport:
    """How deliveries are attempted; tests shorten the waits."""

    timeout: float = TIMEOUT_SECONDS
    backoff: tuple[float, ...] = BACKOFF_SECONDS
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = wall_time

    @property
    def attempts(self) -> int:
        return len(self.backoff) + 1


class Failure(Exception):
    """A delivery that did not succeed; retry says whether another attempt may."""

    def __init__(self, reason: str, retry: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


def deliver(message: Message, transport: Transport) -> tuple[bool, str, int]:
    """Send with retries: (delivered, the last failure's reason, attempts made)."""
    reason = ""
    for attempt in range(transport.attempts):
        if attempt:
            transport.sleep(transport.backoff[attempt - 1])
        try:
            send_once(message, transport)
            return True, "", attempt + 1
        except Failure as failure:
            reason = failure.reason
            if not failure.retry:
                return False, reason, attempt + 1
    return False, reason, transport.attempts


def send_once(message: Message, transport: Transport) -> None:
    if message.email is not None:
        _send_mail(message, transport.timeout)
    else:
        _post(message, transport)


# -- HTTP ------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET, or send the body elsewhere: it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http_headers(message: Message, timestamp: int) -> dict[str, str]:
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if message.webhook_id:
        headers.update(webhook_headers(message.channel.secret, message.webhook_id, timestamp, message.body))
    return headers


def _post(message: Message, transport: Transport) -> None:
    # A fresh timestamp and signature per attempt; the webhook-id stays, so receivers can drop repeats.
    headers = http_headers(message, int(transport.clock()))
    request = urllib.request.Request(message.channel.url, data=message.body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=transport.timeout) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    except (TimeoutError, socket.timeout):
        raise Failure(f"no answer within {transport.timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise Failure(f"no answer within {transport.timeout:g} s") from None
        raise Failure(f"cannot connect to {mask_url(message.channel.url)}: {_words(reason)}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # a reset mid-answer, a malformed status line...
        raise Failure(f"the connection failed: {_words(exc)}") from None
    if not 200 <= status < 300:
        # 4xx means the request itself is refused (a revoked URL): trying again at once would not help.
        retry = status >= 500 or status in (408, 429)
        raise Failure(f"HTTP {status}", retry=retry)


def _words(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


# -- e-mail ----------------------------------------------------------------------
def _send_mail(message: Message, timeout: float) -> None:
    smtp_settings = message.channel.smtp
    assert smtp_settings is not None and message.email is not None
    try:
        with smtplib.SMTP(smtp_settings.host, smtp_settings.port, timeout=timeout) as smtp:
            if smtp_settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if smtp_settings.username:
                smtp.login(smtp_settings.username, smtp_settings.password)
            smtp.send_message(message.email)
    except smtplib.SMTPAuthenticationError as exc:
        raise Failure(f"the SMTP server refused the login (SMTP {exc.smtp_code})", retry=False) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise Failure(f"SMTP {exc.smtp_code} {' '.join(text.split())}", retry=exc.smtp_code < 500) from None
    except smtplib.SMTPRecipientsRefused:
        raise Failure("the SMTP server refused every recipient", retry=False) from None
    except (TimeoutError, socket.timeout):
        raise Failure(f"no answer from the SMTP server within {timeout:g} s") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise Failure(f"SMTP {smtp_settings.host}:{smtp_settings.port}: {_words(exc)}") from None


# -- telling it without secrets -------------------------------------------------
def mask_url(url: str) -> str:
    """Scheme, host and port only: chat and webhook URLs carry their token in the path or query."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return MASK
    if ":" in host:
        host = f"[{host}]"
    rest = "" if parts.path in ("", "/") and not parts.query else f"/{MASK}"
    return f"{parts.scheme}://{host}{port}{rest}"


def describe_channel(channel: Channel) -> str:
    if channel.type == "email" and channel.smtp:
        smtp = channel.smtp
        how = "STARTTLS" if smtp.starttls else "no TLS"
        login = f", login {MASK}" if smtp.username else ""
        return f"{channel.id} (email via {smtp.host}:{smtp.port}, {how}{login})"
    signed = ", signed" if channel.secret else ""
    return f"{channel.id} ({channel.type} to {mask_url(channel.url)}{signed})"


def preview(message: Message) -> str:
    """What the message would send, as the dry run prints it."""
    if message.email is not None:
        mail = message.email
        lines = [f"{name}: {value}" for name, value in mail.items()
                 if name.lower() not in ("content-type", "mime-version", "content-transfer-encoding")]
        for part in mail.iter_parts():
            lines += ["", f"[{part.get_content_type()}]", part.get_content().rstrip("\n")]
        return "\n".join(lines)
    lines = [f"POST {mask_url(message.channel.url)}"]
    headers = http_headers(message, 0)
    headers.pop("webhook-timestamp", None)
    if "webhook-signature" in headers:
        headers["webhook-signature"] = "v1,<signed with the channel's secret when sent>"
    lines += [f"{name}: {value}" for name, value in headers.items() if name != "User-Agent"]
    lines += ["", json.dumps(json.loads(message.body), ensure_ascii=False, indent=2)]
    return "\n".join(lines)
