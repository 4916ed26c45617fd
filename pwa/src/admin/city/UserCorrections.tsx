/** Corrections of one person in the ledger: details, home visits, a transfer room by room,
 * the office periods and the correction history. */
import { useState } from "preact/hooks";
import { jobTypeLabel, JOB_TYPE_CODES } from "../../local/labels";
import { todayInJapan } from "../../local/era";
import { addNotice } from "../../store";
import { adminApi, type LedgerRow, type RoomRef } from "../api";
import { correctionApi, type UserCorrection, type UserHistory } from "../corrections-api";
import { ta } from "../messages";
import { day, ErrorBox, Input, Section, Select, useLoad } from "../ui";
import { ChangeHistory } from "./ChangeHistory";
import { officeOptions } from "./shared";
import { changedFields } from "../../local/corrections";

const VISITING_JOBS = new Set(["doctor", "nurse"]);

function Checkbox({ id, label, checked, onValue, hint }: { id: string; label: string; checked: boolean; onValue: (v: boolean) => void; hint?: string }) {
  return (
    <div class="field">
      <label class="a-check">
        <input type="checkbox" id={id} data-testid={id} checked={checked} onChange={(e) => onValue((e.currentTarget as HTMLInputElement).checked)} /> {label}
      </label>
      {hint && <p class="hint">{hint}</p>}
    </div>
  );
}

function CorrectUser({ user, onDone }: { user: LedgerRow; onDone: (h: UserHistory) => void }) {
  const start = { name: user.name, nameKana: user.nameKana, email: user.email, jobType: user.jobType, note: "" };
  const [form, setForm] = useState(start);
  const [visits, setVisits] = useState(Boolean(user.visitsHomes));
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    // Only changed fields; the job type comes from a list of the server's codes.
    const body: Record<string, string | boolean> = changedFields(start, form, ["name", "nameKana", "email", "jobType"] as const);
    if (visits !== Boolean(user.visitsHomes)) body.visitsHomes = visits;
    if (form.note.trim()) body.note = form.note.trim();
    try {
      onDone(await correctionApi.correctUser(user.id, body as UserCorrection));
      addNotice("success", ta("fix.saved"));
      setForm({ ...form, note: "" });
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate class="admin-form-grid" data-testid="user-correct">
      <Input id="fix-name" label={ta("fix.field.name")} value={form.name} onValue={set("name")} />
      <Input id="fix-kana" label={ta("fix.field.nameKana")} value={form.nameKana} onValue={set("nameKana")} />
      <Input id="fix-email" label={ta("fix.field.email")} value={form.email} onValue={set("email")} type="email" />
      <Select id="fix-job" label={ta("fix.field.jobType")} value={form.jobType} onValue={set("jobType")} options={JOB_TYPE_CODES.map((c) => ({ value: c, label: jobTypeLabel(c) }))} />
      {VISITING_JOBS.has(form.jobType) && <Checkbox id="fix-visits" label={ta("fix.visitsHomes")} hint={ta("fix.visitsHomesHint")} checked={visits} onValue={setVisits} />}
      <Input id="fix-note" label={ta("fix.note")} value={form.note} onValue={set("note")} />
      <ErrorBox error={error} testId="user-correct-error" />
      <div>
        <button type="submit" class="primary" data-testid="user-correct-save">
          {ta("fix.save")}
        </button>
      </div>
    </form>
  );
}

function Transfer({ user, rooms, onDone }: { user: LedgerRow; rooms: RoomRef[]; onDone: () => void }) {
  const offices = useLoad(() => adminApi.offices());
  const help = useLoad(() => adminApi.adminHelp());
  const [officeId, setOfficeId] = useState("");
  const [stay, setStay] = useState<Record<string, boolean>>({});
  const [acceptedOn, setAcceptedOn] = useState(todayInJapan());
  const [version, setVersion] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const choices = (offices.data ?? []).filter((o) => o.id !== user.officeId && !o.closedAt);
  const pledgeVersion = version || help.data?.pledge.version || "";
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    const target = choices.find((o) => o.id === officeId);
    if (!confirm(ta("fix.transferConfirm", { name: user.name, office: target?.name ?? "" }))) return;
    try {
      await correctionApi.transfer(user.id, {
        officeId,
        rooms: rooms.map((r) => ({ roomId: r.id, stay: stay[r.id] ?? true })),
        pledge: { version: pledgeVersion, acceptedOn },
        note: note.trim(),
      });
      addNotice("success", ta("fix.transferred"));
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="user-transfer">
      <div class="admin-form-grid">
        <Select id="transfer-office" label={ta("fix.transferTo")} value={officeId} onValue={setOfficeId} placeholder={ta("fix.pickOffice")} options={officeOptions(choices)} required />
        <Input id="transfer-pledge-date" label={ta("fix.pledgeDate")} value={acceptedOn} onValue={setAcceptedOn} type="date" required />
        <Input id="transfer-pledge-version" label={ta("fix.pledgeVersion")} value={pledgeVersion} onValue={setVersion} required />
        <Input id="transfer-note" label={ta("fix.note")} value={note} onValue={setNote} />
      </div>
      <p>{rooms.length ? ta("fix.transferRooms") : ta("fix.noRooms")}</p>
      {rooms.length > 0 && (
        <ul class="plain-list" data-testid="transfer-rooms">
          {rooms.map((r) => (
            <li key={r.id} data-testid="transfer-room" data-room={r.id}>
              <div class="a-choices">
              <strong>{r.label ?? r.patientName}</strong>
              <label class="a-check">
                <input type="radio" name={`stay-${r.id}`} data-testid="transfer-stay" checked={stay[r.id] ?? true} onChange={() => setStay({ ...stay, [r.id]: true })} /> {ta("fix.stay")}
              </label>
              <label class="a-check">
                <input type="radio" name={`stay-${r.id}`} data-testid="transfer-leave" checked={stay[r.id] === false} onChange={() => setStay({ ...stay, [r.id]: false })} /> {ta("fix.leave")}
              </label>
              </div>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={error} testId="transfer-error" />
      <button type="submit" class="primary" data-testid="transfer-submit" disabled={!officeId}>
        {ta("fix.transferSubmit")}
      </button>
    </form>
  );
}

/** The correction panels of the user screen; `onChanged` reloads the screen after a transfer. */
export function UserCorrections({ userId, rooms, onChanged }: { userId: string; rooms: RoomRef[]; onChanged: () => void }) {
  const { data, error, setData, reload } = useLoad(() => correctionApi.userHistory(userId), [userId]);
  if (!data) return error ? <ErrorBox error={error} /> : null;
  const u = data.user;
  return (
    <>
      <Section title={ta("fix.periods")} testId="office-periods">
        <ol class="plain-list">
          {data.officeStays.map((s, i) => (
            <li key={i} data-testid="office-period" data-current={s.endedAt ? "no" : "yes"}>
              {s.office.name}（{s.office.kindLabel}）：{day(s.startedAt)} – {s.endedAt ? day(s.endedAt) : ta("fix.current")}
            </li>
          ))}
        </ol>
      </Section>
      {u.status !== "stopped" && (
        <Section title={ta("fix.edit")}>
          <CorrectUser
            key={`${u.name}|${u.jobType}|${String(u.visitsHomes)}`}
            user={u}
            onDone={(h) => {
              setData(h);
              onChanged();
            }}
          />
        </Section>
      )}
      {u.status !== "stopped" && u.officeId && (
        <Section title={ta("fix.transfer")}>
          <Transfer
            key={u.officeId}
            user={u}
            rooms={rooms}
            onDone={() => {
              reload();
              onChanged();
            }}
          />
        </Section>
      )}
      <Section title={ta("fix.history")}>
        <ChangeHistory changes={data.changes} />
      </Section>
    </>
  );
}
