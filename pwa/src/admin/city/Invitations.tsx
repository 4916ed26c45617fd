/** Invitations: send, list, revoke. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi, type Invitation } from "../api";
import { adminHref } from "../helpers";
import { label, ta } from "../messages";
import { dateTime, ErrorBox, Input, ListTable, Section, Select, useLoad } from "../ui";
import { officeOptions } from "./shared";

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
