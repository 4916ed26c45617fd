/** The room's care manager corrects the patient's details (online; the team gets it by sync). */
import { useState } from "preact/hooks";
import { correctPatient, type PatientChanges } from "../actions/patient";
import { t } from "../i18n";
import { CARE_LEVEL_CODES, careLevelLabel } from "../local/labels";
import { addNotice } from "../store";
import type { PatientData } from "../sync/wire";
import { changedFields } from "../local/corrections";

type Field = Exclude<keyof PatientChanges, "note" | "careLevel">;
/** The form's values: text as typed, every field present. */
type Form = Record<Field | "careLevel" | "note", string>;

const TEXT_FIELDS: Array<[Field, Parameters<typeof t>[0], string]> = [
  ["insuredNumber", "patient.insuredNumber", "numeric"],
  ["postalCode", "patient.postalCode", "numeric"],
  ["address", "patient.address", "text"],
  ["phone", "patient.phone", "tel"],
  ["attendingPhysician", "patient.attendingPhysician", "text"],
  ["emergencyContactName", "patient.emergencyName", "text"],
  ["emergencyContactRelationship", "patient.emergencyRelationship", "text"],
  ["emergencyContactPhone", "patient.emergencyPhone", "tel"],
];

function current(patient: PatientData): Form {
  return {
    careLevel: patient.careLevel ?? "",
    insuredNumber: patient.insuredNumber ?? "",
    postalCode: patient.postalCode ?? "",
    address: patient.address ?? "",
    phone: patient.phone ?? "",
    attendingPhysician: patient.attendingPhysician ?? "",
    emergencyContactName: patient.emergencyContactName ?? "",
    emergencyContactRelationship: patient.emergencyContactRelationship ?? "",
    emergencyContactPhone: patient.emergencyContactPhone ?? "",
    note: "",
  };
}

export function PatientCorrection({ roomId, patient }: { roomId: string; patient: PatientData }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(() => current(patient));
  const [error, setError] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        class="secondary"
        data-testid="patient-correct-open"
        onClick={() => {
          setForm(current(patient));
          setError([]);
          setOpen(true);
        }}
      >
        {t("patient.correct")}
      </button>
    );
  }
  const set = (key: keyof Form) => (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  async function save(e: Event) {
    e.preventDefault();
    const before = current(patient);
    // Only changed fields; the care level comes from a list of the server's codes.
    const fields = (Object.keys(before) as Array<keyof Form>).filter((key) => key !== "note");
    const changed = changedFields(before, form, fields);
    const changes = changed as PatientChanges;
    if (Object.keys(changes).length === 0) {
      setError([t("patient.correctNothing")]);
      return;
    }
    if (form.note.trim()) changes.note = form.note.trim();
    setBusy(true);
    const result = await correctPatient(roomId, changes);
    setBusy(false);
    if (result.ok) {
      addNotice("success", t("patient.correctSaved"));
      setOpen(false);
    } else {
      setError(result.code === "offline" ? [t("patient.correctOffline")] : [result.message, ...result.reasons]);
    }
  }
  return (
    <form class="patient-correction" onSubmit={save} noValidate data-testid="patient-correct-form">
      <h3>{t("patient.correct")}</h3>
      <p class="hint">{t("patient.correctHint")}</p>
      <div class="field">
        <label for="pc-careLevel">{t("patient.careLevel")}</label>
        <select id="pc-careLevel" data-testid="pc-careLevel" value={form.careLevel} onChange={set("careLevel")}>
          {CARE_LEVEL_CODES.map((code) => (
            <option key={code} value={code}>
              {careLevelLabel(code)}
            </option>
          ))}
        </select>
      </div>
      {TEXT_FIELDS.map(([key, label, mode]) => (
        <div class="field" key={key}>
          <label for={`pc-${key}`}>{t(label)}</label>
          <input
            id={`pc-${key}`}
            data-testid={`pc-${key}`}
            // Preact types `type` per input kind; both kinds used here take a string value.
            type={(mode === "tel" ? "tel" : "text") as "text"}
            inputMode={mode === "numeric" ? "numeric" : mode === "tel" ? "tel" : "text"}
            value={form[key]}
            onInput={set(key)}
          />
        </div>
      ))}
      <div class="field">
        <label for="pc-note">{t("patient.correctNote")}</label>
        <input id="pc-note" data-testid="pc-note" value={form.note} onInput={set("note")} maxLength={1000} />
      </div>
      {error.length > 0 && (
        <div class="form-error" role="alert" data-testid="patient-correct-error">
          {error.map((m, i) => (
            <p key={i}>{m}</p>
          ))}
        </div>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="patient-correct-save">
          {t("patient.correctSave")}
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          {t("patient.correctCancel")}
        </button>
      </div>
    </form>
  );
}
