/** A room's later life on the city's screen: the patient's details corrected, the signed
 * 様式5's scan, a withdrawn consent, reopening a closed room, and the change history. */
import { useState } from "preact/hooks";
import { saveBlob } from "../../download";
import { CARE_LEVEL_CODES, careLevelLabel, codeOptions } from "../../local/labels";
import { todayInJapan } from "../../local/era";
import { addNotice } from "../../store";
import type { Room } from "../api";
import { correctionApi, PATIENT_FIELDS, type PatientCorrection, type PatientField } from "../corrections-api";
import { label, ta } from "../messages";
import { day, ErrorBox, Input, Section, Select, useLoad } from "../ui";
import { ChangeHistory } from "./ChangeHistory";
import { changedFields } from "../../local/corrections";

function patientValues(room: Room): Record<PatientField, string> {
  const p = room.patient;
  return {
    careLevel: p.careLevel,
    insuredNumber: p.insuredNumber,
    postalCode: p.postalCode,
    address: p.address,
    phone: p.phone,
    attendingPhysician: p.attendingPhysician ?? "",
    emergencyContactName: p.emergencyContactName ?? "",
    emergencyContactRelationship: p.emergencyContactRelationship ?? "",
    emergencyContactPhone: p.emergencyContactPhone ?? "",
  };
}

export function CorrectPatient({ room, onDone }: { room: Room; onDone: (r: Room) => void }) {
  const start = patientValues(room);
  const [form, setForm] = useState({ ...start, note: "" });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    // Only changed fields; the care level comes from a list of the server's codes.
    const body: Record<string, string> = changedFields(start, form, PATIENT_FIELDS);
    if (form.note.trim()) body.note = form.note.trim();
    try {
      onDone(await correctionApi.correctPatient(room.id, body as PatientCorrection));
      addNotice("success", ta("fix.saved"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate class="admin-form-grid" data-testid="patient-correct">
      <Select id="pfix-careLevel" label={ta("fix.field.careLevel")} value={form.careLevel} onValue={set("careLevel")} options={CARE_LEVEL_CODES.map((c) => ({ value: c, label: careLevelLabel(c) }))} />
      {PATIENT_FIELDS.filter((f) => f !== "careLevel").map((f) => (
        <Input key={f} id={`pfix-${f}`} label={label("fix.field", f)} value={form[f]} onValue={set(f)} type={f.endsWith("hone") ? "tel" : "text"} />
      ))}
      <Input id="pfix-note" label={ta("fix.note")} value={form.note} onValue={set("note")} />
      <ErrorBox error={error} testId="patient-correct-error" />
      <div>
        <button type="submit" class="primary" data-testid="patient-correct-save">
          {ta("fix.save")}
        </button>
      </div>
    </form>
  );
}

export function ConsentScan({ room, onDone }: { room: Room; onDone: (r: Room) => void }) {
  const [error, setError] = useState<unknown>(null);
  const consent = room.consent;
  if (!consent) return null;
  async function upload(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    try {
      onDone(await correctionApi.uploadConsentScan(room.id, file, file.name));
      addNotice("success", ta("room.scanSaved"));
    } catch (err) {
      setError(err);
    } finally {
      input.value = "";
    }
  }
  async function open() {
    setError(null);
    try {
      const blob = await correctionApi.consentScan(room.id);
      saveBlob(blob, `consent-${room.id.slice(-6)}.${blob.type === "application/pdf" ? "pdf" : blob.type.split("/")[1] ?? "jpg"}`);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div data-testid="consent-scan">
      <p>
        {ta("room.scan")}：{consent.scanContentType ? consent.scanContentType : ta("room.scanNone")}{" "}
        {consent.scanContentType && (
          <button type="button" class="link" data-testid="consent-scan-open" onClick={() => void open()}>
            {ta("room.scanOpen")}
          </button>
        )}
      </p>
      <label class="button secondary">
        {ta("room.scanUpload")}
        <input type="file" class="visually-hidden" accept="application/pdf,image/jpeg,image/png,image/webp" data-testid="consent-scan-file" onChange={(e) => void upload(e)} />
      </label>
      <ErrorBox error={error} testId="consent-scan-error" />
    </div>
  );
}

export function WithdrawConsent({ room, onDone }: { room: Room; onDone: (r: Room) => void }) {
  const [date, setDate] = useState(todayInJapan());
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    if (!confirm(ta("room.withdrawConfirm"))) return;
    try {
      onDone(await correctionApi.withdrawConsent(room.id, date, reason.trim()));
      addNotice("success", ta("room.withdrawn"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={submit} noValidate class="admin-form-grid" data-testid="consent-withdraw">
      <Input id="withdraw-date" label={ta("room.withdrawDate")} value={date} onValue={setDate} type="date" required />
      <Input id="withdraw-reason" label={ta("room.withdrawReason")} value={reason} onValue={setReason} required />
      <ErrorBox error={error} testId="consent-withdraw-error" />
      <div>
        <button type="submit" class="danger" data-testid="consent-withdraw-submit">
          {ta("room.withdraw")}
        </button>
      </div>
    </form>
  );
}

export function ReopenRoom({ room, onDone }: { room: Room; onDone: (r: Room) => void }) {
  const [back, setBack] = useState<Record<string, boolean>>(() => Object.fromEntries(room.members.map((m) => [m.user.id, m.user.status === "active"])));
  const needsConsent = !room.consent || Boolean(room.consent.withdrawnOn);
  const [consent, setConsent] = useState({ date: todayInJapan(), signedBy: "patient", proxyName: "", proxyRelationship: "", explainedBy: "", explainerOffice: "" });
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const setC = (k: keyof typeof consent) => (v: string) => setConsent({ ...consent, [k]: v });
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    const members = room.members.filter((m) => back[m.user.id]).map((m) => ({ userId: m.user.id, permission: m.permission as "read" | "write" }));
    const newConsent = needsConsent
      ? {
          date: consent.date,
          signedBy: consent.signedBy === "proxy" ? ("proxy" as const) : ("patient" as const),
          explainedBy: consent.explainedBy.trim(),
          explainerOffice: consent.explainerOffice.trim(),
          ...(consent.signedBy === "proxy" ? { proxyName: consent.proxyName.trim(), proxyRelationship: consent.proxyRelationship.trim() } : {}),
        }
      : undefined;
    try {
      onDone(await correctionApi.reopen(room.id, { members, note: note.trim(), ...(newConsent ? { consent: newConsent } : {}) }));
      addNotice("success", ta("room.reopened"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="room-reopen">
      <p class="hint">{ta("room.reopenHint")}</p>
      <ul class="plain-list">
        {room.members.map((m) => (
          <li key={m.id}>
            <label class="a-check">
              <input type="checkbox" data-testid="reopen-member" data-login={m.user.loginId} checked={back[m.user.id] ?? false} onChange={(e) => setBack({ ...back, [m.user.id]: (e.currentTarget as HTMLInputElement).checked })} /> {m.user.name}（{m.user.jobTypeLabel}・{m.user.officeName ?? ""}）
            </label>
          </li>
        ))}
      </ul>
      {needsConsent && (
        <div class="admin-form-grid">
          <p>{ta("room.reopenNeedsConsent")}</p>
          <Input id="reopen-consent-date" label={ta("room.consentDate")} value={consent.date} onValue={setC("date")} type="date" required />
          <Select id="reopen-signed-by" label={ta("room.signedBy")} value={consent.signedBy} onValue={setC("signedBy")} options={codeOptions("signedBy")} />
          {consent.signedBy === "proxy" && <Input id="reopen-proxy" label={ta("p.proxyName")} value={consent.proxyName} onValue={setC("proxyName")} required />}
          {consent.signedBy === "proxy" && <Input id="reopen-relationship" label={ta("p.proxyRelationship")} value={consent.proxyRelationship} onValue={setC("proxyRelationship")} required />}
          <Input id="reopen-explained-by" label={ta("room.explainedBy")} value={consent.explainedBy} onValue={setC("explainedBy")} required />
          <Input id="reopen-explainer-office" label={ta("room.explainerOffice")} value={consent.explainerOffice} onValue={setC("explainerOffice")} />
        </div>
      )}
      <Input id="reopen-note" label={ta("fix.note")} value={note} onValue={setNote} />
      <ErrorBox error={error} testId="room-reopen-error" />
      <button type="submit" class="primary" data-testid="room-reopen-submit">
        {ta("room.reopen")}
      </button>
    </form>
  );
}

export function RoomHistory({ room }: { room: Room }) {
  // Reloaded whenever the room changes (a correction, a withdrawal, a reopening).
  const { data, error } = useLoad(() => correctionApi.roomHistory(room.id), [room.id, room.version, room.patient.careLevel, room.patient.address]);
  return (
    <Section title={ta("room.history")} testId="room-history">
      {data ? <ChangeHistory changes={data.changes} /> : <ErrorBox error={error} />}
    </Section>
  );
}

export function consentExtraFacts(room: Room): Array<[string, string]> {
  const c = room.consent;
  if (!c) return [];
  const rows: Array<[string, string]> = [[ta("room.explainerOffice"), c.explainerOffice ?? ""]];
  if (c.withdrawnOn) rows.push([ta("room.withdrawnOn"), `${day(c.withdrawnOn)} ${c.withdrawalReason ?? ""}`]);
  return rows;
}
