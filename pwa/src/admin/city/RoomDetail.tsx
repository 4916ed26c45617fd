/** One room: members, permissions, report titles, label, closing. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi, type Room } from "../api";
import { adminHref } from "../helpers";
import { codeLabel, codeOptions } from "../../local/labels";
import { ta } from "../messages";
import { dateTime, day, ErrorBox, Facts, Input, Loading, Section, Select, TextArea, useLoad } from "../ui";
import { ConsentScan, consentExtraFacts, CorrectPatient, ReopenRoom, RoomHistory, WithdrawConsent } from "./RoomCorrections";
import { RecordPrint } from "../../components/RecordPrint";
import { saveBlob } from "../../download";
import { type RoomRecordData } from "../../local/record";
import { importApi } from "../importApi";

function MemberTable({ room, onChange, editable }: { room: Room; onChange: (r: Room) => void; editable: boolean }) {
  const [error, setError] = useState<unknown>(null);
  async function run(action: () => Promise<Room>) {
    setError(null);
    try {
      onChange(await action());
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <ErrorBox error={error} testId="member-error" />
      <table class="admin-table">
        <thead>
          <tr>
            <th scope="col">{ta("ledger.name")}</th>
            <th scope="col">{ta("ledger.jobType")}</th>
            <th scope="col">{ta("ledger.office")}</th>
            <th scope="col">{ta("room.permission")}</th>
            <th scope="col">{ta("room.joined")}</th>
            {editable && <th scope="col">{ta("a.actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {room.members.map((m) => (
            <tr key={m.id} data-testid="member-row" data-login={m.user.loginId}>
              <td>{m.user.name}</td>
              <td>{m.user.jobTypeLabel}</td>
              <td>{m.user.officeName ?? "—"}</td>
              <td>
                {editable ? (
                  <select
                    aria-label={`${ta("room.permission")}：${m.user.name}`}
                    value={m.permission}
                    data-testid="member-permission"
                    onChange={(e) => void run(() => adminApi.setPermission(room.id, m.user.id, (e.currentTarget as HTMLSelectElement).value))}
                  >
                    {codeOptions("permission").reverse().map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                ) : (
                  codeLabel("permission", m.permission)
                )}
              </td>
              <td>{day(m.joinedAt)}</td>
              {editable && (
                <td>
                  <button
                    type="button"
                    class="link"
                    data-testid="member-remove"
                    onClick={() => {
                      if (confirm(ta("room.removeConfirm", { name: m.user.name }))) void run(() => adminApi.removeMember(room.id, m.user.id));
                    }}
                  >
                    {ta("room.remove")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function AddMember({ room, onChange }: { room: Room; onChange: (r: Room) => void }) {
  const ledger = useLoad(() => adminApi.ledger({ status: "active" }));
  const [userId, setUserId] = useState("");
  const [permission, setPermission] = useState("write");
  const [error, setError] = useState<unknown>(null);
  const present = new Set(room.members.map((m) => m.user.id));
  const options = (ledger.data?.users ?? [])
    .filter((u) => !present.has(u.id) && u.role !== "municipal_admin" && u.role !== "operator")
    .map((u) => ({ value: u.id, label: `${u.name}（${u.jobTypeLabel}・${u.officeName ?? "—"}）` }));
  async function add(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      onChange(await adminApi.addMember(room.id, userId, permission));
      setUserId("");
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={add} class="admin-filters" noValidate>
      <Select id="member-user" label={ta("room.userId")} value={userId} onValue={setUserId} placeholder={ta("room.pickUser")} options={options} required />
      <Select id="member-perm" label={ta("room.permission")} value={permission} onValue={setPermission} options={codeOptions("permission").reverse()} />
      <div class="admin-filter-buttons">
        <button type="submit" class="primary" data-testid="member-add" disabled={!userId}>
          {ta("room.add")}
        </button>
      </div>
      <ErrorBox error={error} testId="member-add-error" />
    </form>
  );
}

function TitlesEditor({ room, onChange }: { room: Room; onChange: (r: Room) => void }) {
  const active = room.reportTitles.filter((t) => t.active).sort((a, b) => a.position - b.position);
  const [text, setText] = useState(active.map((t) => t.name).join("\n"));
  const [error, setError] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    const byName = new Map(active.map((t) => [t.name, t]));
    const titles = text
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((name) => {
        const known = byName.get(name);
        return known ? { name, id: known.id, vitals: known.vitals } : name;
      });
    try {
      onChange(await adminApi.setTitles(room.id, titles));
      addNotice("success", ta("a.saved"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate>
      <TextArea id="room-titles" label={ta("room.titles")} hint={ta("room.titlesHint")} value={text} onValue={setText} rows={Math.max(3, active.length + 1)} />
      <ErrorBox error={error} testId="titles-error" />
      <button type="submit" class="secondary" data-testid="titles-save">
        {ta("a.save")}
      </button>
    </form>
  );
}

function LabelEditor({ room, onChange }: { room: Room; onChange: (r: Room) => void }) {
  const [value, setValue] = useState(room.label ?? "");
  const [error, setError] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      onChange(await adminApi.setLabel(room.id, value.trim() || null));
      addNotice("success", ta("a.saved"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate class="admin-filters">
      <Input id="room-label" label={ta("room.label")} value={value} onValue={setValue} maxLength={40} />
      <div class="admin-filter-buttons">
        <button type="submit" class="secondary" data-testid="label-save">
          {ta("a.save")}
        </button>
      </div>
      <ErrorBox error={error} testId="label-error" />
    </form>
  );
}

export function CloseRoom({ roomId, closingRequestId, onClosed }: { roomId: string; closingRequestId?: string; onClosed: (r: Room) => void }) {
  const [reason, setReason] = useState("endOfService");
  const [error, setError] = useState<unknown>(null);
  async function close() {
    setError(null);
    if (!confirm(ta("room.closeConfirm"))) return;
    try {
      const body = closingRequestId ? { closingRequestId } : { reason };
      onClosed(await adminApi.closeRoom(roomId, body));
      addNotice("success", ta("room.closedDone"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div class="admin-filters">
      {!closingRequestId && <Select id={`close-reason-${roomId}`} label={ta("room.closeReason")} value={reason} onValue={setReason} options={codeOptions("closingReason")} />}
      <div class="admin-filter-buttons">
        <button type="button" class="danger" data-testid="room-close" onClick={() => void close()}>
          {closingRequestId ? ta("closing.confirm") : ta("room.close")}
        </button>
      </div>
      <ErrorBox error={error} testId="close-error" />
    </div>
  );
}

export function RoomDetail({ id }: { id: string }) {
  const { data, error, setData } = useLoad(() => adminApi.room(id), [id]);
  if (!data) return <Loading error={error} />;
  const r = data;
  const p = r.patient;
  const open = r.status === "open";
  return (
    <div data-testid="admin-room" data-status={r.status}>
      <p>
        <a href={adminHref("rooms")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("room.heading")}：{p.name}
      </h1>
      <p class="admin-actions">
        <a class="button secondary" href={adminHref("print", "5", r.id)} data-testid="print-5">
          {ta("a.printForm", { form: "5" })}
        </a>
        <a class="button secondary" href={adminHref("print", "6", r.id)} data-testid="print-6">
          {ta("a.printForm", { form: "6" })}
        </a>
        <a class="button secondary" href={adminHref("access-log", r.id)} data-testid="room-access-log">
          {ta("alog.link")}
        </a>
      </p>
      {r.missing.length > 0 && (
        <div class="form-error" role="status" data-testid="room-missing">
          <p>{ta("room.missing")}</p>
          <ul>
            {r.missing.map((m) => (
              <li key={m.code}>{m.ja}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="admin-two">
        <Section title={ta("room.patient")}>
          <Facts
            rows={[
              [ta("p.nameKana"), p.nameKana],
              [ta("p.sex"), codeLabel("sex", p.sex)],
              [ta("p.birthDate"), `${p.birthDateEra.text}（${p.birthDate}）`],
              [ta("p.address"), [p.postalCode && `〒${p.postalCode}`, p.address].filter(Boolean).join(" ")],
              [ta("p.phone"), p.phone],
              [ta("p.careLevel"), <span data-testid="room-care-level">{p.careLevelLabel}</span>],
              [ta("p.insuredNumber"), p.insuredNumber],
              [ta("fix.field.attendingPhysician"), p.attendingPhysician ?? ""],
              [
                ta("fix.field.emergencyContactName"),
                [p.emergencyContactName, p.emergencyContactRelationship && `（${p.emergencyContactRelationship}）`, p.emergencyContactPhone].filter(Boolean).join(" "),
              ],
              [ta("ledger.status"), codeLabel("roomStatus", r.status)],
              [ta("rooms.opened"), dateTime(r.openedAt)],
              [ta("rooms.closed"), r.closedAt ? `${dateTime(r.closedAt)} ${codeLabel("closingReason", r.closedReason)} ${r.closedNote ?? ""}` : ""],
            ]}
          />
        </Section>
        <Section title={ta("room.consent")}>
          {r.consent ? (
            <Facts
              rows={[
                [ta("room.consentDate"), day(r.consent.date)],
                [ta("room.signedBy"), codeLabel("signedBy", r.consent.signedBy) + (r.consent.proxyName ? `：${r.consent.proxyName}（${r.consent.proxyRelationship ?? ""}）` : "")],
                [ta("room.explainedBy"), r.consent.explainedBy],
                ...consentExtraFacts(r),
              ]}
            />
          ) : (
            <p>{ta("room.noConsent")}</p>
          )}
          <ConsentScan room={r} onDone={setData} />
        </Section>
      </div>
      <Section title={ta("room.fixPatient")}>
        <CorrectPatient key={`${r.version}|${p.careLevel}|${p.address}`} room={r} onDone={setData} />
      </Section>
      <Section title={ta("room.members")} testId="room-members">
        <MemberTable room={r} onChange={setData} editable={open} />
        {open && <AddMember room={r} onChange={setData} />}
      </Section>
      {r.formerMembers.length > 0 && (
        <Section title={ta("room.formerMembers")}>
          <ul class="plain-list">
            {r.formerMembers.map((m) => (
              <li key={m.id}>
                {m.user.name}（{m.user.jobTypeLabel}）{day(m.joinedAt)} – {day(m.leftAt)} {m.leftReason ?? ""}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {open && (
        <div class="admin-two">
          <Section title={ta("room.titles")}>
            <TitlesEditor room={r} onChange={setData} />
          </Section>
          <Section title={ta("rooms.label")}>
            <LabelEditor room={r} onChange={setData} />
          </Section>
        </div>
      )}
      {open && (
        <Section title={ta("room.close")}>
          <CloseRoom roomId={r.id} onClosed={setData} />
        </Section>
      )}
      {open && r.consent && !r.consent.withdrawnOn && (
        <Section title={ta("room.withdraw")}>
          <WithdrawConsent room={r} onDone={setData} />
        </Section>
      )}
      {!open && (
        <Section title={ta("room.reopen")}>
          <ReopenRoom key={r.version} room={r} onDone={setData} />
        </Section>
      )}
      <RoomHistory room={r} />
      {!open && <BreakGlass roomId={r.id} />}
    </div>
  );
}

/** A closed room's record for the city: only with a written reason the members will see. */
function BreakGlass({ roomId }: { roomId: string }) {
  const [reason, setReason] = useState("");
  const [record, setRecord] = useState<RoomRecordData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ready = reason.trim().length >= 10;
  async function run(kind: "print" | "vitals.csv" | "fhir") {
    setError(null);
    try {
      if (kind === "print") setRecord(await importApi.breakGlass(roomId, reason.trim()));
      else saveBlob(await importApi.breakGlassFile(roomId, kind, reason.trim()), kind === "fhir" ? `record-${roomId.slice(-8)}.json` : `vitals-${roomId.slice(-8)}.csv`);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <Section title={ta("bg.heading")} testId="break-glass">
      <div class="no-print">
        <p>{ta("bg.intro")}</p>
        <TextArea id="bg-reason" label={ta("bg.reason")} value={reason} onValue={setReason} />
        <p class="admin-actions">
          <button type="button" disabled={!ready} onClick={() => void run("print")} data-testid="bg-print">
            {ta("bg.print")}
          </button>
          <button type="button" class="secondary" disabled={!ready} onClick={() => void run("vitals.csv")}>
            {ta("bg.csv")}
          </button>
          <button type="button" class="secondary" disabled={!ready} onClick={() => void run("fhir")}>
            {ta("bg.fhir")}
          </button>
          {record && (
            <button type="button" onClick={() => window.print()}>
              {ta("a.print")}
            </button>
          )}
        </p>
        <ErrorBox error={error} />
      </div>
      {record && <RecordPrint record={record} />}
    </Section>
  );
}
