"""What a history line says, in the clerk's words: an application's events and a user's record.

An application's own events are `ApplicationAction` codes; a user's history mixes audit
actions (`admin.user_stopped` …) with the events of applications about the user. Each line
carries its Japanese label so that no screen shows a code; an action without a label here
(a newer feature's) shows its code rather than nothing.
"""

from __future__ import annotations

from typing import Any

from store.models.enums import ApplicationAction, ApplicationKind

AUDIT_ACTION_LABELS: dict[str, str] = {
    "admin.user_issued": "ID発行",
    "admin.user_stopped": "ID停止",
    "admin.member_added": "部屋への参加",
    "admin.member_removed": "部屋からの退出",
    "admin.member_permission_changed": "閲覧権限の変更",
    "admin.user_stop_scheduled": "ID停止の予約（停止希望日）",
    "admin.user_stop_cancelled": "ID停止の予約の取り消し",
    "scheduler.user_stop_carried_out": "予約したID停止の実施",
    "scheduler.user_stop_notice_sent": "ID停止予定のお知らせ（メール）",
    "admin.role_changed": "役割の変更",
    "admin.clerk_retired": "ユーザー管理者（市）の登録終了",
    "admin.account_viewed": "ヘルプデスクでの閲覧",
    "admin.user_unlocked": "ロックの解除",
    "admin.password_reset_sent": "パスワード再設定メールの送付",
    "admin.password_reset_letter": "パスワード再設定の通知書の印刷",
    "admin.factors_reset": "二要素認証のリセット",
    "admin.devices_wiped": "端末のデータ消去の指示",
    "admin.sessions_ended": "セッションの終了",
    "user.terms_accepted": "利用規約に同意",
}


def application_action_label(action: str) -> str:
    return ApplicationAction.label_of(action)


def audit_action_label(action: str) -> str:
    return AUDIT_ACTION_LABELS.get(action, action)


def audit_note(action: str, details: dict[str, Any]) -> str | None:
    """What a history line adds to its label: the version of the terms accepted, …"""
    if action == "user.terms_accepted" and details.get("version"):
        return f"版 {details['version']}"
    return None


def application_event_label(kind: str, action: str) -> str:
    """「ID停止依頼（様式3）：承認」: which application, and what happened to it."""
    return f"{ApplicationKind.label_of(kind)}：{ApplicationAction.label_of(action)}"
