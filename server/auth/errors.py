"""The sign-in answers that are not `{"next": …}`."""

from __future__ import annotations

from typing import Any

from ..errors import Conflict, DomainError, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """One answer for unknown user, wrong password and locked account (SECURITY.md 6)."""

    code = "invalid_credentials"
    message_ja = "ログインIDまたはパスワードが正しくありません。"
    message_en = "The login ID or password is not correct."


class InvalidCode(Unauthenticated):
    code = "invalid_code"
    message_ja = "確認コードまたはパスキーを確認できませんでした。"
    message_en = "The code or passkey could not be verified."


class DeviceWiped(DomainError):
    status_code = 401
    code = "device_wiped"
    message_ja = "この端末のデータは消去されました。もう一度ログインしてください。"
    message_en = "This device's data has been wiped. Please sign in again."

    def __init__(self, **extra: Any) -> None:
        super().__init__(headers={"Clear-Site-Data": '"cache", "storage"'}, wipe=True, **extra)


class WrongStep(Conflict):
    code = "wrong_step"
    message_ja = "ログインの手順が違います。最初からやり直してください。"
    message_en = "This sign-in step is not expected now. Please start again."


class ReauthRequired(Unauthenticated):
    code = "reauth_required"
    message_ja = "安全のため、もう一度ログインしてから操作してください。"
    message_en = "For your security, please sign in again before doing this."


class WeakPassword(DomainError):
    status_code = 400
    code = "weak_password"
    message_ja = "このパスワードは使えません。"
    message_en = "This password cannot be used."


class LastFactor(Conflict):
    code = "last_factor"
    message_ja = "最後の認証方法は削除できません。先に別の方法を登録してください。"
    message_en = "The last second factor cannot be removed. Add another one first."
