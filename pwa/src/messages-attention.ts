/**
 * The strings of issue 17's screens and marks: out-of-range vitals and thresholds,
 * addressees (宛先), the attention view (要対応), reading marks and templates (定型文).
 * Merged into i18n.ts's tables like messages-app.ts.
 */

export const attentionJa = {
  "nav.attention": "要対応",

  "vitals.normal": "基準 {low}〜{high}",
  "vitals.outOfRange": "基準値外",
  "vitals.band": "基準範囲",

  "compose.flaggedUrgent": "基準値外の値があります。至急として通知します（不要ならチェックを外してください）。",
  "compose.to": "宛先",
  "compose.toHint": "選んだ人に通知し、その人の「要対応」に表示します。",
  "compose.asksAnswer": "回答を求める",
  "compose.templates": "定型文",
  "compose.templateApplied": "定型文「{name}」を入れました。",
  "compose.vitalsOnly": "バイタルを入力した場合は、本文なしでも投稿できます。",

  "post.to": "宛先",
  "post.toMe": "あなた宛て",
  "post.waiting": "回答待ち",
  "post.noAnswerNeeded": "確認待ち",
  "post.answered": "回答済み",
  "post.done": "対応済み",
  "post.markDone": "対応済みにする",
  "post.markWaiting": "未対応に戻す",
  "post.new": "新着",
  "post.markUnread": "未読に戻す",
  "post.unreadAgain": "未読に戻しました",
  "post.notAnswered": "未回答：{names}",

  "comment.to": "宛先",
  "comment.toNobody": "指定なし",
  "comment.asksAnswer": "回答を求める",

  "attention.heading": "要対応",
  "attention.intro": "参加しているすべての部屋から、あなたが対応すべきものを患者ごとにまとめています。",
  "attention.addressed": "あなた宛て",
  "attention.flagged": "基準値外のバイタル",
  "attention.urgent": "至急（未読）",
  "attention.new": "新しい投稿 {n}件",
  "attention.clear": "確認済みにする",
  "attention.none": "いま対応が必要なものはありません。",
  "attention.open": "部屋を開く",

  "rooms.flagged": "基準値外",
  "rooms.addressed": "宛先",

  "thresholds.heading": "バイタルの基準値",
  "thresholds.hint": "下限より低い値・上限より高い値を「基準値外」として全員に知らせ、至急として通知します。変更できるのはこの部屋の医師・看護師です。変更後の投稿から適用されます。",
  "thresholds.sign": "項目",
  "thresholds.low": "下限",
  "thresholds.high": "上限",
  "thresholds.default": "標準値",
  "thresholds.own": "{name}が変更（{time}）",
  "thresholds.save": "保存",
  "thresholds.reset": "標準値に戻す",
  "thresholds.saved": "基準値を保存しました。通信できるときに送信します。",
  "thresholds.invalid": "下限は上限より小さい値にしてください。",

  "templates.heading": "定型文",
  "templates.hint": "連絡帳を書くときに1タップで入れられる文章です。{日付}・{時刻}・{患者名}・{自分の名前}は使うときに置き換わります。",
  "templates.title": "題名",
  "templates.body": "文章",
  "templates.placeholders": "使える置き換え：{日付} {時刻} {患者名} {自分の名前}",
  "templates.reportTitle": "ケアレポート標題（任意。例：バイタル）",
  "templates.forOffice": "事業所の定型文にする（事業所の全員が使えます）",
  "templates.add": "追加",
  "templates.delete": "削除",

  "mutation.threshold.set": "基準値の変更",
  "mutation.addressee.done": "対応済み",
  "mutation.attention.clear": "確認済み",
  "mutation.post.markUnread": "未読に戻す",
} as const;

export type AttentionMessageKey = keyof typeof attentionJa;

export const attentionEn: Record<AttentionMessageKey, string> = {
  "nav.attention": "Needs me",

  "vitals.normal": "normal {low}–{high}",
  "vitals.outOfRange": "Out of range",
  "vitals.band": "normal range",

  "compose.flaggedUrgent": "Some values are out of range. Members are notified urgently (untick if not needed).",
  "compose.to": "To",
  "compose.toHint": "They are notified and see it in their “Needs me” view.",
  "compose.asksAnswer": "Ask for an answer",
  "compose.templates": "Templates",
  "compose.templateApplied": "Template “{name}” inserted.",
  "compose.vitalsOnly": "With vitals entered, the text may be left empty.",

  "post.to": "To",
  "post.toMe": "To you",
  "post.waiting": "awaiting answer",
  "post.noAnswerNeeded": "to be read",
  "post.answered": "answered",
  "post.done": "done",
  "post.markDone": "Mark as done",
  "post.markWaiting": "Mark as not done",
  "post.new": "New",
  "post.markUnread": "Mark unread",
  "post.unreadAgain": "Marked unread",
  "post.notAnswered": "Not answered: {names}",

  "comment.to": "To",
  "comment.toNobody": "nobody",
  "comment.asksAnswer": "Ask for an answer",

  "attention.heading": "Needs me",
  "attention.intro": "What needs you across all your rooms, one line per patient.",
  "attention.addressed": "To you",
  "attention.flagged": "Out-of-range vitals",
  "attention.urgent": "Urgent (unread)",
  "attention.new": "{n} new posts",
  "attention.clear": "Mark as seen",
  "attention.none": "Nothing needs you right now.",
  "attention.open": "Open the room",

  "rooms.flagged": "Out of range",
  "rooms.addressed": "To you",

  "thresholds.heading": "Vitals thresholds",
  "thresholds.hint": "Readings below the lower or above the upper bound are flagged for everyone and notified as urgent. The room's doctor or nurse can change them; they apply to posts from then on.",
  "thresholds.sign": "Sign",
  "thresholds.low": "Lower",
  "thresholds.high": "Upper",
  "thresholds.default": "default",
  "thresholds.own": "changed by {name} ({time})",
  "thresholds.save": "Save",
  "thresholds.reset": "Back to default",
  "thresholds.saved": "Thresholds saved. They are sent whenever the connection allows.",
  "thresholds.invalid": "The lower bound must be below the upper one.",

  "templates.heading": "Templates",
  "templates.hint": "Text you insert in one tap when writing. {日付}, {時刻}, {患者名} and {自分の名前} are filled in when used.",
  "templates.title": "Title",
  "templates.body": "Text",
  "templates.placeholders": "Placeholders: {日付} {時刻} {患者名} {自分の名前}",
  "templates.reportTitle": "Report title (optional, e.g. バイタル)",
  "templates.forOffice": "Make it an office template (everyone in the office can use it)",
  "templates.add": "Add",
  "templates.delete": "Delete",

  "mutation.threshold.set": "Threshold change",
  "mutation.addressee.done": "Marked done",
  "mutation.attention.clear": "Marked seen",
  "mutation.post.markUnread": "Mark unread",
};
