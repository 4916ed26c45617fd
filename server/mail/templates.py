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


def application_approved(
    to: str, *, name: str, kind_label: str, submitted: str, detail: str = ""
) -> Letter:
    return _letter(
        to,
        f"申請承認のお知らせ（{kind_label}）",
        f"{name} 様\n\n"
        f"{submitted} に提出された「{kind_label}」を承認しました。\n"
        + (f"{detail}\n" if detail else "")
        + "内容は carebook の申請一覧でご確認いただけます。\n",
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
        f"部屋名：{room_name}\n\n"
        "参加者は carebook にログインすると部屋を確認できます。\n",
    )


def room_closed(to: str, *, name: str, room_name: str, reason_label: str) -> Letter:
    return _letter(
        to,
        "患者（利用者）部屋終了のお知らせ",
        f"{name} 様\n\n"
        "ご参加の患者（利用者）部屋を終了しました。これ以降の投稿はできません。\n"
        "これまでの記録は保存されています。\n\n"
        f"部屋名：{room_name}\n"
        f"終了理由：{reason_label}\n",
    )


# -- accounts: roles and the help desk ----------------------------------------------------------
# Mails about a person's own account: they say what changed, who to call if it was not
# expected, and never carry a password or a code (links are single-use and expire).

_NOT_YOU = (
    "お心当たりのない場合は、ヘルプページの問い合わせ先（市の担当窓口）へすぐにご連絡ください。\n"
)


def clerk_issued(to: str, *, name: str, login_id: str, link: str, expires: str) -> Letter:
    return _letter(
        to,
        "ユーザー管理者（市）のアカウント発行のお知らせ",
        f"{name} 様\n\n"
        "carebook のユーザー管理者（市）のアカウントを発行しました。\n\n"
        f"ログインID：{login_id}\n\n"
        "次のリンクを開いてパスワードを設定してください。初回ログイン時に、\n"
        "二要素認証（パスキーまたは認証アプリ）の登録をお願いします。\n\n"
        f"{link}\n\n"
        f"このリンクは1回限り有効で、{expires} まで使えます。\n" + _NOT_YOU,
    )


def clerk_retired(to: str, *, name: str, login_id: str, by: str) -> Letter:
    return _letter(
        to,
        "ユーザー管理者（市）のアカウント停止のお知らせ",
        f"{name} 様\n\n"
        f"carebook のユーザー管理者（市）のアカウント（ログインID：{login_id}）を停止しました。\n"
        "これ以降このIDではログインできません。お使いの端末のデータは次の接続時に消去されます。\n"
        f"操作した管理者：{by}\n\n" + _NOT_YOU,
    )


def system_manager_issued(
    to: str, *, name: str, office_name: str, login_id: str, link: str, expires: str
) -> Letter:
    return _letter(
        to,
        "システム管理担当者のID発行のお知らせ（パスワード設定のお願い）",
        f"{name} 様\n\n"
        f"{office_name} のシステム管理担当者として、carebook のログインIDを発行しました。\n\n"
        f"ログインID：{login_id}\n\n"
        "システム管理担当者は、事業所の職員のID発行・ID停止、部屋の作成などの申請を行えます。\n"
        "次のリンクを開いてパスワードを設定してください。初回ログイン時に、\n"
        "二要素認証（パスキーまたは認証アプリ）の登録をお願いします。\n\n"
        f"{link}\n\n"
        f"このリンクは1回限り有効で、{expires} まで使えます。\n" + _NOT_YOU,
    )


def system_manager_named(to: str, *, name: str, office_name: str) -> Letter:
    return _letter(
        to,
        "システム管理担当者に指定されました",
        f"{name} 様\n\n"
        f"市のユーザー管理者が、あなたを {office_name} のシステム管理担当者に指定しました。\n"
        "次回ログインから、管理画面で事業所の申請（ID発行・ID停止・部屋の作成など）を行えます。\n"
        "これまでどおり、参加している部屋の連絡帳も使えます。\n\n" + _NOT_YOU,
    )


def system_manager_unnamed(to: str, *, name: str, office_name: str) -> Letter:
    return _letter(
        to,
        "システム管理担当者の指定が解除されました",
        f"{name} 様\n\n"
        f"市のユーザー管理者が、{office_name} のシステム管理担当者の指定を解除しました。\n"
        "これ以降、事業所の申請は行えません。参加している部屋の連絡帳はこれまでどおり使えます。\n\n"
        + _NOT_YOU,
    )


def password_reset(to: str, *, name: str, link: str, expires: str) -> Letter:
    return _letter(
        to,
        "パスワード再設定のご案内",
        f"{name} 様\n\n"
        "管理者の依頼により、carebook のパスワード再設定用リンクを発行しました。\n"
        "次のリンクを開き、新しいパスワードを設定してください。\n\n"
        f"{link}\n\n"
        f"このリンクは1回限り有効で、{expires} まで使えます。\n"
        "お心当たりのない場合は、このメールを破棄し、市の担当窓口へご連絡ください。\n",
    )


def reset_letter_printed(to: str, *, name: str, expires: str) -> Letter:
    return _letter(
        to,
        "パスワード再設定の通知書を発行しました",
        f"{name} 様\n\n"
        "市の担当窓口が、carebook のパスワード再設定の通知書（紙）を発行しました。\n"
        f"通知書の再設定コードは1回限り有効で、{expires} まで使えます。\n"
        "これより前に発行された再設定のリンクやコードは使えなくなりました。\n\n" + _NOT_YOU,
    )


def factors_reset(to: str, *, name: str) -> Letter:
    return _letter(
        to,
        "二要素認証の登録をリセットしました",
        f"{name} 様\n\n"
        "管理者の操作により、carebook の二要素認証（パスキー・認証アプリ）の登録をすべて\n"
        "削除しました。すべての端末でログアウトしています。\n"
        "次回ログイン時に、新しい二要素認証の登録をお願いします。\n\n" + _NOT_YOU,
    )


def devices_wiped(to: str, *, name: str, devices: list[str]) -> Letter:
    listed = "".join(f"・{label}\n" for label in devices) or "・（登録された端末はありません）\n"
    return _letter(
        to,
        "端末のデータ消去を指示しました",
        f"{name} 様\n\n"
        "管理者の操作により、次の端末の carebook のデータを消去するよう指示しました。\n"
        "端末が次にインターネットに接続したとき、保存されていた記録が消去されます。\n\n"
        f"{listed}\n"
        "引き続き使う端末では、あらためてログインしてください。\n" + _NOT_YOU,
    )


# Why a person is (still) in a room, or no longer: the first lines of the mail.
_JOINED = {
    "added": "患者（利用者）部屋の参加者として登録されました。",
    "opened": "新しく作成された患者（利用者）部屋の参加者として登録されました。",
    "reopened": (
        "終了していた患者（利用者）部屋が再開されました。あなたはこの部屋の参加者です。\n"
        "これまでの記録も引き続き閲覧できます。"
    ),
}
_LEFT = {
    "removed": "市のユーザー管理者が、あなたを次の患者（利用者）部屋の参加者から外しました。",
    "transfer": (
        "所属事業所の異動に伴い、市のユーザー管理者が、あなたを次の患者（利用者）部屋の\n"
        "参加者から外しました（新しい事業所で引き続き参加する部屋は変わりません）。"
    ),
    "notReturned": (
        "次の患者（利用者）部屋が再開されましたが、あなたは再開後の参加者に含まれていません。"
    ),
}


def member_added(
    to: str, *, name: str, room_name: str, permission_label: str, link: str, why: str = "added"
) -> Letter:
    """`why`: added (to an open room), opened (a new room), reopened (a closed room again)."""
    subject = (
        "患者（利用者）部屋の再開のお知らせ" if why == "reopened"
        else "患者（利用者）部屋への参加のお知らせ"
    )
    return _letter(
        to,
        subject,
        f"{name} 様\n\n{_JOINED[why]}\n\n"
        f"部屋：{room_name}\n"
        f"閲覧権限：{permission_label}\n\n"
        "carebook にログインすると部屋を確認できます。\n"
        f"{link}\n",
    )


def member_removed(to: str, *, name: str, room_names: list[str], why: str = "removed") -> Letter:
    """`why`: removed (by the city or on an office's request), transfer (the person moved to
    another office and left these rooms), notReturned (a room reopened without them)."""
    rooms = "".join(f"部屋：{room}\n" for room in room_names)
    return _letter(
        to,
        "患者（利用者）部屋の参加終了のお知らせ",
        f"{name} 様\n\n"
        f"{_LEFT[why]}\n"
        f"{'この部屋' if len(room_names) == 1 else 'これらの部屋'}の記録は、"
        "お使いの端末からも消去されます。\n\n"
        f"{rooms}\n"
        "お心当たりのない場合は、所属事業所のシステム管理担当者にご相談ください。\n",
    )


def id_stop_notice(to: str, *, name: str, login_id: str, stop_on: str) -> Letter:
    return _letter(
        to,
        "ID停止予定のお知らせ",
        f"{name} 様\n\n"
        "所属事業所からのID停止依頼（様式3）により、次のIDは停止される予定です。\n\n"
        f"ログインID：{login_id}\n"
        f"停止日時：{stop_on} 0時\n\n"
        "停止すると carebook にログインできなくなり、お使いの端末に保存された記録は\n"
        "消去されます（未送信の記録も送れなくなります）。\n"
        "それまでに carebook を開いて通信のある場所で同期し、未送信の記録が\n"
        "残っていないことを確かめてください。\n",
    )


def id_stop_cancelled(to: str, *, name: str, subject_name: str, stop_on: str) -> Letter:
    return _letter(
        to,
        "ID停止予定の取り消しのお知らせ",
        f"{name} 様\n\n"
        f"{subject_name} 様のID停止（{stop_on} 0時の予定）は、\n"
        "市のユーザー管理者が取り消しました。IDは引き続き使えます。\n",
    )


def id_stop_done(to: str, *, name: str, subject_name: str, stop_on: str) -> Letter:
    return _letter(
        to,
        "ID停止完了のお知らせ",
        f"{name} 様\n\n"
        f"ご依頼（様式3）のとおり、{subject_name} 様のIDを {stop_on} 0時に停止しました。\n"
        "管理簿には記録が残ります。\n",
    )


def record_taken_out(to: str, *, name: str, room_name: str, admin_name: str, when: str,
                     purpose_label: str) -> Letter:
    """Break-glass: a member learns that the city took the closed room's record out.

    The reason is shown in the app to the room's members; the mail carries no patient data."""
    return _letter(
        to,
        "終了した部屋の記録の出力について",
        f"{name} 様\n\n"
        "ご参加だった終了済みの患者（利用者）部屋の記録を、市のユーザー管理者が出力しました。\n"
        "理由は carebook のその部屋の画面でご確認いただけます。\n\n"
        f"部屋：{room_name}\n"
        f"出力した管理者：{admin_name}\n"
        f"日時：{when}\n"
        f"出力の形式：{purpose_label}\n",
    )


def daily_summary(to: str, *, name: str, rooms: int, link: str, unsubscribe: str) -> Letter:
    """The daily mail: a count and a link, nothing about any patient."""
    return _letter(
        to,
        f"新しい投稿・あなた宛ての投稿がある部屋が {rooms} 件あります",
        f"{name} 様\n\n"
        f"carebook で、新しい投稿またはあなた宛ての投稿がある部屋が {rooms} 件あります。\n"
        "内容はログインしてご確認ください。\n\n"
        f"{link}\n\n"
        "このお知らせは1日1回、設定で「1日1回のお知らせメール」を選んだ方に送っています。\n"
        "配信の停止はこちら（ログイン不要、1クリック）：\n"
        f"{unsubscribe}\n",
    )
