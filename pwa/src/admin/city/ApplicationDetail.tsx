/** One application: what was asked, its history, approve or reject. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi, type UserRef } from "../api";
import { adminHref } from "../helpers";
import { label, ta } from "../messages";
import { dateTime, ErrorBox, Facts, Loading, Section, TextArea, useLoad } from "../ui";

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
