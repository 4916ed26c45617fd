/**
 * The patient's medications and allergies (服薬・アレルギー) on the patient page: current drugs,
 * allergies and the drugs stopped, each with who changed it last and when; changes queued on
 * this device are shown at once, marked unsent. The room's pharmacist, doctor or nurse (with
 * write permission, in an open room) adds, changes, stops and removes lines; every change is
 * a mutation (works offline) that the server also posts in the contact book. 印刷 prints the
 * list alone (styles.css `@media print`, `body[data-print="medications"]`).
 */
import { useState } from "preact/hooks";
import { removeMedication, saveMedication } from "../actions/contactBook";
import { FormError } from "../components/Field";
import { t } from "../i18n";
import { useData } from "../local/data";
import { todayInJapan } from "../local/era";
import { uuidv7 } from "../local/ids";
import { formatPostTime } from "../local/format";
import { addNotice } from "../store";
import type { MedicationData, MedicationSet } from "../sync/wire";

const KEEPERS = new Set(["pharmacist", "doctor", "nurse"]);

type Kind = MedicationData["kind"];
/** A line as shown: synced, or changed on this device and not yet sent. */
export type MedicationLine = Omit<MedicationData, "changedAt" | "createdAt" | "changedBy"> & {
  changedBy: string | null;
  changedAt: string | null;
  pending?: "set" | "delete";
};

interface Form {
  id: string | null;
  kind: Kind;
  name: string;
  dose: string;
  timing: string;
  reaction: string;
  startedOn: string;
  stoppedOn: string;
  note: string;
}

const EMPTY: Form = { id: null, kind: "drug", name: "", dose: "", timing: "", reaction: "", startedOn: "", stoppedOn: "", note: "" };

/** The synced lines of a room with this device's unsent changes laid over them. */
export function medicationLines(synced: MedicationData[], pending: { name: string; args: unknown }[], roomId: string): MedicationLine[] {
  const lines = new Map<string, MedicationLine>(synced.map((m) => [m.id, { ...m }]));
  for (const entry of pending) {
    if (entry.name === "medication.set") {
      const args = entry.args as MedicationSet;
      if (args.roomId !== roomId) continue;
      const before = lines.get(args.id);
      lines.set(args.id, {
        id: args.id,
        roomId,
        kind: args.kind,
        name: args.name,
        dose: args.dose ?? "",
        timing: args.timing ?? "",
        reaction: args.reaction ?? "",
        startedOn: args.startedOn ?? null,
        stoppedOn: args.stoppedOn ?? null,
        note: args.note ?? "",
        changedBy: before?.changedBy ?? null,
        changedAt: null,
        pending: "set",
      });
    } else if (entry.name === "medication.delete") {
      const id = (entry.args as { id: string }).id;
      const line = lines.get(id);
      if (line) lines.set(id, { ...line, pending: "delete" });
    }
  }
  return [...lines.values()].sort((a, b) => a.name.localeCompare(b.name, "ja"));
}

/** A drug is current until its stop date (中止日, Japan's calendar): stopped today, no longer. */
export function isCurrent(line: MedicationLine, today: string): boolean {
  return line.kind === "drug" && (!line.stoppedOn || line.stoppedOn > today);
}

function formOf(line: MedicationLine): Form {
  return {
    id: line.id,
    kind: line.kind,
    name: line.name,
    dose: line.dose,
    timing: line.timing,
    reaction: line.reaction,
    startedOn: line.startedOn ?? "",
    stoppedOn: line.stoppedOn ?? "",
    note: line.note,
  };
}

function argsOf(form: Form, roomId: string, id: string): Omit<MedicationSet, "postId"> {
  const drug = form.kind === "drug";
  return {
    id,
    roomId,
    kind: form.kind,
    name: form.name.trim(),
    dose: drug ? form.dose.trim() : "",
    timing: drug ? form.timing.trim() : "",
    reaction: drug ? "" : form.reaction.trim(),
    startedOn: drug && form.startedOn ? form.startedOn : null,
    stoppedOn: drug && form.stoppedOn ? form.stoppedOn : null,
    note: form.note.trim(),
  };
}

export function MedicationsSection({ roomId }: { roomId: string }) {
  const data = useData();
  const members = data.members.get(roomId) ?? [];
  const me = members.find((m) => m.userId === data.me?.user.id && !m.leftAt);
  const room = data.rooms.find((r) => r.id === roomId);
  const patient = data.patients.get(roomId);
  const canEdit = !!me && me.permission === "write" && KEEPERS.has(me.jobType) && room?.status !== "closed";
  const lines = medicationLines(data.medications.get(roomId) ?? [], data.outbox, roomId);
  const today = todayInJapan();
  const current = lines.filter((l) => isCurrent(l, today));
  const stopped = lines.filter((l) => l.kind === "drug" && !isCurrent(l, today));
  const allergies = lines.filter((l) => l.kind === "allergy");
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);

  const who = (line: MedicationLine) => {
    if (line.pending) return t(line.pending === "delete" ? "medications.pendingDelete" : "medications.pending");
    const name = members.find((m) => m.userId === line.changedBy)?.name ?? t("post.formerMember");
    return t("medications.changed", { name, time: line.changedAt ? formatPostTime(line.changedAt) : "" });
  };

  async function save(e: Event) {
    e.preventDefault();
    if (!form) return;
    setError(null);
    const result = await saveMedication(argsOf(form, roomId, form.id ?? uuidv7()));
    if (!result.ok) return setError(result.message);
    addNotice("success", t("medications.saved"));
    setForm(null);
  }

  async function stop(line: MedicationLine) {
    const result = await saveMedication(argsOf({ ...formOf(line), stoppedOn: today }, roomId, line.id));
    if (result.ok) addNotice("success", t("medications.saved"));
    else addNotice("error", result.message);
  }

  async function remove(line: MedicationLine) {
    if (!window.confirm(t("medications.confirmRemove", { name: line.name }))) return;
    await removeMedication(line.id);
  }

  function print() {
    document.body.dataset.print = "medications";
    for (const details of document.querySelectorAll<HTMLDetailsElement>(".medications-stopped")) details.open = true;
    const done = () => {
      delete document.body.dataset.print;
      window.removeEventListener("afterprint", done);
    };
    window.addEventListener("afterprint", done);
    window.print();
  }

  const actions = (line: MedicationLine) =>
    canEdit &&
    line.pending !== "delete" && (
      <span class="medication-actions no-print">
        <button type="button" class="secondary small" data-testid="medication-edit" onClick={() => setForm(formOf(line))}>
          {t("medications.edit")}
        </button>
        {isCurrent(line, today) && (
          <button type="button" class="secondary small" data-testid="medication-stop" onClick={() => void stop(line)}>
            {t("medications.stop")}
          </button>
        )}
        <button type="button" class="secondary small" data-testid="medication-remove" onClick={() => void remove(line)}>
          {t("medications.remove")}
        </button>
      </span>
    );

  const drugRow = (line: MedicationLine) => (
    <tr key={line.id} data-testid="medication-row" data-pending={line.pending}>
      <th scope="row">{line.name}</th>
      <td>{line.dose || "—"}</td>
      <td>{line.timing || "—"}</td>
      <td>
        {line.startedOn ?? "—"}
        {line.stoppedOn && ` 〜 ${line.stoppedOn}`}
      </td>
      <td>
        <span class="hint">{who(line)}</span>
        {line.note && <span class="medication-note">{line.note}</span>}
        {actions(line)}
      </td>
    </tr>
  );

  const drugTable = (rows: MedicationLine[], testId: string) => (
    <table class="vitals-table medication-table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t("medications.name")}</th>
          <th scope="col">{t("medications.dose")}</th>
          <th scope="col">{t("medications.timing")}</th>
          <th scope="col">{t("medications.period")}</th>
          <th scope="col">{t("medications.changedHeading")}</th>
        </tr>
      </thead>
      <tbody>{rows.map(drugRow)}</tbody>
    </table>
  );

  return (
    <section class="card medications" aria-labelledby="medications-heading" data-testid="medications">
      <div class="print-only medication-print-head">
        <p>{t("medications.printTitle", { name: patient?.name ?? "" })}</p>
        <p>{t("medications.printedAt", { date: today, name: data.me?.user.name ?? "" })}</p>
      </div>
      <h2 id="medications-heading">{t("medications.heading")}</h2>
      <h3>{t("medications.allergies")}</h3>
      {allergies.length ? (
        <ul class="item-list" data-testid="allergies">
          {allergies.map((line) => (
            <li key={line.id} data-testid="allergy-row" data-pending={line.pending}>
              <div class="item-text">
                <strong>{line.name}</strong>
                {line.reaction && <span>{t("medications.reactionIs", { reaction: line.reaction })}</span>}
                {line.note && <span>{line.note}</span>}
                <span class="hint">{who(line)}</span>
              </div>
              {actions(line)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint" data-testid="allergies-none">{t("medications.noAllergies")}</p>
      )}
      <h3>{t("medications.current")}</h3>
      {current.length ? drugTable(current, "medications-current") : <p class="hint">{t("medications.none")}</p>}
      {stopped.length > 0 && (
        <details class="medications-stopped">
          <summary>{t("medications.stopped", { n: stopped.length })}</summary>
          {drugTable(stopped, "medications-stopped")}
        </details>
      )}
      <div class="form-actions no-print">
        <button type="button" class="secondary" data-testid="medications-print" onClick={print}>
          {t("medications.print")}
        </button>
        {canEdit && !form && (
          <button type="button" class="primary" data-testid="medication-add" onClick={() => setForm({ ...EMPTY })}>
            {t("medications.add")}
          </button>
        )}
      </div>
      {!canEdit && <p class="hint no-print">{t("medications.keepersOnly")}</p>}
      {canEdit && form && (
        <form class="medication-form no-print" onSubmit={(e) => void save(e)} data-testid="medication-form">
          <div class="field">
            <label for="medication-kind">{t("medications.kind")}</label>
            <select id="medication-kind" data-testid="medication-kind" value={form.kind} disabled={!!form.id} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value as Kind })}>
              <option value="drug">{t("medications.kindDrug")}</option>
              <option value="allergy">{t("medications.kindAllergy")}</option>
            </select>
          </div>
          <div class="field">
            <label for="medication-name">{form.kind === "drug" ? t("medications.name") : t("medications.allergen")}</label>
            <input id="medication-name" data-testid="medication-name" required maxLength={200} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </div>
          {form.kind === "drug" ? (
            <>
              <div class="field">
                <label for="medication-dose">{t("medications.dose")}</label>
                <input id="medication-dose" data-testid="medication-dose" maxLength={200} value={form.dose} onInput={(e) => setForm({ ...form, dose: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for="medication-timing">{t("medications.timing")}</label>
                <input id="medication-timing" data-testid="medication-timing" maxLength={200} value={form.timing} onInput={(e) => setForm({ ...form, timing: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for="medication-start">{t("medications.startedOn")}</label>
                <input id="medication-start" type="date" data-testid="medication-start" value={form.startedOn} onInput={(e) => setForm({ ...form, startedOn: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for="medication-stop">{t("medications.stoppedOn")}</label>
                <input id="medication-stop" type="date" data-testid="medication-stop-date" value={form.stoppedOn} onInput={(e) => setForm({ ...form, stoppedOn: e.currentTarget.value })} />
              </div>
            </>
          ) : (
            <div class="field">
              <label for="medication-reaction">{t("medications.reaction")}</label>
              <input id="medication-reaction" data-testid="medication-reaction" maxLength={200} value={form.reaction} onInput={(e) => setForm({ ...form, reaction: e.currentTarget.value })} />
            </div>
          )}
          <div class="field">
            <label for="medication-note">{t("medications.note")}</label>
            <input id="medication-note" data-testid="medication-note" maxLength={1000} value={form.note} onInput={(e) => setForm({ ...form, note: e.currentTarget.value })} />
          </div>
          <p class="hint">{t("medications.postHint")}</p>
          <FormError message={error} testId="medication-error" />
          <div class="form-actions">
            <button type="submit" class="primary" data-testid="medication-save">
              {t("medications.save")}
            </button>
            <button type="button" class="secondary" onClick={() => setForm(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
