/**
 * The strings of documents (PDF attachments, issue 17 item 6): attaching one, opening
 * (downloading) one, and the offline copies' budget in Settings. Merged into i18n.ts's
 * tables like messages-app.ts; the server's refusals come with their own messages.
 */

export const documentsJa = {
  "compose.addDocument": "文書（PDF）を添付",
  "compose.documentHint": "診療情報提供書・退院時サマリ・ケアプラン・訪問看護報告書など。PDF のみ、1件 20 MB まで。",
  "compose.removeDocument": "文書を外す",
  "compose.notPdf": "「{name}」は PDF ファイルではありません。PDF として保存された文書を選んでください。",
  "compose.documentTooLarge": "「{name}」は大きすぎます（20 MB まで）。",
  "compose.documentFailed": "文書を読み込めませんでした。もう一度お試しください。",

  "document.label": "文書",
  "document.pages": "{n}ページ",
  "document.open": "開く（ダウンロード）",
  "document.opening": "準備中…",
  "document.kept": "端末に保存済み",
  "document.pending": "送信待ち",
  "document.offline": "この文書は端末に保存されていません。電波のある場所で開いてください。",
  "document.gone": "この文書は削除されたか、閲覧する権限がありません。",
  "document.thumbAlt": "{name} の1ページ目",

  "offlineFiles.heading": "端末に保存するファイル",
  "offlineFiles.intro": "電波のない場所でも開けるよう、ファイルを暗号化して端末に保存します。上限を超えると、長く開いていないものから削除されます。",
  "offlineFiles.documents": "文書（PDF）",
  "offlineFiles.documentsBudget": "文書の保存上限",
  "offlineFiles.none": "保存しない",
  "offlineFiles.usage": "使用中 {used}（{n}件）／上限 {budget}",
  "offlineFiles.thumbnails": "写真の縮小版",
  "offlineFiles.clearDocuments": "端末の文書を削除",
  "offlineFiles.cleared": "端末に保存した文書を削除しました。",
};

export const documentsEn: Record<keyof typeof documentsJa, string> = {
  "compose.addDocument": "Attach a document (PDF)",
  "compose.documentHint": "Referral letters, discharge summaries, care plans, nursing reports… PDF only, 20 MB each at most.",
  "compose.removeDocument": "Remove document",
  "compose.notPdf": "“{name}” is not a PDF file. Please choose a document saved as PDF.",
  "compose.documentTooLarge": "“{name}” is too large (20 MB at most).",
  "compose.documentFailed": "The document could not be read. Please try again.",

  "document.label": "Document",
  "document.pages": "{n} pages",
  "document.open": "Open (download)",
  "document.opening": "Preparing…",
  "document.kept": "Kept on this device",
  "document.pending": "Waiting to send",
  "document.offline": "This document is not kept on this device. Please open it where there is signal.",
  "document.gone": "This document was deleted, or you may not see it.",
  "document.thumbAlt": "First page of {name}",

  "offlineFiles.heading": "Files kept on this device",
  "offlineFiles.intro": "Files are kept encrypted on this device so that they open without signal. Past the limit, those not opened for longest are removed first.",
  "offlineFiles.documents": "Documents (PDF)",
  "offlineFiles.documentsBudget": "Limit for documents",
  "offlineFiles.none": "Keep none",
  "offlineFiles.usage": "{used} used ({n} files) of {budget}",
  "offlineFiles.thumbnails": "Small copies of photos",
  "offlineFiles.clearDocuments": "Remove documents from this device",
  "offlineFiles.cleared": "The documents kept on this device were removed.",
};
