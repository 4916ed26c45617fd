/**
 * Every visible string lives here, in Japanese (the default) and English, so
 * that the UI can switch language without a reload and no screen hard-codes
 * text. The chosen language is kept in localStorage under `carebook.lang`.
 */

import { appEn, appJa } from "./messages-app";
import { attentionEn, attentionJa } from "./messages-attention";
import { documentsEn, documentsJa } from "./messages-documents";
import { medicationsEn, medicationsJa } from "./messages-medications";

export type Lang = "ja" | "en";
export const LANGS: readonly Lang[] = ["ja", "en"];
export const LANG_STORAGE_KEY = "carebook.lang";

const ja = {
  "app.title": "carebook 在宅医療・介護連携",
  "app.name": "carebook",
  "app.subtitle": "在宅医療・介護連携情報共有システム",
  "lang.label": "表示言語",
  "lang.ja": "日本語",
  "lang.en": "English",
  "common.loading": "読み込み中…",
  "common.cancel": "キャンセル",
  "common.required": "必須",
  "common.dismiss": "閉じる",
  "common.never": "—",
  "offline.banner": "オフラインです。通信が回復すると自動的に再接続します。",
  "nav.home": "ホーム",
  "nav.settings": "設定",
  "nav.main": "メインメニュー",

  "signin.heading": "ログイン",
  "signin.loginId": "ログインID",
  "signin.password": "パスワード",
  "signin.submit": "ログイン",
  "signin.submitting": "確認中…",
  "signin.missing": "ログインIDとパスワードを入力してください。",

  "factor.heading": "二要素認証",
  "factor.intro": "ご本人確認のため、もう一つの方法で確認します。",
  "factor.totpLabel": "認証アプリの6桁のコード",
  "factor.totpHint": "認証アプリ（Google Authenticator など）に表示されている数字を入力してください。",
  "factor.totpSubmit": "確認する",
  "factor.or": "または",
  "factor.passkey": "パスキーでログイン",
  "factor.passkeyHint": "この端末の指紋・顔認証・PIN などで確認します。",
  "factor.codeFormat": "6桁の数字を入力してください。",
  "factor.backToSignIn": "最初からやり直す",

  "pw.heading": "パスワードの変更",
  "pw.intro": "初回ログインのため、新しいパスワードを設定してください。",
  "pw.current": "現在のパスワード",
  "pw.new": "新しいパスワード",
  "pw.confirm": "新しいパスワード（確認）",
  "pw.hint": "13文字以上。よく使われるパスワード、ログインID、氏名、生年月日、サービス名は使えません。",
  "pw.submit": "パスワードを変更する",
  "pw.mismatch": "新しいパスワードと確認用のパスワードが一致しません。",
  "pw.tooShort": "新しいパスワードは13文字以上にしてください。",
  "pw.sameAsCurrent": "新しいパスワードは現在のパスワードと違うものにしてください。",

  "enroll.heading": "二要素認証の登録",
  "enroll.intro": "ログインのたびに使う二つ目の確認方法を登録してください。",
  "enroll.chooseTotp": "認証アプリを使う",
  "enroll.chooseTotpHint": "スマートフォンの認証アプリで6桁のコードを表示します。",
  "enroll.choosePasskey": "パスキーを使う",
  "enroll.choosePasskeyHint": "この端末の指紋・顔認証・PIN で確認します。",
  "enroll.qrAlt": "認証アプリに登録するためのQRコード",
  "enroll.scan": "認証アプリでQRコードを読み取ってください。",
  "enroll.secretLabel": "読み取れない場合は、次のキーを手入力してください",
  "enroll.codeLabel": "認証アプリに表示された6桁のコード",
  "enroll.confirm": "登録を完了する",
  "enroll.back": "方法を選び直す",
  "enroll.passkeyWorking": "端末の画面の案内に従ってください…",

  "home.greeting": "{name}さん、こんにちは",
  "home.office": "所属",
  "home.jobType": "職種",
  "home.rooms": "部屋一覧",
  "home.roomsPlaceholder": "部屋一覧は準備中です",
  "home.profile": "ログイン中のシステム利用者",

  "settings.heading": "設定",
  "settings.back": "ホームへ戻る",
  "settings.language": "表示言語",
  "settings.security": "ログインの方法",
  "settings.totpOn": "認証アプリ：登録済み",
  "settings.totpOff": "認証アプリ：未登録",
  "settings.passkeys": "登録済みのパスキー",
  "settings.noPasskeys": "パスキーは登録されていません。",
  "settings.passkeyCreated": "登録日時 {date}",
  "settings.passkeyLastUsed": "最終使用 {date}",
  "settings.addPasskey": "パスキーを追加",
  "settings.passkeyAdded": "パスキーを追加しました。",
  "settings.reauthRequired": "この操作には、もう一度ログインし直す必要があります。いったんログアウトしてから、ログインし直してください。",
  "settings.sessions": "ログイン中のセッション",
  "settings.sessionCurrent": "この端末（現在のセッション）",
  "settings.sessionStarted": "開始 {date}",
  "settings.sessionLastSeen": "最終アクセス {date}",
  "settings.sessionIp": "IPアドレス {ip}",
  "settings.endSession": "ログアウトさせる",
  "settings.sessionEnded": "セッションを終了しました。",
  "settings.noSessions": "セッションはありません。",
  "settings.devices": "登録端末",
  "settings.deviceCurrent": "この端末",
  "settings.deviceUnnamed": "名前のない端末",
  "settings.deviceRegistered": "登録 {date}",
  "settings.deviceWipePending": "消去待ち",
  "settings.wipeDevice": "この端末を消去",
  "settings.wipeConfirm": "この端末に保存されたデータをすべて消去します。よろしいですか？",
  "settings.wipeConfirmButton": "消去する",
  "settings.deviceWiped": "端末の消去を指示しました。",
  "settings.noDevices": "登録された端末はありません。",
  "settings.logout": "ログアウト",
  "settings.account": "アカウント",

  "notice.signedOut": "ログアウトしました。",
  "notice.sessionExpired": "セッションの有効期限が切れました。もう一度ログインしてください。",
  "notice.deviceWiped": "この端末のデータは消去されました。もう一度ログインしてください。",
  "notice.signedIn": "ログインしました。",

  "error.generic": "エラーが発生しました。しばらくしてからもう一度お試しください。",
  "error.network": "サーバーに接続できません。通信状態を確認してください。",
  "error.tooMany": "試行回数が多すぎます。しばらくしてからお試しください。",
  "error.passkeyUnsupported": "このブラウザはパスキーに対応していません。",
  "error.passkeyCancelled": "パスキーの操作が取り消されたか、時間切れになりました。",
  "error.unexpectedNext": "想定外の応答です。最初からやり直してください。",
  ...appJa,
  ...attentionJa,
  ...documentsJa,
  ...medicationsJa,
} as const;

export type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  "app.title": "carebook home-care network",
  "app.name": "carebook",
  "app.subtitle": "Information sharing for home medical and nursing care",
  "lang.label": "Language",
  "lang.ja": "日本語",
  "lang.en": "English",
  "common.loading": "Loading…",
  "common.cancel": "Cancel",
  "common.required": "required",
  "common.dismiss": "Dismiss",
  "common.never": "—",
  "offline.banner": "You are offline. carebook reconnects automatically when the network is back.",
  "nav.home": "Home",
  "nav.settings": "Settings",
  "nav.main": "Main menu",

  "signin.heading": "Sign in",
  "signin.loginId": "Login ID",
  "signin.password": "Password",
  "signin.submit": "Sign in",
  "signin.submitting": "Checking…",
  "signin.missing": "Enter your login ID and password.",

  "factor.heading": "Two-step verification",
  "factor.intro": "To confirm it is you, use your second sign-in method.",
  "factor.totpLabel": "6-digit code from your authenticator app",
  "factor.totpHint": "Enter the number shown in your authenticator app (Google Authenticator or similar).",
  "factor.totpSubmit": "Verify",
  "factor.or": "or",
  "factor.passkey": "Sign in with a passkey",
  "factor.passkeyHint": "Confirm with this device's fingerprint, face or PIN.",
  "factor.codeFormat": "Enter the 6 digits.",
  "factor.backToSignIn": "Start again",

  "pw.heading": "Change your password",
  "pw.intro": "This is your first sign-in: please choose a new password.",
  "pw.current": "Current password",
  "pw.new": "New password",
  "pw.confirm": "New password (again)",
  "pw.hint": "At least 13 characters. Common passwords, your login ID, name, date of birth and the service's name are not allowed.",
  "pw.submit": "Change password",
  "pw.mismatch": "The new password and its confirmation differ.",
  "pw.tooShort": "The new password must be at least 13 characters long.",
  "pw.sameAsCurrent": "The new password must differ from the current one.",

  "enroll.heading": "Set up two-step verification",
  "enroll.intro": "Register the second method you will use at every sign-in.",
  "enroll.chooseTotp": "Use an authenticator app",
  "enroll.chooseTotpHint": "Your phone's authenticator app shows a 6-digit code.",
  "enroll.choosePasskey": "Use a passkey",
  "enroll.choosePasskeyHint": "Confirm with this device's fingerprint, face or PIN.",
  "enroll.qrAlt": "QR code to add carebook to your authenticator app",
  "enroll.scan": "Scan the QR code with your authenticator app.",
  "enroll.secretLabel": "If you cannot scan it, type this key instead",
  "enroll.codeLabel": "6-digit code shown in the app",
  "enroll.confirm": "Finish setup",
  "enroll.back": "Choose another method",
  "enroll.passkeyWorking": "Follow the prompts on your device…",

  "home.greeting": "Hello, {name}",
  "home.office": "Office",
  "home.jobType": "Job type",
  "home.rooms": "Rooms",
  "home.roomsPlaceholder": "The room list is coming soon",
  "home.profile": "Signed in as",

  "settings.heading": "Settings",
  "settings.back": "Back to home",
  "settings.language": "Language",
  "settings.security": "Sign-in methods",
  "settings.totpOn": "Authenticator app: set up",
  "settings.totpOff": "Authenticator app: not set up",
  "settings.passkeys": "Registered passkeys",
  "settings.noPasskeys": "No passkeys registered.",
  "settings.passkeyCreated": "Added {date}",
  "settings.passkeyLastUsed": "Last used {date}",
  "settings.addPasskey": "Add a passkey",
  "settings.passkeyAdded": "Passkey added.",
  "settings.reauthRequired": "This needs a fresh sign-in. Sign out, sign in again, then retry.",
  "settings.sessions": "Active sessions",
  "settings.sessionCurrent": "This device (current session)",
  "settings.sessionStarted": "Started {date}",
  "settings.sessionLastSeen": "Last seen {date}",
  "settings.sessionIp": "IP address {ip}",
  "settings.endSession": "Sign out this session",
  "settings.sessionEnded": "Session ended.",
  "settings.noSessions": "No sessions.",
  "settings.devices": "Registered devices",
  "settings.deviceCurrent": "This device",
  "settings.deviceUnnamed": "Unnamed device",
  "settings.deviceRegistered": "Registered {date}",
  "settings.deviceWipePending": "Wipe pending",
  "settings.wipeDevice": "Wipe this device",
  "settings.wipeConfirm": "All carebook data stored on this device will be erased. Continue?",
  "settings.wipeConfirmButton": "Wipe",
  "settings.deviceWiped": "Device wipe requested.",
  "settings.noDevices": "No registered devices.",
  "settings.logout": "Sign out",
  "settings.account": "Account",

  "notice.signedOut": "You have signed out.",
  "notice.sessionExpired": "Your session has expired. Please sign in again.",
  "notice.deviceWiped": "The data on this device has been erased. Please sign in again.",
  "notice.signedIn": "Signed in.",

  "error.generic": "Something went wrong. Please try again later.",
  "error.network": "Cannot reach the server. Check your connection.",
  "error.tooMany": "Too many attempts. Please try again later.",
  "error.passkeyUnsupported": "This browser does not support passkeys.",
  "error.passkeyCancelled": "The passkey prompt was cancelled or timed out.",
  "error.unexpectedNext": "Unexpected answer from the server. Please start again.",
  ...appEn,
  ...attentionEn,
  ...documentsEn,
  ...medicationsEn,
};

export const messages: Record<Lang, Record<MessageKey, string>> = { ja, en };

type Listener = (lang: Lang) => void;
const listeners = new Set<Listener>();

function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

function readStoredLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_STORAGE_KEY);
    return isLang(stored) ? stored : "ja";
  } catch {
    return "ja";
  }
}

let current: Lang | null = null;

export function getLang(): Lang {
  current ??= readStoredLang();
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Private mode or storage full: the choice still holds for this page.
  }
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

/** Forget the cached choice, e.g. after a wipe cleared localStorage. */
export function reloadLang(): Lang {
  current = null;
  const lang = getLang();
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
  return lang;
}

export function onLangChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ja, key);
}

/** The message for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = messages[getLang()][key] ?? ja[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Locale tag for Intl formatting in the current language. */
export function locale(): string {
  return getLang() === "ja" ? "ja-JP" : "en-GB";
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t("common.never");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}
