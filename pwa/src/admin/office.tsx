/** The office admin's screens (own staff, own applications, new applications) and the room-opening form. */
import { useState } from "preact/hooks";
import { addNotice } from "../store";
import { adminApi, type Candidate, type ConsentIn, type LedgerRow, type MemberIn, type PatientIn } from "./api";
import { adminHref, birthDateFromParts, type DateParts } from "./helpers";
import { codeLabel, codeOptions } from "../local/labels";
import { label, ta } from "./messages";
import { DuplicateWarning, isDuplicateWarning } from "./city/DuplicateWarning";
import { dateTime, day, EMPTY_DATE, ErrorBox, EraDateInput, Input, ListTable, Loading, Section, Select, useLoad } from "./ui";


function today(): string {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

export function MyApplications() {
  const { data, error, reload } = useLoad(() => adminApi.myApplications());
  const [actionError, setActionError] = useState<unknown>(null);
  return (
    <div data-testid="office-applications">
      <h1>{ta("myApps.heading")}</h1>
      <p>
        <a class="button primary" href={adminHref("new")} data-testid="office-new-application">
          {ta("a.nav.newApp")}
        </a>
      </p>
      <ErrorBox error={actionError} />
      <ListTable rows={data} error={error} showEmpty headers={[ta("inbox.kind"), ta("inbox.submitted"), ta("inbox.state"), ta("app.reason"), ta("a.actions")]}>
        {(a) => (
          <tr key={a.id} data-testid="office-application-row" data-kind={a.kind} data-state={a.state}>
            <td>{codeLabel("applicationKind", a.kind, a.kindLabel)}</td>
            <td>{dateTime(a.createdAt)}</td>
            <td>
              <span class={`a-badge a-badge-${a.state}`}>{codeLabel("applicationState", a.state)}</span>
              {a.scheduledStop && (
                <div class="a-kana" data-testid="office-application-stop">
                  {a.scheduledStop.state === "scheduled" ? ta("stop.scheduledOn", { date: day(a.scheduledStop.dueAt) }) : codeLabel("stopState", a.scheduledStop.state)}
                </div>
              )}
            </td>
            <td>{a.reason ?? ""}</td>
            <td>
              {a.forms.map((f) => (
                <a key={f} class="a-print-link" href={adminHref("print", f, a.id)} data-testid={`office-print-${f}`}>
                  {ta("a.printForm", { form: f })}
                </a>
              ))}
              {a.state === "submitted" && (
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    setActionError(null);
                    adminApi.withdraw(a.id).then(
                      () => {
                        addNotice("success", ta("app.withdrawn"));
                        reload();
                      },
                      setActionError,
                    );
                  }}
                >
                  {ta("app.withdraw")}
                </button>
              )}
            </td>
          </tr>
        )}
      </ListTable>
    </div>
  );
}

type Kind = "idCareManager" | "idStop" | "roomOpen" | "roomJoin" | "memberRemove" | "roomClose";

export function NewApplication() {
  const [kind, setKind] = useState<Kind>("idCareManager");
  const kinds: Kind[] = ["idCareManager", "idStop", "roomOpen", "roomJoin", "memberRemove", "roomClose"];
  return (
    <div data-testid="office-new">
      <h1>{ta("new.heading")}</h1>
      <Select id="new-kind" label={ta("new.kind")} value={kind} onValue={(v) => setKind(v as Kind)} options={codeOptions("applicationKind", kinds)} />
      {kind === "idCareManager" && <IdCareManagerForm />}
      {kind === "idStop" && <IdStopForm />}
      {kind === "roomOpen" && <RoomOpenForm mode="application" />}
      {kind === "roomJoin" && <RoomJoinForm />}
      {kind === "memberRemove" && <MemberRemoveForm />}
      {kind === "roomClose" && <RoomCloseForm />}
    </div>
  );
}

function useSubmit(kind: Kind) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(payload: Record<string, unknown>) {
    setError(null);
    setBusy(true);
    try {
      await adminApi.submit(kind, payload);
      addNotice("success", ta("new.submitted"));
      location.hash = adminHref("mine");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, submit, setError };
}

function IdCareManagerForm() {
  const help = useLoad(() => adminApi.help());
  const [f, setF] = useState({ name: "", nameKana: "", email: "", phone: "", representative: "" });
  const [accepted, setAccepted] = useState(false);
  const [signed42, setSigned42] = useState(false);
  const s = useSubmit("idCareManager");
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const version = help.data?.pledge.version ?? "";
        void s.submit({
          name: f.name.trim(),
          nameKana: f.nameKana.trim(),
          email: f.email.trim(),
          phone: f.phone.trim(),
          jobType: "care_manager",
          ...(f.representative.trim() ? { officePledge: { representative: f.representative.trim(), version, accepted } } : {}),
          ...(signed42 ? { staffPledge: { version, accepted: true } } : {}),
        });
      }}
    >
      <div class="admin-form-grid">
        <Input id="cm-name" label={ta("p.name")} value={f.name} onValue={set("name")} required />
        <Input id="cm-kana" label={ta("p.nameKana")} value={f.nameKana} onValue={set("nameKana")} required />
        <Input id="cm-email" label={ta("p.email")} type="email" value={f.email} onValue={set("email")} required />
        <Input id="cm-phone" label={ta("p.phone")} type="tel" value={f.phone} onValue={set("phone")} />
      </div>
      <Section title={ta("new.pledge41")}>
        <pre class="pledge-text" data-testid="pledge-41">{help.data?.pledge.form41 ?? ""}</pre>
        <Input id="cm-representative" label={ta("new.representative")} value={f.representative} onValue={set("representative")} />
        <label class="a-check">
          <input type="checkbox" checked={accepted} data-testid="cm-accept" onChange={(e) => setAccepted((e.currentTarget as HTMLInputElement).checked)} /> {ta("new.accept41")}
        </label>
      </Section>
      <Section title={ta("cm.pledge42")}>
        <pre class="pledge-text" data-testid="pledge-42">{help.data?.pledge.form42 ?? ""}</pre>
        <label class="a-check">
          <input type="checkbox" checked={signed42} data-testid="cm-accept-42" onChange={(e) => setSigned42((e.currentTarget as HTMLInputElement).checked)} /> {ta("cm.accept42")}
        </label>
      </Section>
      <ErrorBox error={s.error} testId="new-error" />
      <button type="submit" class="primary" data-testid="new-submit" disabled={s.busy}>
        {ta("new.submit")}
      </button>
    </form>
  );
}

function IdStopForm() {
  const staff = useLoad(() => adminApi.staff({ status: "active" }));
  const [userId, setUserId] = useState("");
  const [reason, setReason] = useState("");
  const [date, setDate] = useState(today());
  const s = useSubmit("idStop");
  return (
    <form
      noValidate
      class="admin-form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        void s.submit({ userId, reason: reason.trim(), date });
      }}
    >
      <Select id="stop-user" label={ta("new.user")} value={userId} onValue={setUserId} placeholder={ta("room.pickUser")} options={(staff.data?.users ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.jobTypeLabel}・${u.loginId}）` }))} required />
      <Input id="stop-reason-text" label={ta("new.reason")} value={reason} onValue={setReason} required />
      <Input id="stop-date" label={ta("new.stopDate")} type="date" value={date} onValue={setDate} required hint={ta("stop.hint")} />
      <ErrorBox error={s.error} testId="new-error" />
      <div>
        <button type="submit" class="primary" data-testid="new-submit" disabled={s.busy}>
          {ta("new.submit")}
        </button>
      </div>
    </form>
  );
}

/** Own active staff, each with a checkbox and a 閲覧権限. */
function StaffPicker({ staff, members, onMembers }: { staff: LedgerRow[]; members: MemberIn[]; onMembers: (m: MemberIn[]) => void }) {
  const chosen = new Map(members.map((m) => [m.userId, m]));
  return (
    <table class="admin-table compact" data-testid="join-staff">
      <tbody>
        {staff.map((u) => {
          const m = chosen.get(u.id);
          return (
            <tr key={u.id} data-testid="join-staff-row" data-login={u.loginId}>
              <td>
                <label class="a-check">
                  <input
                    type="checkbox"
                    data-testid="join-staff-check"
                    checked={!!m}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      onMembers(on ? [...members, { userId: u.id, permission: "write" }] : members.filter((x) => x.userId !== u.id));
                    }}
                  />{" "}
                  {u.name}
                </label>
              </td>
              <td>{u.jobTypeLabel}</td>
              <td>
                {m && (
                  <select
                    aria-label={`${ta("room.permission")}：${u.name}`}
                    data-testid="join-staff-permission"
                    value={m.permission}
                    onChange={(e) => {
                      const permission = (e.currentTarget as HTMLSelectElement).value as "read" | "write";
                      onMembers(members.map((x) => (x.userId === u.id ? { ...x, permission } : x)));
                    }}
                  >
                    {codeOptions("permission").reverse().map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * 部屋への参加依頼: a room the office is in, or — for a patient new to the office — the
 * patient's name, date of birth and 被保険者番号, from which the city finds the room.
 */
function RoomJoinForm() {
  const rooms = useLoad(() => adminApi.officeRooms());
  const staff = useLoad(() => adminApi.staff({ status: "active" }));
  const [by, setBy] = useState<"room" | "patient">("room");
  const [roomId, setRoomId] = useState("");
  const [who, setWho] = useState({ name: "", nameKana: "", insuredNumber: "" });
  const [birth, setBirth] = useState<DateParts>(EMPTY_DATE);
  const [members, setMembers] = useState<MemberIn[]>([]);
  const [note, setNote] = useState("");
  const s = useSubmit("roomJoin");
  const openRooms = (rooms.data ?? []).filter((r) => r.status === "open");
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!members.length) {
          s.setError(new Error(ta("join.pickMembers")));
          return;
        }
        if (by === "room") {
          void s.submit({ roomId, members, note: note.trim() });
          return;
        }
        const born = birthDateFromParts(birth);
        if (!born.ok) {
          s.setError(new Error(ta("date.invalid")));
          return;
        }
        const patient = {
          name: who.name.trim(),
          birthDate: born.value,
          insuredNumber: who.insuredNumber.trim(),
          ...(who.nameKana.trim() ? { nameKana: who.nameKana.trim() } : {}),
        };
        void s.submit({ patient, members, note: note.trim() });
      }}
    >
      <fieldset class="admin-fieldset" data-testid="join-by">
        <legend>{ta("join.how")}</legend>
        <label class="a-check">
          <input type="radio" name="join-by" value="room" checked={by === "room"} data-testid="join-by-room" onChange={() => setBy("room")} /> {ta("join.byRoom")}
        </label>
        <label class="a-check">
          <input type="radio" name="join-by" value="patient" checked={by === "patient"} data-testid="join-by-patient" onChange={() => setBy("patient")} /> {ta("join.byPatient")}
        </label>
      </fieldset>
      {by === "room" ? (
        <div class="admin-form-grid">
          <Select id="join-room" label={ta("new.room")} value={roomId} onValue={setRoomId} placeholder={ta("new.pickRoom")} options={openRooms.map((r) => ({ value: r.id, label: r.label ?? r.patientName }))} required />
        </div>
      ) : (
        <Section title={ta("new.patient")} testId="join-patient">
          <p class="hint">{ta("join.patientHint")}</p>
          <div class="admin-form-grid">
            <Input id="join-pt-name" label={ta("p.name")} value={who.name} onValue={(v) => setWho({ ...who, name: v })} required />
            <Input id="join-pt-kana" label={ta("p.nameKana")} value={who.nameKana} onValue={(v) => setWho({ ...who, nameKana: v })} />
            <EraDateInput id="join-pt-birth" label={ta("p.birthDate")} value={birth} onValue={setBirth} />
            <Input id="join-pt-insured" label={ta("p.insuredNumber")} value={who.insuredNumber} onValue={(v) => setWho({ ...who, insuredNumber: v })} inputMode="numeric" maxLength={10} />
          </div>
        </Section>
      )}
      <Section title={ta("join.members")}>
        <p class="hint">{ta("join.membersHint")}</p>
        {staff.data ? <StaffPicker staff={staff.data.users} members={members} onMembers={setMembers} /> : <Loading error={staff.error} />}
      </Section>
      <div class="admin-form-grid">
        <Input id="join-note" label={ta("join.note")} value={note} onValue={setNote} />
      </div>
      <ErrorBox error={s.error} testId="new-error" />
      <button type="submit" class="primary" data-testid="new-submit" disabled={s.busy}>
        {ta("new.submit")}
      </button>
    </form>
  );
}

/** 部屋の参加者の削除依頼: a member (of this office or another) of a room the office is in. */
function MemberRemoveForm() {
  const rooms = useLoad(() => adminApi.officeRooms());
  const [roomId, setRoomId] = useState("");
  const members = useLoad(() => (roomId ? adminApi.officeRoomMembers(roomId) : Promise.resolve([])), [roomId]);
  const [userId, setUserId] = useState("");
  const [reason, setReason] = useState("");
  const s = useSubmit("memberRemove");
  return (
    <form
      noValidate
      class="admin-form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        void s.submit({ roomId, userId, reason: reason.trim() });
      }}
    >
      <p class="hint">{ta("remove.hint")}</p>
      <Select
        id="remove-room"
        label={ta("new.room")}
        value={roomId}
        onValue={(v) => {
          setRoomId(v);
          setUserId("");
        }}
        placeholder={ta("new.pickRoom")}
        options={(rooms.data ?? []).filter((r) => r.status === "open").map((r) => ({ value: r.id, label: r.label ?? r.patientName }))}
        required
      />
      <Select
        id="remove-user"
        label={ta("remove.member")}
        value={userId}
        onValue={setUserId}
        placeholder={ta("remove.pickMember")}
        options={(members.data ?? []).map((m) => ({
          value: m.userId,
          label: `${m.name}（${m.jobTypeLabel}・${m.ownOffice ? ta("remove.ownOffice") : (m.officeName ?? "—")}）`,
        }))}
        required
      />
      <Input id="remove-reason" label={ta("remove.reason")} value={reason} onValue={setReason} required />
      <ErrorBox error={s.error} testId="new-error" />
      <div>
        <button type="submit" class="primary" data-testid="new-submit" disabled={s.busy}>
          {ta("new.submit")}
        </button>
      </div>
    </form>
  );
}

function RoomCloseForm() {
  const rooms = useLoad(() => adminApi.officeRooms());
  const [roomId, setRoomId] = useState("");
  const [reason, setReason] = useState("endOfService");
  const [note, setNote] = useState("");
  const s = useSubmit("roomClose");
  return (
    <form
      noValidate
      class="admin-form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        void s.submit({ roomId, reason, note });
      }}
    >
      <Select id="close-room" label={ta("new.room")} value={roomId} onValue={setRoomId} placeholder={ta("new.pickRoom")} options={(rooms.data ?? []).filter((r) => r.status === "open").map((r) => ({ value: r.id, label: r.label ?? r.patientName }))} required />
      <Select id="close-reason" label={ta("room.closeReason")} value={reason} onValue={setReason} options={codeOptions("closingReason")} />
      <Input id="close-note" label={ta("closing.note")} value={note} onValue={setNote} />
      <ErrorBox error={s.error} testId="new-error" />
      <div>
        <button type="submit" class="primary" data-testid="new-submit" disabled={s.busy}>
          {ta("new.submit")}
        </button>
      </div>
    </form>
  );
}

/**
 * 様式5 + 様式6: the patient, the consent and the proposed members. As an office admin it
 * submits a `roomOpen` application; as the city it creates the room directly.
 */
export function RoomOpenForm({ mode }: { mode: "application" | "direct" }) {
  const candidates = useLoad<Candidate[]>(async () => {
    if (mode === "application") return adminApi.directory();
    const ledger = await adminApi.ledger({ status: "active" });
    return ledger.users
      .filter((u) => u.role === "member" || u.role === "office_admin")
      .map((u) => ({ id: u.id, loginId: u.loginId, name: u.name, nameKana: u.nameKana, jobType: u.jobType, jobTypeLabel: u.jobTypeLabel, officeId: u.officeId, officeName: u.officeName, officeKind: null }));
  });
  const [p, setP] = useState<Required<Omit<PatientIn, "birthDate">>>({ name: "", nameKana: "", sex: "female", address: "", postalCode: "", phone: "", careLevel: "care_1", insuredNumber: "", attendingPhysician: "", emergencyContactName: "", emergencyContactRelationship: "", emergencyContactPhone: "" });
  const [birth, setBirth] = useState<DateParts>(EMPTY_DATE);
  const [consent, setConsent] = useState({ date: today(), signedBy: "patient", explainedBy: "", explainerOffice: "", proxyName: "", proxyRelationship: "" });
  const [members, setMembers] = useState<MemberIn[]>([]);
  const [requester, setRequester] = useState({ representative: "", systemManager: "", phone: "" });
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The select fields offer only the server's codes (sex, care level), so their values are those.
  const setPatient = (k: keyof typeof p) => (v: string) => setP({ ...p, [k]: v } as typeof p);
  const setC = (k: keyof typeof consent) => (v: string) => setConsent({ ...consent, [k]: v });

  async function submit(e: Event, allowDuplicate = false) {
    e.preventDefault();
    setError(null);
    const born = birthDateFromParts(birth);
    if (!born.ok) {
      setError(new Error(ta("date.invalid")));
      return;
    }
    const patient: PatientIn = { ...p, name: p.name.trim(), nameKana: p.nameKana.trim(), birthDate: born.value };
    const consentIn: ConsentIn = {
      date: consent.date,
      signedBy: consent.signedBy as "patient" | "proxy",
      explainedBy: consent.explainedBy.trim(),
      ...(consent.explainerOffice.trim() ? { explainerOffice: consent.explainerOffice.trim() } : {}),
      ...(consent.signedBy === "proxy" ? { proxyName: consent.proxyName.trim(), proxyRelationship: consent.proxyRelationship.trim() } : {}),
    };
    setBusy(true);
    try {
      if (mode === "application") {
        const req = Object.fromEntries(Object.entries(requester).filter(([, v]) => v.trim()));
        await adminApi.submit("roomOpen", { patient, consent: consentIn, members, ...(Object.keys(req).length ? { requester: req } : {}) });
        addNotice("success", ta("new.submitted"));
        location.hash = adminHref("mine");
      } else {
        const room = await adminApi.createRoom({ patient, consent: consentIn, members, ...(allowDuplicate ? { allowDuplicate } : {}) });
        location.hash = adminHref("rooms", room.id);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const chosen = new Map(members.map((m) => [m.userId, m]));
  const needle = filter.trim();
  const list = (candidates.data ?? []).filter((u) => !needle || u.name.includes(needle) || u.nameKana.includes(needle) || (u.officeName ?? "").includes(needle));

  return (
    <form noValidate onSubmit={submit} data-testid="room-open-form">
      {mode === "direct" && <h1>{ta("rooms.new")}</h1>}
      <Section title={ta("new.patient")}>
        <div class="admin-form-grid">
          <Input id="pt-name" label={ta("p.name")} value={p.name} onValue={setPatient("name")} required />
          <Input id="pt-kana" label={ta("p.nameKana")} value={p.nameKana} onValue={setPatient("nameKana")} required />
          <Select id="pt-sex" label={ta("p.sex")} value={p.sex} onValue={setPatient("sex")} options={codeOptions("sex")} />
          <EraDateInput id="pt-birth" label={ta("p.birthDate")} value={birth} onValue={setBirth} />
          <Input id="pt-postal" label={ta("p.postalCode")} value={p.postalCode} onValue={setPatient("postalCode")} />
          <Input id="pt-address" label={ta("p.address")} value={p.address} onValue={setPatient("address")} required />
          <Input id="pt-phone" label={ta("p.phone")} type="tel" value={p.phone} onValue={setPatient("phone")} />
          <Select id="pt-care" label={ta("p.careLevel")} value={p.careLevel} onValue={setPatient("careLevel")} options={codeOptions("careLevel")} />
          <Input id="pt-insured" label={ta("p.insuredNumber")} value={p.insuredNumber} onValue={setPatient("insuredNumber")} inputMode="numeric" maxLength={10} />
        </div>
      </Section>
      <Section title={ta("new.consent")}>
        <div class="admin-form-grid">
          <Input id="consent-date" label={ta("room.consentDate")} type="date" value={consent.date} onValue={setC("date")} required />
          <Select id="consent-signed" label={ta("room.signedBy")} value={consent.signedBy} onValue={setC("signedBy")} options={codeOptions("signedBy")} />
          <Input id="consent-explained" label={ta("room.explainedBy")} value={consent.explainedBy} onValue={setC("explainedBy")} required />
          <Input id="consent-explainer-office" label={ta("room.explainerOffice")} value={consent.explainerOffice} onValue={setC("explainerOffice")} />
          {consent.signedBy === "proxy" && <Input id="consent-proxy" label={ta("p.proxyName")} value={consent.proxyName} onValue={setC("proxyName")} required />}
          {consent.signedBy === "proxy" && <Input id="consent-relationship" label={ta("p.proxyRelationship")} value={consent.proxyRelationship} onValue={setC("proxyRelationship")} required />}
        </div>
      </Section>
      <Section title={ta("new.members")} testId="proposed-members">
        <p class="hint">{ta("new.membersHint")}</p>
        <Input id="member-filter" label={ta("new.directoryQ")} value={filter} onValue={setFilter} />
        {!candidates.data ? (
          <Loading error={candidates.error} />
        ) : (
          <table class="admin-table compact">
            <tbody>
              {list.map((u) => {
                const m = chosen.get(u.id);
                return (
                  <tr key={u.id} data-testid="candidate-row" data-login={"loginId" in u ? u.loginId : undefined} data-user={u.id}>
                    <td>
                      <label class="a-check">
                        <input
                          type="checkbox"
                          data-testid="candidate-check"
                          checked={!!m}
                          onChange={(e) => {
                            const on = (e.currentTarget as HTMLInputElement).checked;
                            setMembers(on ? [...members, { userId: u.id, permission: "write" }] : members.filter((x) => x.userId !== u.id));
                          }}
                        />{" "}
                        {u.name}
                      </label>
                    </td>
                    <td>{u.jobTypeLabel}</td>
                    <td>{u.officeName ?? "—"}</td>
                    <td>
                      {m && (
                        <select
                          aria-label={`${ta("room.permission")}：${u.name}`}
                          value={m.permission}
                          onChange={(e) => {
                            const permission = (e.currentTarget as HTMLSelectElement).value as "read" | "write";
                            setMembers(members.map((x) => (x.userId === u.id ? { ...x, permission } : x)));
                          }}
                        >
                          {codeOptions("permission").reverse().map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
      {mode === "application" && (
        <Section title={ta("new.requester")}>
          <div class="admin-form-grid">
            <Input id="req-rep" label={ta("new.representative")} value={requester.representative} onValue={(v) => setRequester({ ...requester, representative: v })} />
            <Input id="req-manager" label={ta("new.systemManager")} value={requester.systemManager} onValue={(v) => setRequester({ ...requester, systemManager: v })} />
            <Input id="req-phone" label={ta("p.phone")} type="tel" value={requester.phone} onValue={(v) => setRequester({ ...requester, phone: v })} />
          </div>
        </Section>
      )}
      {isDuplicateWarning(error) ? (
        <DuplicateWarning error={error} busy={busy} onProceed={() => void submit(new Event("submit"), true)} />
      ) : (
        <ErrorBox error={error} testId="room-open-error" />
      )}
      <button type="submit" class="primary" data-testid="room-open-submit" disabled={busy}>
        {mode === "application" ? ta("new.submit") : ta("rooms.new")}
      </button>
    </form>
  );
}
