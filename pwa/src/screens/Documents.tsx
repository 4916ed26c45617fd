/**
 * Documents (PDF) on screen: a post's document card (first page, name, pages, size, open),
 * a draft's or queued post's document line, and the Settings section for the offline
 * copies' budget. A document is never shown inside the app: "open" hands the file to the
 * device as a download (the browser's or the tablet's PDF viewer takes it from there).
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api";
import { t } from "../i18n";
import { saveBlob } from "../download";
import { DOCUMENT_BUDGETS, documentBudget, documents, formatBytes, setDocumentBudget } from "../local/documents";
import { THUMBNAIL_BUDGET_BYTES, thumbnails } from "../local/thumbnails";
import { loadDocument, thumbnailUrl, type ThumbnailOwner } from "../sync/remote";
import type { DocumentRef } from "../sync/wire";
import { addNotice } from "../store";

export function DocumentCard({ doc, owner }: { doc: DocumentRef; owner: ThumbnailOwner }) {
  const [thumb, setThumb] = useState<string | null>(null);
  const [kept, setKept] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void thumbnailUrl(doc.id, false, owner).then(setThumb);
    void documents.has(doc.id).then(setKept, () => setKept(false));
  }, [doc.id]);

  async function open() {
    setBusy(true);
    setProblem(null);
    try {
      saveBlob(await loadDocument(doc, owner), doc.name);
      void documents.has(doc.id).then(setKept, () => undefined);
    } catch (error) {
      const gone = error instanceof ApiError && (error.status === 403 || error.status === 404);
      setProblem(t(gone ? "document.gone" : "document.offline"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="document-card" data-testid="post-document" data-id={doc.id}>
      {thumb ? (
        <img class="document-thumb" src={thumb} alt={t("document.thumbAlt", { name: doc.name })} data-testid="document-thumb" />
      ) : (
        <span class="document-thumb document-thumb-missing" aria-hidden="true">PDF</span>
      )}
      <div class="document-text">
        <span class="document-name" data-testid="document-name">
          {doc.name}
        </span>
        <span class="hint">
          {t("document.pages", { n: doc.pages })} · {formatBytes(doc.size)}
          {kept && (
            <>
              {" · "}
              <span data-testid="document-kept">{t("document.kept")}</span>
            </>
          )}
        </span>
        <button type="button" class="secondary" disabled={busy} onClick={() => void open()} data-testid="document-open">
          {busy ? t("document.opening") : t("document.open")}
        </button>
        {problem && (
          <p class="error" role="alert" data-testid="document-problem">
            {problem}
          </p>
        )}
      </div>
    </div>
  );
}

/** A document still on this device only: in a draft (removable) or a post waiting to send. */
export function PendingDocument({ name, size, onRemove }: { name: string; size: number; onRemove?: () => void }) {
  return (
    <li class="document-card document-pending" data-testid="draft-document">
      <span class="document-thumb document-thumb-missing" aria-hidden="true">PDF</span>
      <div class="document-text">
        <span class="document-name">{name}</span>
        <span class="hint">
          {formatBytes(size)}
          {!onRemove && ` · ${t("document.pending")}`}
        </span>
        {onRemove && (
          <button type="button" class="secondary" onClick={onRemove}>
            {t("compose.removeDocument")}
          </button>
        )}
      </div>
    </li>
  );
}

/** Settings: what is kept on this device for use without signal, and the documents' budget. */
export function OfflineFilesSection() {
  const [budget, setBudget] = useState<number | null>(null);
  const [docs, setDocs] = useState({ bytes: 0, files: 0 });
  const [thumbs, setThumbs] = useState({ bytes: 0, files: 0 });

  async function refresh() {
    setBudget(await documentBudget());
    setDocs(await documents.usage());
    setThumbs(await thumbnails.usage());
  }
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, []);

  async function choose(bytes: number) {
    await setDocumentBudget(bytes);
    await refresh();
  }

  async function clear() {
    await documents.clear();
    await refresh();
    addNotice("info", t("offlineFiles.cleared"));
  }

  const limit = (bytes: number) => (bytes === 0 ? t("offlineFiles.none") : formatBytes(bytes));
  return (
    <section class="card" aria-labelledby="offline-files-heading" data-testid="offline-files">
      <h2 id="offline-files-heading">{t("offlineFiles.heading")}</h2>
      <p class="hint">{t("offlineFiles.intro")}</p>
      <h3>{t("offlineFiles.documents")}</h3>
      <p data-testid="documents-usage">{t("offlineFiles.usage", { used: formatBytes(docs.bytes), n: docs.files, budget: budget === null ? "…" : limit(budget) })}</p>
      {budget !== null && (
        <div class="field">
          <label for="documents-budget">{t("offlineFiles.documentsBudget")}</label>
          <select id="documents-budget" data-testid="documents-budget" value={String(budget)} onChange={(e) => void choose(Number(e.currentTarget.value))}>
            {DOCUMENT_BUDGETS.map((bytes) => (
              <option key={bytes} value={String(bytes)}>
                {limit(bytes)}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="button" class="secondary" onClick={() => void clear()} disabled={docs.files === 0} data-testid="documents-clear">
        {t("offlineFiles.clearDocuments")}
      </button>
      <h3>{t("offlineFiles.thumbnails")}</h3>
      <p data-testid="thumbnails-usage">{t("offlineFiles.usage", { used: formatBytes(thumbs.bytes), n: thumbs.files, budget: formatBytes(THUMBNAIL_BUDGET_BYTES) })}</p>
    </section>
  );
}
