/**
 * Writing a post: the report title first, the vitals form when the title
 * calls for it, the text, photos (camera or gallery, downscaled here) and
 * the urgent flag. Every change is saved as an encrypted draft, so closing
 * the app (or a flat battery) loses nothing; discarding a draft with anything
 * in it asks first and can be undone for a few seconds.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { CLOSING_REASONS, discardDraftWithUndo, draftHasContent, emptyDraft, loadDraft, saveDraft, submitDraft, titleNeedsVitals, type ClosingReason, type Draft } from "../actions/contactBook";
import { hrefFor, navigate } from "../actions/navigation";
import { FormError } from "../components/Field";
import { t } from "../i18n";
import { useData } from "../local/data";
import { addPhoto, localPhotoUrl, removePhotos } from "../local/photos";
import { parseVitals, VITALS_FIELDS } from "../local/vitals";
import { addNotice, useAppState } from "../store";
import { RoomHeader } from "./Room";

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

  return (
    <div class="compose">
      <RoomHeader roomId={roomId} current="compose" />
      <form class="card" onSubmit={submit} noValidate data-testid="compose-form">
        <h2>{t("compose.heading")}</h2>
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
              {VITALS_FIELDS.map((f) => {
                const id = `vital-${f.key}`;
                const problem = vitalsErrors.get(f.key);
                const hint = f.usual[0] === f.usual[1] ? t("vitals.range", { min: f.min, max: f.max }) : t("vitals.usual", { min: f.usual[0], max: f.usual[1] });
                return (
                  <div class="field vital-field" key={f.key}>
                    <label for={id}>
                      {t(`vitals.${f.key}`)} <span class="unit">{f.unit}</span>
                    </label>
                    <input
                      id={id}
                      type="text"
                      inputMode="decimal"
                      autoComplete="off"
                      data-testid={id}
                      value={draft.vitals[f.key] ?? ""}
                      aria-describedby={`${id}-hint`}
                      aria-invalid={problem ? "true" : undefined}
                      onInput={(e) => update({ vitals: { ...draft.vitals, [f.key]: e.currentTarget.value } })}
                    />
                    <span class={problem ? "hint field-problem" : "hint"} id={`${id}-hint`}>
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
          <textarea id="post-body" rows={8} data-testid="post-body" value={draft.body} onInput={(e) => update({ body: e.currentTarget.value })} />
        </div>

        <div class="field">
          <label for="post-photos" class="button secondary photo-button">
            {t("compose.addPhoto")}
          </label>
          <input id="post-photos" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple data-testid="post-photos" onChange={(e) => void onFiles(e.currentTarget.files)} />
          <p class="hint">{t("compose.photoHint")}</p>
          {draft.photos.length > 0 && (
            <ul class="draft-photos">
              {draft.photos.map((p) => (
                <LocalPhoto key={p.localId} localId={p.localId} onRemove={() => void removePhoto(p.localId)} />
              ))}
            </ul>
          )}
        </div>

        <label class="check urgent-check">
          <input type="checkbox" checked={draft.urgent} data-testid="post-urgent" onChange={(e) => update({ urgent: e.currentTarget.checked })} />
          {t("compose.urgent")}
        </label>

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
                  {t(`closing.${r}`)}
                </option>
              ))}
            </select>
          </div>
        </details>

        <FormError message={error} testId="compose-error" />
        <div class="form-actions">
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
