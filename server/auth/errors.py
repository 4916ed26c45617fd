"""The sign-in answers that are not `{"next": …}`."""

from __future__ import annotations

from typing import Any

from ..errors import Conflict, DomainError, Forbidden, Unauthenticated


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

    def __init__(self, *, delivers: bool = True, **extra: Any) -> None:
        # `Clear-Site-Data` only on the answer that delivers the order: the browser acts on
        # the header by itself whenever an answer arrives, and a later answer (to a request
        # the wiped app sent before it wiped) can arrive after the nurse has signed in again,
        # erasing that new sign-in. Later answers still say `wipe`; the app carries out an
        # order once per device id (pwa/src/api.ts).
        headers = {"Clear-Site-Data": '"cache", "storage"'} if delivers else None
        super().__init__(headers=headers, wipe=True, **extra)


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


class CsrfRefused(Forbidden):
    code = "csrf"
    message_ja = "画面を再読み込みしてからもう一度お試しください（CSRF）。"
    message_en = "Please reload the page and try again (CSRF check failed)."


class ApiNavigation(Forbidden):
    """An address-bar navigation (or a link) to /api/: the API answers the app, not a tab."""

    code = "api_navigation"
    message_ja = "このアドレスは carebook のアプリ専用です。アプリから開いてください。"
    message_en = "This address is for the carebook app only. Please use the app."


class DeviceRequired(DomainError):
    status_code = 400
    code = "device_required"
    message_ja = "端末の識別子（X-Carebook-Device）がありません。アプリから操作してください。"
    message_en = "The device id (X-Carebook-Device) is missing. Please use the carebook app."


class DeviceMismatch(Unauthenticated):
    """The session belongs to a registered device other than the one named (or none named)."""

    code = "device_mismatch"
    message_ja = "この端末でのログインではありません。アプリからもう一度ログインしてください。"
    message_en = "This session belongs to another device. Please sign in again in the app."


class UnlockRequired(Unauthenticated):
    """A full session without (or with a stale) unlock proof: the app is locked."""

    code = "unlock_required"
    message_ja = "アプリのロックを解除してください。"
    message_en = "Please unlock the app first."
