"""Outgoing e-mail: SMTP when a host is set, else `.eml` files in the data dir's outbox."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from store.models import new_id

from ..settings import Settings


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _message(self, to: str, subject: str, body: str,
                 headers: Mapping[str, str] | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.smtp.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="carebook.local")
        for key, value in (headers or {}).items():
            message[key] = value
        message.set_content(body, charset="utf-8")
        return message

    def _send_now(self, message: EmailMessage) -> None:
        smtp = self._settings.smtp
        if smtp.host is None:
            outbox = self._settings.outbox_dir
            outbox.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            (outbox / f"{stamp}-{new_id()}.eml").write_bytes(bytes(message))
            return
        with smtplib.SMTP(smtp.host, smtp.port, timeout=20) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username and smtp.password:
                client.login(smtp.username, smtp.password)
            client.send_message(message)

    async def send(self, to: str, subject: str, body: str,
                   headers: Mapping[str, str] | None = None) -> None:
        await asyncio.to_thread(self._send_now, self._message(to, subject, body, headers))
