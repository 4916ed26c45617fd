/**
 * Writing a post: the report title first, the vitals form when the title
 * calls for it, the text, photos (camera or gallery, downscaled here),
 * documents (PDF, kept as they are) and the urgent flag. Every change is saved as an encrypted draft, so closing
 * the app (or a flat battery) loses nothing; discarding a draft with anything
 * in it asks first and can be undone for a few seconds.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { CLOSING_REASONS, discardDraftWithUndo, draftFlags, draftHasContent, draftUrgent, emptyDraft, loadDraft, saveDraft, submitDraft, titleNeedsVitals, type ClosingReason, type Draft } from "../actions/contactBook";
import { hrefFor, navigate } from "../actions/navigation";
import { FormError } from "../components/Field";
import { t } from "../i18n";
import { useData } from "../local/data";
import { addDocument, addPhoto, localPhotoUrl, removePhotos } from "../local/photos";
import { documentProblem } from "../local/documents";
import { codeLabel, jobTypeLabel } from "../local/labels";
import { hasFlags, parseVitals, rangesInForce, VITALS_FIELDS, type NormalRange } from "../local/vitals";
import { cachedTemplates, fillTemplate, loadTemplates, type Template } from "../local/templates";
import { addNotice, useAppState } from "../store";
import { PendingDocument } from "./Documents";
import { RoomHeader } from "./Room";

/** The hint under a vitals field: the patient's normal range, or what can be entered. */
function rangeHint(range: NormalRange | undefined, min: number, max: number): string {
  if (!range || (range.low === null && range.high === null)) return t("vitals.range", { min, max });
  return t("vitals.normal", { low: range.low ?? "", high: range.high ?? "" });
}

function LocalPhoto({ localId, onRemove }: { localId: string; onRemove: () => void }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    void localPhotoUrl(localId).then(setUrl);
  }, [localId]);
  return (
    <li class="draft-photo">
      {url && <img src={url} alt={t("post.photoAlt")} class="thumb" data-testid="draft-photo" />}
      <button type="button" class="secondary" onClick={onRemove}>
        {t("compose.removePhoto")}
      </button>
    </li>
  );
}

export function Compose() {
  const { roomId } = useAppState();
  const data = useData();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef<Draft | null>(null);
  const [templates, setTemplates] = useState<Template[]>([]);

  useEffect(() => {
    if (!data.ready) return;
    void cachedTemplates().then(setTemplates);
    void loadTemplates().then(setTemplates);
  }, [data.ready]);

  useEffect(() => {
    if (!roomId || !data.ready) return;
    void loadDraft(roomId).then((d) => {
      latest.current = d;
      setDraft(d);
    });
  }, [roomId, data.ready]);

  // Save what is pending when leaving the screen.
  useEffect(
    () => () => {
      if (saveTimer.current) {
        clearTimeout(saveTimer.current);
        if (latest.current) void saveDraft(latest.current);
      }
    },
    [],
  );

  if (!roomId) return null;
  const titles = (data.titles.get(roomId) ?? []).filter((x) => x.active !== false);

  function update(patch: Partial<Draft>) {
    const next = { ...(latest.current ?? emptyDraft(roomId as string)), ...patch };
    latest.current = next;
    setDraft(next);
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => {
      saveTimer.current = null;
      void saveDraft(next);
    }, 400);
  }

  /** One tap: the template's report title (when the room has it) and its text, filled in. */
  function applyTemplate(template: Template) {
    const current = latest.current ?? emptyDraft(roomId as string);
    const title = template.reportTitleName ? titles.find((x) => x.name === template.reportTitleName) : undefined;
    const text = fillTemplate(template.body, {
      patientName: data.patients.get(roomId as string)?.name ?? "",
      myName: data.me?.user.name ?? "",
      now: new Date(),
    });
    update({ body: current.body.trim() ? `${current.body.trimEnd()}\n${text}` : text, ...(title ? { reportTitleId: title.id } : {}) });
    addNotice("info", t("compose.templateApplied", { name: template.title }));
  }

  async function onFiles(files: FileList | null) {
    if (!files || !roomId) return;
    setBusy(true);
    try {
      const added = [];
      for (const file of Array.from(files).slice(0, 10)) added.push(await addPhoto(roomId, file));
      const next = { ...(latest.current ?? emptyDraft(roomId)), photos: [...(latest.current?.photos ?? []), ...added] };
      latest.current = next;
      setDraft(next);
      await saveDraft(next);
    } catch {
      setError(t("compose.photoFailed"));
    } finally {
      setBusy(false);
    }
  }

  /** PDFs join the draft sealed on the device; the server checks their content when sending. */
  async function onDocuments(files: FileList | null) {
    if (!files || !roomId) return;
    setBusy(true);
    setError(null);
    try {
      const added = [];
      for (const file of Array.from(files).slice(0, 10)) {
        const problem = await documentProblem(file);
        if (problem) {
          setError(t(problem === "notPdf" ? "compose.notPdf" : "compose.documentTooLarge", { name: file.name }));
          continue;
        }
        added.push(await addDocument(roomId, file));
      }
      if (!added.length) return;
      const next = { ...(latest.current ?? emptyDraft(roomId)), photos: [...(latest.current?.photos ?? []), ...added] };
      latest.current = next;
      setDraft(next);
      await saveDraft(next);
    } catch {
      setError(t("compose.documentFailed"));
    } finally {
      setBusy(false);
    }
  }

  async function removePhoto(localId: string) {
    await removePhotos([localId]);
    update({ photos: (latest.current?.photos ?? []).filter((p) => p.localId !== localId) });
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (!latest.current) return;
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    setBusy(true);
    setError(null);
    const result = await submitDraft(latest.current);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    latest.current = null;
    addNotice("success", t("compose.queued"));
    navigate("room", roomId);
  }

  async function discard() {
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    const current = latest.current ?? emptyDraft(roomId as string);
    latest.current = null;
    setConfirmDiscard(false);
    await discardDraftWithUndo(current);
    navigate("room", roomId);
  }

  function askDiscard() {
    // An empty draft goes without a question; one with anything in it asks first.
    if (latest.current && draftHasContent(latest.current)) setConfirmDiscard(true);
    else void discard();
  }

  if (!draft) return <p class="loading">{t("common.loading")}</p>;
  const needsVitals = titleNeedsVitals(roomId, draft.reportTitleId);
  const vitalsErrors = new Map(parseVitals(draft.vitals).errors.map((x) => [x.key, x.problem]));
  const ranges = rangesInForce(data.thresholds.get(roomId));
  const flags = draftFlags(draft);
  const flagged = hasFlags(flags);
  const urgent = draftUrgent(draft);
  const myId = data.me?.user.id;
  const others = (data.members.get(roomId) ?? []).filter((m) => m.userId !== myId && !m.leftAt);
  const addressees = new Set(draft.addresseeIds ?? []);
  const vitalKeys = VITALS_FIELDS.map((f) => f.key);

  /** Enter in a vitals field moves to the next one (no tap), the last one to the text. */
  function nextField(e: KeyboardEvent, index: number) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const next = vitalKeys[index + 1];
    const target = document.getElementById(next ? `vital-${next}` : "post-body") as HTMLInputElement | HTMLTextAreaElement | null;
    target?.focus();
    if (target && !next) target.setSelectionRange(target.value.length, target.value.length); // after a template's text
  }

  return (
    <div class="compose">
      <RoomHeader roomId={roomId} current="compose" />
      <form class="card" onSubmit={submit} noValidate data-testid="compose-form">
        <h2>{t("compose.heading")}</h2>
        {templates.length > 0 && (
          <div class="templates" role="group" aria-label={t("compose.templates")}>
            <span class="addressee-label">{t("compose.templates")}</span>
            {templates.map((x) => (
              <button key={x.id} type="button" class="secondary template-choice" data-testid="template-choice" data-title={x.title} onClick={() => applyTemplate(x)}>
                {x.title}
              </button>
            ))}
          </div>
        )}
        <fieldset class="titles">
          <legend>
            {t("compose.title")} <span class="required">{t("common.required")}</span>
          </legend>
          <div class="title-choices">
            {titles.map((x) => (
              <label key={x.id} class={draft.reportTitleId === x.id ? "title-choice selected" : "title-choice"}>
                <input type="radio" name="report-title" value={x.id} checked={draft.reportTitleId === x.id} onChange={() => update({ reportTitleId: x.id })} data-testid="title-choice" data-title={x.name} />
                {x.name}
              </label>
            ))}
          </div>
        </fieldset>

        {needsVitals && (
          <fieldset class="vitals-form" data-testid="vitals-form">
            <legend>{t("compose.vitals")}</legend>
            <div class="vitals-grid">
              {VITALS_FIELDS.map((f, index) => {
                const id = `vital-${f.key}`;
                const problem = vitalsErrors.get(f.key);
                const flag = flags[f.key];
                const hint = flag ? `${t("vitals.outOfRange")}：${codeLabel("vitalFlag", flag)}（${rangeHint(ranges[f.key], f.min, f.max)}）` : rangeHint(ranges[f.key], f.min, f.max);
                return (
                  <div class={flag ? "field vital-field out-of-range" : "field vital-field"} key={f.key} data-flag={flag}>
                    <label for={id}>
                      {codeLabel("vitalSign", f.key)} <span class="unit">{f.unit}</span>
                    </label>
                    <input
                      id={id}
                      type="text"
                      inputMode="decimal"
                      autoComplete="off"
                      enterKeyHint="next"
                      onKeyDown={(e) => nextField(e, index)}
                      data-testid={id}
                      value={draft.vitals[f.key] ?? ""}
                      aria-describedby={`${id}-hint`}
                      aria-invalid={problem ? "true" : undefined}
                      onInput={(e) => update({ vitals: { ...draft.vitals, [f.key]: e.currentTarget.value } })}
                    />
                    <span class={problem ? "hint field-problem" : flag ? "hint flag-hint" : "hint"} id={`${id}-hint`} data-testid={`${id}-hint`}>
                      {problem ? t(`vitals.problem.${problem}`, { min: f.min, max: f.max }) : hint}
                    </span>
                  </div>
                );
              })}
            </div>
          </fieldset>
        )}

        <div class="field">
          <label for="post-body">{t("compose.body")}</label>
          <textarea id="post-body" rows={needsVitals ? 3 : 6} data-testid="post-body" value={draft.body} onInput={(e) => update({ body: e.currentTarget.value })} />
          {needsVitals && <p class="hint">{t("compose.vitalsOnly")}</p>}
        </div>

        {others.length > 0 && (
          <fieldset class="addressees" data-testid="addressees">
            <legend>{t("compose.to")}</legend>
            <div class="addressee-choices">
              {others.map((m) => (
                <label key={m.userId} class={addressees.has(m.userId) ? "title-choice selected" : "title-choice"}>
                  <input
                    type="checkbox"
                    checked={addressees.has(m.userId)}
                    data-testid="addressee-choice"
                    data-name={m.name}
                    onChange={(e) => {
                      const next = new Set(addressees);
                      if (e.currentTarget.checked) next.add(m.userId);
                      else next.delete(m.userId);
                      update({ addresseeIds: [...next] });
                    }}
                  />
                  {m.name}
                  <span class="unit"> {jobTypeLabel(m.jobType)}</span>
                </label>
              ))}
            </div>
            {addressees.size > 0 && (
              <label class="check">
                <input type="checkbox" checked={draft.asksAnswer === true} data-testid="asks-answer" onChange={(e) => update({ asksAnswer: e.currentTarget.checked })} />
                {t("compose.asksAnswer")}
              </label>
            )}
            <p class="hint">{t("compose.toHint")}</p>
          </fieldset>
        )}

        <div class="field">
          <label for="post-photos" class="button secondary photo-button">
            {t("compose.addPhoto")}
          </label>
          <input id="post-photos" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple data-testid="post-photos" onChange={(e) => void onFiles(e.currentTarget.files)} />
          <p class="hint">{t("compose.photoHint")}</p>
          {draft.photos.some((p) => !p.document) && (
            <ul class="draft-photos">
              {draft.photos
                .filter((p) => !p.document)
                .map((p) => (
                  <LocalPhoto key={p.localId} localId={p.localId} onRemove={() => void removePhoto(p.localId)} />
                ))}
            </ul>
          )}
        </div>

        <div class="field">
          <label for="post-documents" class="button secondary photo-button">
            {t("compose.addDocument")}
          </label>
          <input id="post-documents" class="visually-hidden" type="file" accept="application/pdf,.pdf" multiple data-testid="post-documents" onChange={(e) => void onDocuments(e.currentTarget.files)} />
          <p class="hint">{t("compose.documentHint")}</p>
          {draft.photos.some((p) => p.document) && (
            <ul class="documents">
              {draft.photos.flatMap((p) =>
                p.document ? [<PendingDocument key={p.localId} name={p.document.name} size={p.document.size} onRemove={() => void removePhoto(p.localId)} />] : [],
              )}
            </ul>
          )}
        </div>

        <label class="check urgent-check">
          <input type="checkbox" checked={urgent} data-testid="post-urgent" onChange={(e) => update({ urgent: e.currentTarget.checked, urgentChosen: true })} />
          {t("compose.urgent")}
        </label>
        {flagged && !draft.urgentChosen && (
          <p class="hint flag-hint" role="status" data-testid="flagged-urgent">
            {t("compose.flaggedUrgent")}
          </p>
        )}

        <details class="closing" open={!!draft.closingReason}>
          <summary>{t("closing.summary")}</summary>
          <p class="hint">{t("closing.hint")}</p>
          <div class="field">
            <label for="closing-reason">{t("closing.reason")}</label>
            <select
              id="closing-reason"
              data-testid="closing-reason"
              value={draft.closingReason ?? ""}
              onChange={(e) => update({ closingReason: (e.currentTarget.value || null) as ClosingReason | null })}
            >
              <option value="">{t("closing.none")}</option>
              {CLOSING_REASONS.map((r) => (
                <option key={r} value={r}>
                  {codeLabel("closingReason", r)}
                </option>
              ))}
            </select>
          </div>
        </details>

        <FormError message={error} testId="compose-error" />
        <div class="form-actions compose-actions">
          <button type="submit" class="primary" data-testid="post-submit" disabled={busy}>
            {t("compose.submit")}
          </button>
          <a href={hrefFor("room", roomId)}>{t("compose.keepDraft")}</a>
        </div>
        {/* Apart from 投稿する, so a slip of the thumb never throws away a visit's record. */}
        <div class="form-actions discard-actions">
          {confirmDiscard ? (
            <div class="confirm" role="alertdialog" aria-label={t("compose.discard")} data-testid="discard-confirm">
              <p>{t("compose.discardQuestion")}</p>
              <button type="button" class="danger" data-testid="discard-yes" onClick={() => void discard()}>
                {t("compose.discardYes")}
              </button>
              <button type="button" class="secondary" data-testid="discard-no" onClick={() => setConfirmDiscard(false)} autoFocus>
                {t("compose.discardNo")}
              </button>
            </div>
          ) : (
            <button type="button" class="secondary" data-testid="discard-draft" onClick={askDiscard}>
              {t("compose.discard")}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
