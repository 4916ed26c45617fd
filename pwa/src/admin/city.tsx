/** The municipal admin's screens: inbox, application detail, invitations, ledger, offices, rooms, closing requests. */
import { useState } from "preact/hooks";
import { addNotice } from "../store";
import { adminApi, query, type Application, type Invitation, type Office, type Room, type UserRef } from "./api";
import { adminHref, FORM_CODES } from "./helpers";
import { label, ta } from "./messages";
import { dateTime, day, ErrorBox, Facts, Input, ListTable, Loading, Section, Select, TextArea, useLoad } from "./ui";

const STATES = ["submitted", "approved", "rejected", "withdrawn"];
const KINDS = ["idCareManager", "idInvited", "idStop", "roomOpen", "roomJoin", "roomClose"];
const REASONS = ["death", "facilityAdmission", "endOfService", "other"];

function go(href: string): void {
  location.hash = href;
}

function subjectOf(a: Application): string {
  if (a.subjectUser) return a.subjectUser.name;
  if (a.room) return a.room.label ?? a.room.patientName;
  const p = a.payload;
  const patient = p["patient"] as { name?: string } | undefined;
  if (typeof p["name"] === "string") return p["name"];
  if (patient?.name) return patient.name;
  return "";
}

// -- inbox -------------------------------------------------------------------------------------

export function Inbox() {
  const [state, setState] = useState("submitted");
  const [kind, setKind] = useState("");
  const { data, error } = useLoad(() => adminApi.inbox(state || undefined, kind || undefined), [state, kind]);
  return (
    <div data-testid="admin-inbox">
      <h1>{ta("inbox.heading")}</h1>
      <div class="admin-filters">
        <Select id="inbox-state" label={ta("inbox.state")} value={state} onValue={setState} placeholder={ta("a.all")} options={STATES.map((s) => ({ value: s, label: label("state", s) }))} />
        <Select id="inbox-kind" label={ta("inbox.kind")} value={kind} onValue={setKind} placeholder={ta("a.all")} options={KINDS.map((k) => ({ value: k, label: label("kind", k) }))} />
      </div>
      <ListTable rows={data} error={error} showEmpty headers={[ta("inbox.age"), ta("inbox.kind"), ta("inbox.subject"), ta("inbox.office"), ta("inbox.submitted"), ta("inbox.state")]}>
        {(a) => (
          <tr key={a.id} data-testid="inbox-row" data-kind={a.kind} data-state={a.state}>
            <td class="a-num">{ta("inbox.days", { n: a.ageDays })}</td>
            <td>
              <a href={adminHref("applications", a.id)} data-testid="inbox-open">
                {a.kindLabel || label("kind", a.kind)}
              </a>
            </td>
            <td>{subjectOf(a)}</td>
            <td>{a.office?.name ?? "—"}</td>
            <td>{dateTime(a.createdAt)}</td>
            <td>
              <span class={`a-badge a-badge-${a.state}`}>{label("state", a.state)}</span>
            </td>
          </tr>
        )}
      </ListTable>
    </div>
  );
}

// -- one application ---------------------------------------------------------------------------

function PayloadView({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "") return <span>—</span>;
  if (Array.isArray(value)) {
    return (
      <ol class="payload-list">
        {value.map((v, i) => (
          <li key={i}>
            <PayloadView value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === "object") {
    return (
      <dl class="payload">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <PayloadView value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{String(value)}</span>;
}

function People({ users }: { users: UserRef[] }) {
  if (!users.length) return null;
  return (
    <ul class="plain-list">
      {users.map((u) => (
        <li key={u.id}>
          <a href={adminHref("users", u.id)}>{u.name}</a>（{u.jobTypeLabel}・{u.officeName ?? "—"}）
        </li>
      ))}
    </ul>
  );
}

export function ApplicationDetail({ id }: { id: string }) {
  const { data, error, setData } = useLoad(() => adminApi.application(id), [id]);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!data) return <Loading error={error} />;
  const a = data;

  async function act(what: "approve" | "reject") {
    setActionError(null);
    if (what === "reject" && !reason.trim()) {
      setActionError(new Error(ta("app.reasonRequired")));
      return;
    }
    setBusy(true);
    try {
      const next = what === "approve" ? await adminApi.approve(a.id, note) : await adminApi.reject(a.id, reason.trim());
      setData(next);
      addNotice("success", ta(what === "approve" ? "app.approved" : "app.rejected"));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="admin-application" data-state={a.state}>
      <p>
        <a href={adminHref("")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("app.heading")}：{a.kindLabel || label("kind", a.kind)}
      </h1>
      <Facts
        rows={[
          [ta("inbox.state"), <span class={`a-badge a-badge-${a.state}`} data-testid="application-state">{label("state", a.state)}</span>],
          [ta("inbox.office"), a.office?.name ?? ""],
          [ta("app.applicant"), a.applicant ? `${a.applicant.name}（${a.applicant.loginId}）` : ""],
          [ta("inbox.submitted"), dateTime(a.createdAt)],
          [ta("inbox.age"), ta("inbox.days", { n: a.ageDays })],
          [ta("app.reviewer"), a.reviewer ? `${a.reviewer.name}・${dateTime(a.reviewedAt)}` : ""],
          [ta("app.reason"), a.reason ?? ""],
          [ta("app.room"), a.room ? <a href={adminHref("rooms", a.room.id)}>{a.room.label ?? a.room.patientName}</a> : ""],
        ]}
      />
      {(a.subjectUser || a.users.length > 0) && (
        <Section title={ta("app.users")}>
          <People users={[...(a.subjectUser ? [a.subjectUser] : []), ...a.users.filter((u) => u.id !== a.subjectUser?.id)]} />
        </Section>
      )}
      <Section title={ta("app.content")} testId="application-payload">
        <PayloadView value={a.payload} />
      </Section>
      {a.forms.length > 0 && (
        <Section title={ta("app.forms")}>
          <p class="admin-actions">
            {a.forms.map((f) => (
              <a key={f} class="button secondary" href={adminHref("print", f, a.id)} data-testid={`print-${f}`}>
                {ta("a.printForm", { form: f })}
              </a>
            ))}
          </p>
        </Section>
      )}
      {a.state === "submitted" && (
        <Section title={ta("a.actions")} testId="application-actions">
          <ErrorBox error={actionError} testId="application-error" />
          <div class="admin-two">
            <div>
              <TextArea id="approve-note" label={ta("app.note")} value={note} onValue={setNote} rows={2} />
              <button type="button" class="primary" data-testid="application-approve" disabled={busy} onClick={() => void act("approve")}>
                {ta("app.approve")}
              </button>
            </div>
            <div>
              <TextArea id="reject-reason" label={ta("app.rejectReason")} value={reason} onValue={setReason} rows={2} required />
              <button type="button" class="danger" data-testid="application-reject" disabled={busy} onClick={() => void act("reject")}>
                {ta("app.reject")}
              </button>
            </div>
          </div>
        </Section>
      )}
      <Section title={ta("app.history")} testId="application-history">
        <ol class="history">
          {a.history.map((h, i) => (
            <li key={i}>
              <time>{dateTime(h.at)}</time> {h.action} {h.actorName ? `（${h.actorName}）` : ""} {h.note ?? ""}
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}

// -- invitations -------------------------------------------------------------------------------

function officeOptions(offices: Office[] | null) {
  return (offices ?? []).map((o) => ({ value: o.id, label: `${o.name}（${o.kindLabel}）` }));
}

export function Invitations() {
  const list = useLoad(() => adminApi.invitations());
  const offices = useLoad(() => adminApi.offices());
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [officeId, setOfficeId] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The revoke is two steps: 取り消し opens the question in the row, 取り消す carries it out.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(null);

  async function revoke(i: Invitation) {
    setRevokeError(null);
    setBusy(true);
    try {
      await adminApi.revokeInvitation(i.id);
      addNotice("success", ta("inv.revoked", { name: i.name }));
      setConfirming(null);
      list.reload();
    } catch (err) {
      setRevokeError(err);
      setConfirming(null);
      list.reload(); // the state may have moved on (used or expired meanwhile)
    } finally {
      setBusy(false);
    }
  }

  async function send(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await adminApi.invite(name.trim(), email.trim(), officeId);
      addNotice("success", ta("inv.sent", { email: email.trim() }));
      setName("");
      setEmail("");
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="admin-invitations">
      <h1>{ta("inv.heading")}</h1>
      <Section title={ta("inv.new")}>
        <form onSubmit={send} noValidate class="admin-form-grid">
          <Input id="invite-name" label={ta("inv.name")} value={name} onValue={setName} required />
          <Input id="invite-email" label={ta("inv.email")} type="email" value={email} onValue={setEmail} required />
          <Select id="invite-office" label={ta("inv.office")} value={officeId} onValue={setOfficeId} placeholder={ta("inv.pickOffice")} options={officeOptions(offices.data)} required />
          <ErrorBox error={error} testId="invite-error" />
          <div>
            <button type="submit" class="primary" data-testid="invite-send" disabled={busy}>
              {ta("inv.send")}
            </button>
          </div>
        </form>
      </Section>
      <Section title={ta("inv.list")}>
        <ErrorBox error={revokeError} testId="revoke-error" />
        <ListTable rows={list.data} error={list.error} showEmpty headers={[ta("inv.name"), ta("inv.email"), ta("inv.office"), ta("inbox.submitted"), ta("inv.expires"), ta("inv.state"), ta("a.actions")]}>
          {(i) => (
            <tr key={i.id} data-testid="invitation-row" data-state={i.state}>
              <td>{i.name}</td>
              <td>{i.email}</td>
              <td>{i.office.name}</td>
              <td>{dateTime(i.createdAt)}</td>
              <td>{dateTime(i.expiresAt)}</td>
              <td data-testid="invitation-state">
                {i.applicationId ? <a href={adminHref("applications", i.applicationId)}>{label("inv.state", i.state)}</a> : label("inv.state", i.state)}
                {i.state === "revoked" && i.revokedBy && (
                  <span class="hint">
                    {" "}
                    （{ta("inv.revokedBy", { name: i.revokedBy })}）
                  </span>
                )}
              </td>
              <td>
                {i.state === "pending" &&
                  (confirming === i.id ? (
                    <div role="group" aria-label={ta("inv.revoke")} data-testid="revoke-confirm">
                      <p>{ta("inv.revokeConfirm", { name: i.name, email: i.email })}</p>
                      <button type="button" class="danger" data-testid="revoke-yes" disabled={busy} onClick={() => void revoke(i)}>
                        {ta("inv.revokeYes")}
                      </button>{" "}
                      <button type="button" data-testid="revoke-no" disabled={busy} onClick={() => setConfirming(null)}>
                        {ta("inv.revokeNo")}
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      data-testid="revoke-invitation"
                      aria-label={`${ta("inv.revoke")}: ${i.name}`}
                      onClick={() => {
                        setRevokeError(null);
                        setConfirming(i.id);
                      }}
                    >
                      {ta("inv.revoke")}
                    </button>
                  ))}
              </td>
            </tr>
          )}
        </ListTable>
      </Section>
    </div>
  );
}

// -- the ledger --------------------------------------------------------------------------------

export function LedgerView({ office = false }: { office?: boolean }) {
  const [q, setQ] = useState("");
  const [applied, setApplied] = useState<Record<string, string>>({});
  const [officeId, setOfficeId] = useState("");
  const [jobType, setJobType] = useState("");
  const [status, setStatus] = useState("");
  const filter = { ...applied, officeId: officeId || undefined, jobType: jobType || undefined, status: status || undefined };
  const key = JSON.stringify(filter);
  const { data, error } = useLoad(() => (office ? adminApi.staff(filter) : adminApi.ledger(filter)), [key]);
  const offices = useLoad(() => (office ? Promise.resolve([] as Office[]) : adminApi.offices()));
  const jobTypes = data ? data.countsByJobType.filter((c) => c.key).map((c) => ({ value: c.key ?? "", label: c.label })) : [];

  return (
    <div data-testid={office ? "office-staff" : "admin-ledger"}>
      <h1>{office ? ta("staff.heading") : ta("ledger.heading")}</h1>
      <form
        class="admin-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(q.trim() ? { q: q.trim() } : {});
        }}
      >
        <Input id="ledger-q" label={ta("ledger.q")} value={q} onValue={setQ} />
        {!office && <Select id="ledger-office" label={ta("ledger.office")} value={officeId} onValue={setOfficeId} placeholder={ta("a.all")} options={officeOptions(offices.data)} />}
        <Select id="ledger-jobtype" label={ta("ledger.jobType")} value={jobType} onValue={setJobType} placeholder={ta("a.all")} options={jobTypes} />
        <Select id="ledger-status" label={ta("ledger.status")} value={status} onValue={setStatus} placeholder={ta("a.all")} options={["pending", "active", "stopped"].map((s) => ({ value: s, label: label("ledger.status", s) }))} />
        <div class="admin-filter-buttons">
          <button type="submit" class="secondary" data-testid="ledger-search">
            {ta("a.search")}
          </button>
          {!office && (
            <a class="button secondary" data-testid="ledger-csv" href={`/api/admin/ledger.csv${query(filter)}`} download>
              {ta("ledger.csv")}
            </a>
          )}
        </div>
      </form>
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <p data-testid="ledger-total">{ta("ledger.total", { n: data.total })}</p>
          <div class="admin-counts">
            {!office && (
              <Section title={ta("ledger.byOffice")} testId="counts-office">
                <table class="admin-table compact">
                  <tbody>
                    {data.countsByOffice.map((c) => (
                      <tr key={c.key ?? "none"}>
                        <th scope="row">{c.label}</th>
                        <td class="a-num">{c.count}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            )}
            <Section title={ta("ledger.byJobType")} testId="counts-jobtype">
              <table class="admin-table compact">
                <tbody>
                  {data.countsByJobType.map((c) => (
                    <tr key={c.key ?? "none"}>
                      <th scope="row">{c.label}</th>
                      <td class="a-num">{c.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          </div>
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{ta("ledger.name")}</th>
                <th scope="col">{ta("ledger.loginId")}</th>
                <th scope="col">{ta("ledger.jobType")}</th>
                <th scope="col">{ta("ledger.office")}</th>
                <th scope="col">{ta("ledger.role")}</th>
                <th scope="col">{ta("ledger.status")}</th>
                <th scope="col">{ta("ledger.created")}</th>
                <th scope="col">{ta("ledger.activated")}</th>
                <th scope="col">{ta("ledger.stopped")}</th>
                <th scope="col">{ta("ledger.pledged")}</th>
                <th scope="col">{ta("ledger.rooms")}</th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <tr key={u.id} data-testid="ledger-row" data-login={u.loginId} data-status={u.status}>
                  <td>
                    {office ? u.name : <a href={adminHref("users", u.id)}>{u.name}</a>}
                    <div class="a-kana">{u.nameKana}</div>
                  </td>
                  <td>{u.loginId}</td>
                  <td>{u.jobTypeLabel}</td>
                  <td>{u.officeName ?? "—"}</td>
                  <td>{u.roleLabel}</td>
                  <td>
                    <span class={`a-badge a-badge-${u.status}`}>{u.statusLabel}</span>
                  </td>
                  <td>{day(u.createdAt)}</td>
                  <td>{day(u.activatedAt)}</td>
                  <td>{day(u.stoppedAt)}</td>
                  <td>{day(u.pledgedAt)}</td>
                  <td class="a-num">{u.roomCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function UserDetailView({ id }: { id: string }) {
  const { data, error, setData } = useLoad(() => adminApi.user(id), [id]);
  const [reason, setReason] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  if (!data) return <Loading error={error} />;
  const u = data.user;
  async function stop() {
    setActionError(null);
    if (!confirm(ta("user.stopConfirm"))) return;
    try {
      setData(await adminApi.stopUser(u.id, reason.trim() || "管理者による停止"));
      addNotice("success", ta("user.stopped"));
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <div data-testid="admin-user" data-status={u.status}>
      <p>
        <a href={adminHref("ledger")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("user.heading")}：{u.name}
      </h1>
      <Facts
        rows={[
          [ta("p.nameKana"), u.nameKana],
          [ta("ledger.loginId"), u.loginId],
          [ta("ledger.jobType"), u.jobTypeLabel],
          [ta("ledger.office"), u.officeName ?? ""],
          [ta("ledger.role"), u.roleLabel],
          [ta("ledger.status"), <span data-testid="user-status">{u.statusLabel}</span>],
          [ta("p.email"), u.email],
          [ta("p.phone"), u.phone],
          [ta("ledger.created"), dateTime(u.createdAt)],
          [ta("ledger.activated"), dateTime(u.activatedAt)],
          [ta("ledger.stopped"), dateTime(u.stoppedAt)],
          [ta("ledger.pledged"), dateTime(u.pledgedAt)],
        ]}
      />
      <p class="admin-actions">
        <a class="button secondary" href={adminHref("print", "3", u.id)}>
          {ta("a.printForm", { form: "3" })}
        </a>
        <a class="button secondary" href={adminHref("print", "4-2", u.id)}>
          {ta("a.printForm", { form: "4-2" })}
        </a>
      </p>
      <Section title={ta("user.rooms")}>
        <ul class="plain-list">
          {data.rooms.map((r) => (
            <li key={r.id}>
              <a href={adminHref("rooms", r.id)}>{r.label ?? r.patientName}</a>（{label("rooms.status", r.status)}）
            </li>
          ))}
        </ul>
      </Section>
      {u.status !== "stopped" && (
        <Section title={ta("user.stop")} testId="user-stop">
          <ErrorBox error={actionError} />
          <Input id="stop-reason" label={ta("user.stopReason")} value={reason} onValue={setReason} />
          <button type="button" class="danger" data-testid="user-stop-submit" onClick={() => void stop()}>
            {ta("user.stop")}
          </button>
        </Section>
      )}
      <Section title={ta("app.history")}>
        <ol class="history">
          {data.history.map((h, i) => (
            <li key={i}>
              <time>{dateTime(h.at)}</time> {h.action} {h.actorName ? `（${h.actorName}）` : ""} {h.note ?? ""}
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}

// -- offices -----------------------------------------------------------------------------------

const OFFICE_KINDS: Array<[string, string]> = [
  ["clinic", "診療所"],
  ["home_visit_clinic", "在宅療養支援診療所"],
  ["hospital", "病院"],
  ["dental_clinic", "歯科診療所"],
  ["visiting_nurse_station", "訪問看護ステーション"],
  ["care_management_office", "居宅介護支援事業所"],
  ["pharmacy", "薬局"],
  ["home_help_office", "訪問介護事業所"],
  ["day_service", "通所介護事業所"],
  ["community_support_center", "地域包括支援センター"],
  ["city_office", "市役所"],
  ["other", "その他"],
];

export function Offices() {
  const { data, error, reload } = useLoad(() => adminApi.offices());
  const [form, setForm] = useState({ name: "", nameKana: "", kind: "clinic", postalCode: "", address: "", phone: "", fax: "" });
  const [actionError, setActionError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  async function add(e: Event) {
    e.preventDefault();
    setActionError(null);
    try {
      await adminApi.addOffice({ ...form, name: form.name.trim() });
      addNotice("success", ta("office.added"));
      setForm({ name: "", nameKana: "", kind: "clinic", postalCode: "", address: "", phone: "", fax: "" });
      reload();
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <div data-testid="admin-offices">
      <h1>{ta("office.heading")}</h1>
      <ListTable rows={data} error={error} headers={[ta("office.name"), ta("office.kind"), ta("office.address"), ta("office.phone"), ta("office.representative"), ta("office.pledge"), ta("office.activeUsers")]}>
        {(o) => (
          <tr key={o.id} data-testid="office-row">
            <td>
              {o.name}
              <div class="a-kana">{o.nameKana}</div>
            </td>
            <td>{o.kindLabel}</td>
            <td>{[o.postalCode && `〒${o.postalCode}`, o.address].filter(Boolean).join(" ")}</td>
            <td>{o.phone}</td>
            <td>{o.representative ?? "—"}</td>
            <td>
              {o.pledgedAt ? `${day(o.pledgedAt)}（${o.pledgeVersion ?? ""}）` : "—"}{" "}
              <a href={adminHref("print", "4-1", o.id)}>{ta("a.print")}</a>
            </td>
            <td class="a-num">{o.activeUsers}</td>
          </tr>
        )}
      </ListTable>
      <Section title={ta("office.add")}>
        <form onSubmit={add} noValidate class="admin-form-grid">
          <Input id="office-name" label={ta("office.name")} value={form.name} onValue={set("name")} required />
          <Input id="office-name-kana" label={ta("office.nameKana")} value={form.nameKana} onValue={set("nameKana")} />
          <Select id="office-kind" label={ta("office.kind")} value={form.kind} onValue={set("kind")} options={OFFICE_KINDS.map(([value, l]) => ({ value, label: l }))} required />
          <Input id="office-postal" label={ta("office.postalCode")} value={form.postalCode} onValue={set("postalCode")} />
          <Input id="office-address" label={ta("office.address")} value={form.address} onValue={set("address")} />
          <Input id="office-phone" label={ta("office.phone")} value={form.phone} onValue={set("phone")} type="tel" />
          <Input id="office-fax" label={ta("office.fax")} value={form.fax} onValue={set("fax")} type="tel" />
          <ErrorBox error={actionError} testId="office-error" />
          <div>
            <button type="submit" class="primary" data-testid="office-add">
              {ta("office.add")}
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}

// -- rooms -------------------------------------------------------------------------------------

export function Rooms() {
  const [status, setStatus] = useState("open");
  const { data, error } = useLoad(() => adminApi.rooms(status || undefined), [status]);
  return (
    <div data-testid="admin-rooms">
      <h1>{ta("rooms.heading")}</h1>
      <div class="admin-filters">
        <Select id="rooms-status" label={ta("ledger.status")} value={status} onValue={setStatus} placeholder={ta("a.all")} options={["open", "closed"].map((s) => ({ value: s, label: label("rooms.status", s) }))} />
        <div class="admin-filter-buttons">
          <a class="button secondary" href={adminHref("new-room")} data-testid="room-new">
            {ta("rooms.new")}
          </a>
        </div>
      </div>
      <ListTable rows={data} error={error} headers={[ta("rooms.patient"), ta("rooms.label"), ta("rooms.members"), ta("rooms.opened"), ta("ledger.status")]}>
        {(r) => (
          <tr key={r.id} data-testid="admin-room-row">
            <td>
              <a href={adminHref("rooms", r.id)}>{r.patientName}</a>
              <div class="a-kana">{r.patientNameKana}</div>
            </td>
            <td>{r.label ?? "—"}</td>
            <td class="a-num">{r.memberCount}</td>
            <td>{day(r.openedAt)}</td>
            <td>
              {label("rooms.status", r.status)}
              {r.closingRequested && <span class="a-badge a-badge-warn"> {ta("rooms.closingRequested")}</span>}
            </td>
          </tr>
        )}
      </ListTable>
    </div>
  );
}

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
                    <option value="write">{ta("room.perm.write")}</option>
                    <option value="read">{ta("room.perm.read")}</option>
                  </select>
                ) : (
                  label("room.perm", m.permission)
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
      <Select id="member-perm" label={ta("room.permission")} value={permission} onValue={setPermission} options={[{ value: "write", label: ta("room.perm.write") }, { value: "read", label: ta("room.perm.read") }]} />
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
      {!closingRequestId && <Select id={`close-reason-${roomId}`} label={ta("room.closeReason")} value={reason} onValue={setReason} options={REASONS.map((r) => ({ value: r, label: label("reason", r) }))} />}
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
              [ta("p.sex"), label("p.sex", p.sex)],
              [ta("p.birthDate"), `${p.birthDateEra.text}（${p.birthDate}）`],
              [ta("p.address"), [p.postalCode && `〒${p.postalCode}`, p.address].filter(Boolean).join(" ")],
              [ta("p.phone"), p.phone],
              [ta("p.careLevel"), p.careLevelLabel],
              [ta("p.insuredNumber"), p.insuredNumber],
              [ta("ledger.status"), label("rooms.status", r.status)],
              [ta("rooms.opened"), dateTime(r.openedAt)],
              [ta("rooms.closed"), r.closedAt ? `${dateTime(r.closedAt)} ${label("reason", r.closedReason)}` : ""],
            ]}
          />
        </Section>
        <Section title={ta("room.consent")}>
          {r.consent ? (
            <Facts
              rows={[
                [ta("room.consentDate"), day(r.consent.date)],
                [ta("room.signedBy"), label("room.signedBy", r.consent.signedBy) + (r.consent.proxyName ? `：${r.consent.proxyName}（${r.consent.proxyRelationship ?? ""}）` : "")],
                [ta("room.explainedBy"), r.consent.explainedBy],
              ]}
            />
          ) : (
            <p>{ta("room.noConsent")}</p>
          )}
        </Section>
      </div>
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
    </div>
  );
}

// -- closing requests --------------------------------------------------------------------------

export function ClosingRequests() {
  const { data, error, reload } = useLoad(() => adminApi.closingRequests());
  return (
    <div data-testid="admin-closing">
      <h1>{ta("closing.heading")}</h1>
      <p class="hint">{ta("closing.intro")}</p>
      {!data ? (
        <Loading error={error} />
      ) : data.length === 0 ? (
        <p class="admin-empty">{ta("a.empty")}</p>
      ) : (
        <ul class="closing-list">
          {data.map((c) => (
            <li key={c.postId} class="card" data-testid="closing-row">
              <h2>
                <a href={adminHref("rooms", c.room.id)}>{c.room.label ?? c.room.patientName}</a>
              </h2>
              <Facts
                rows={[
                  [ta("closing.reason"), c.reasonLabel || label("reason", c.reason)],
                  [ta("closing.note"), c.note],
                  [ta("closing.requester"), `${c.requester.name}（${c.requester.jobTypeLabel}・${c.requester.officeName ?? "—"}）`],
                  [ta("closing.at"), dateTime(c.requestedAt)],
                ]}
              />
              <CloseRoom roomId={c.room.id} closingRequestId={c.postId} onClosed={() => reload()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export { FORM_CODES };
