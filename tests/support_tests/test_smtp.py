"""Prove SmtpSink receives real SMTP traffic and decodes Japanese mail the way clients do."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText

import pytest

from tests.support.smtp import SmtpSink

BODY = (
    "山田様\n\n訪問記録が更新されました。\n"
    "確認: https://carebook.example/records/42?tab=看護 。\n"
    "ログイン「https://carebook.example/login」\n"
)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as s:
        yield s


def test_utf8_japanese_message(sink: SmtpSink) -> None:
    msg = EmailMessage()
    msg["From"] = "carebook <noreply@carebook.example>"
    msg["To"] = "訪問看護ステーション <nurse@example.jp>"
    msg["Subject"] = "【carebook】記録の更新のお知らせ"
    msg.set_content(BODY)
    msg.add_alternative("<p>更新 <a href='https://example.jp/html-only'>x</a></p>", subtype="html")
    with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.send_message(msg)

    [mail] = sink.wait_for(1, timeout=5)
    assert mail.mail_from == "noreply@carebook.example"
    assert mail.rcpt_tos == ("nurse@example.jp",)
    assert mail.bare_lf is False
    assert mail.subject == "【carebook】記録の更新のお知らせ"
    assert "訪問看護ステーション" in mail.to
    assert "訪問記録が更新されました。" in mail.text
    assert mail.html is not None and "html-only" in mail.html
    assert sink.links(mail) == [
        "https://carebook.example/records/42?tab=看護",
        "https://carebook.example/login",
    ]
    assert sink.messages_to("NURSE@example.jp") == [mail]


def test_iso_2022_jp_message(sink: SmtpSink) -> None:
    msg = MIMEText(BODY, "plain", "iso-2022-jp")
    msg["Subject"] = Header("パスワード再設定", "iso-2022-jp").encode()
    msg["From"] = "noreply@carebook.example"
    msg["To"] = "care@example.jp"
    raw = msg.as_bytes(policy=policy.SMTP)
    assert b"\x1b$B" in raw  # really ISO-2022-JP on the wire, not UTF-8
    with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.sendmail("noreply@carebook.example", ["care@example.jp", "cc@example.jp"], raw)

    [mail] = sink.wait_for(1)
    assert mail.subject == "パスワード再設定"
    assert mail.text.replace("\r\n", "\n") == BODY
    assert mail.bare_lf is False
    assert mail.rcpt_tos == ("care@example.jp", "cc@example.jp")
    assert sink.links(mail.message)[0] == "https://carebook.example/records/42?tab=看護"


def test_wait_for_times_out_with_what_arrived(sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError, match="got 0"):
        sink.wait_for(1, timeout=0.2)


def test_stop_releases_port() -> None:
    sink = SmtpSink().start()
    port = sink.port
    sink.stop()
    sink.stop()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_links_drops_trailing_punctuation() -> None:
    assert SmtpSink.links("see https://a.example/x?y=1. and http://b.example/z),") == [
        "https://a.example/x?y=1",
        "http://b.example/z",
    ]


def test_bare_lf_is_flagged_and_can_be_refused() -> None:
    raw = b"From: a@example.jp\nTo: b@example.jp\nSubject: x\n\nbody\n"
    with SmtpSink() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            client.sendmail("a@example.jp", ["b@example.jp"], raw)
        assert sink.wait_for(1)[0].bare_lf is True
    with SmtpSink(reject_bare_lf=True) as strict:
        with smtplib.SMTP(strict.host, strict.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPDataError) as info:
                client.sendmail("a@example.jp", ["b@example.jp"], raw)
        assert info.value.smtp_code == 550
        assert strict.messages == []
