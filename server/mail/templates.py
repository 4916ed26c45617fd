"""The e-mails of the city's workflows, in Japanese.

E-mail leaves our control, so no message names a patient or carries anything
from a contact book: a room is called by its label (or a short number) and the
reader signs in to see more. Links are single-use and say how long they last.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNATURE = (
    "\n--\n"
    "carebook 在宅医療・介護連携情報共有システム\n"
    "このメールは送信専用です。ご不明な点はヘルプページの問い合わせ先へご連絡ください。\n"
)


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str


def _letter(to: str, subject: str, body: str) -> Letter:
    return Letter(to=to, subject=f"【carebook】{subject}", body=body + SIGNATURE)


def invitation(to: str, *, name: str, office_name: str, link: str, expires: str) -> Letter:
    return _letter(
        to,
        "システム利用登録（ID発行申請）のご案内",
        f"{name} 様\n\n"
        "市のユーザー管理者から、在宅医療・介護連携情報共有システム carebook への\n"
        f"利用登録のご案内をお送りします（所属：{office_name}）。\n\n"
        "次のリンクを開き、ID発行申請（氏名・ふりがな・所属・職種・連絡先）を入力し、\n"
        "個人情報の取扱いに関する誓約書（様式4-2）の内容をご確認のうえ同意してください。\n\n"
        f"{link}\n\n"
        f"このリンクは1回限り有効で、{expires} まで使えます。\n"
        "お心当たりのない場合は、このメールを破棄してください。\n",
    )


def id_issued(to: str, *, name: str, login_id: str, link: str, expires: str) -> Letter:
    return _letter(
        to,
        "ID発行のお知らせ（パスワード設定のお願い）",
        f"{name} 様\n\n"
        "carebook の利用登録申請が承認され、ログインIDを発行しました。\n\n"
        f"ログインID：{login_id}\n\n"
        "次のリンクを開いてパスワードを設定してください。初回ログイン時に、\n"
        "二要素認証（パスキーまたは認証アプリ）の登録をお願いします。\n\n"
        f"{link}\n\n"
        f"このリンクは1回限り有効で、{expires} まで使えます。\n"
        "期限が切れた場合は、市のユーザー管理者に再発行を依頼してください。\n",
    )


def application_approved(to: str, *, name: str, kind_label: str, submitted: str) -> Letter:
    return _letter(
        to,
        f"申請承認のお知らせ（{kind_label}）",
        f"{name} 様\n\n"
        f"{submitted} に提出された「{kind_label}」を承認しました。\n"
        "内容は carebook の申請一覧でご確認いただけます。\n",
    )


def application_rejected(
    to: str, *, name: str, kind_label: str, submitted: str, reason: str
) -> Letter:
    return _letter(
        to,
        f"申請却下のお知らせ（{kind_label}）",
        f"{name} 様\n\n"
        f"{submitted} に提出された「{kind_label}」は、次の理由により承認されませんでした。\n\n"
        f"理由：{reason}\n\n"
        "内容を見直したうえで、あらためて申請してください。\n",
    )


def room_opened(to: str, *, name: str, room_name: str, submitted: str | None) -> Letter:
    requested = f"{submitted} に依頼のあった" if submitted else "依頼のあった"
    return _letter(
        to,
        "患者（利用者）部屋作成完了のお知らせ",
        f"{name} 様\n\n"
        f"{requested}患者（利用者）部屋（様式6）を作成しました。\n\n"
        f"部屋：{room_name}\n\n"
        "参加者は carebook にログインすると部屋を確認できます。\n",
    )


def room_closed(to: str, *, name: str, room_name: str, reason_label: str) -> Letter:
    return _letter(
        to,
        "患者（利用者）部屋終了のお知らせ",
        f"{name} 様\n\n"
        "ご参加の患者（利用者）部屋を終了しました。これ以降の投稿はできません。\n"
        "これまでの記録は保存されています。\n\n"
        f"部屋：{room_name}\n"
        f"終了理由：{reason_label}\n",
    )
