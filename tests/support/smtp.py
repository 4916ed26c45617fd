"""A real SMTP server on loopback that keeps every message it is sent.

The server's mail code is tested end to end over a socket instead of with a mocked transport,
so encoding bugs (Japanese subjects, ISO-2022-JP bodies, line lengths) and envelope mistakes show
up in tests exactly as a real MTA would see them.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["ReceivedMail", "SmtpSink"]

# Stop at whitespace, angle brackets and quotes, and at Japanese punctuation/brackets that
# commonly hug a URL in running Japanese text (「https://…」、).
_URL_RE = re.compile(r"""https?://[^\s<>"'「」『』（）、。]+""")
_TRAILING_PUNCT = ".,;:!?)]}"
_BARE_LF_RE = re.compile(rb"(?<!\r)\n")


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the sink received it, already parsed and decoded.

    ``text`` is the decoded ``text/plain`` body (charset handled by the email package, so
    UTF-8 and ISO-2022-JP both come back as ``str``); ``html`` is the ``text/html`` body if any.
    ``bare_lf`` says the sender used LF without CR on the wire: Python's ``smtplib.sendmail``
    does that for ``bytes`` made with the default policy, and modern MTAs (Postfix ≥ 3.9,
    Exchange) refuse it as an SMTP-smuggling risk, so a test may want to assert it is False.
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    text: str
    html: str | None
    smtputf8: bool
    bare_lf: bool
    received_at: float

    @property
    def subject(self) -> str:
        """The decoded Subject header (RFC 2047 words resolved), or ``""``."""
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        """The decoded To header, which can differ from the envelope recipients."""
        return str(self.message.get("To", ""))


def _part_text(msg: EmailMessage, subtype: str) -> str | None:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


class _Handler:
    """aiosmtpd handler: parse in the SMTP thread, hand over to the sink under its lock."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        bare_lf = _BARE_LF_RE.search(raw) is not None
        if bare_lf and self._sink.reject_bare_lf:
            return "550 5.6.11 bare LF in message (SMTP requires CRLF line endings)"
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=message,
            raw=raw,
            text=_part_text(message, "plain") or "",
            html=_part_text(message, "html"),
            smtputf8=envelope.smtp_utf8,
            bare_lf=bare_lf,
            received_at=time.time(),
        )
        self._sink._record(mail)
        return "250 Message accepted for delivery"


class _LoopbackController(Controller):
    """Controller that binds port 0 and learns the real port before its self-check connect.

    Stock ``Controller`` connects to ``self.port`` to start the protocol, which fails for port 0;
    reading the bound socket first avoids the find-a-free-port-then-bind race.
    """

    def _trigger_server(self) -> None:
        server: Any = self.server  # an asyncio.Server; AbstractServer lacks ``sockets``
        if server is not None and self.port == 0:
            self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpSink:
    """SMTP server on ``127.0.0.1`` and a free port, recording every message it accepts.

    Use as ``with SmtpSink() as sink:`` or call ``start()``/``stop()`` from a fixture, then
    point the server's SMTP settings at ``sink.host``/``sink.port`` (no TLS, no AUTH).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        enable_smtputf8: bool = True,
        reject_bare_lf: bool = False,
    ) -> None:
        self.host = host
        self.reject_bare_lf = reject_bare_lf
        self._enable_smtputf8 = enable_smtputf8
        self._controller: _LoopbackController | None = None
        self._cond = threading.Condition()
        self._messages: list[ReceivedMail] = []

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        """The bound port (only valid after ``start()``)."""
        if self._controller is None:
            raise RuntimeError("SmtpSink is not started")
        return int(self._controller.port)

    def start(self) -> Self:
        """Start the server thread; returns ``self`` for fixture one-liners."""
        if self._controller is not None:
            raise RuntimeError("SmtpSink already started")
        controller = _LoopbackController(
            _Handler(self),
            hostname=self.host,
            port=0,
            enable_SMTPUTF8=self._enable_smtputf8,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop the server and release the port; safe to call twice."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ inspection

    def _record(self, mail: ReceivedMail) -> None:
        with self._cond:
            self._messages.append(mail)
            self._cond.notify_all()

    @property
    def messages(self) -> list[ReceivedMail]:
        """A snapshot of the messages received so far, oldest first."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget received messages, e.g. between steps of one test."""
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages arrived; return them.

        Mail is often sent from a background task after the HTTP response, so tests must wait
        rather than look immediately. Raises ``TimeoutError`` naming what did arrive.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    subjects = [m.subject for m in self._messages]
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout}s, got "
                        f"{len(self._messages)}: {subjects}"
                    )
                self._cond.wait(remaining)
            return list(self._messages)

    def messages_to(self, address: str) -> list[ReceivedMail]:
        """Messages whose envelope recipients include ``address`` (case-insensitive)."""
        wanted = address.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.rcpt_tos)]

    @staticmethod
    def links(message: ReceivedMail | EmailMessage | str) -> list[str]:
        """Every http(s) URL in the text body, in order (the HTML part is not scanned).

        Trailing sentence punctuation is dropped so ``…/verify?t=abc.`` yields the real link.
        """
        text: Any
        if isinstance(message, ReceivedMail):
            text = message.text
        elif isinstance(message, EmailMessage):
            text = _part_text(message, "plain") or ""
        else:
            text = message
        return [m.group(0).rstrip(_TRAILING_PUNCT) for m in _URL_RE.finditer(text)]
