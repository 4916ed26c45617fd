/**
 * Admin accounts (管理者アカウント): the city's clerks (ユーザー管理者（市）), created by the
 * activation mail and retired like an ID stop; operators are listed, not managed, here.
 */
import { useState } from "preact/hooks";
import { addNotice, useAppState } from "../../store";
import { ConfirmStep } from "../confirm";
import { deskApi, type Clerk } from "../deskApi";
import { ta } from "../messages";
import { dateTime, ErrorBox, Input, ListTable, Section, useLoad } from "../ui";

const EMPTY = { name: "", nameKana: "", email: "", phone: "" };

export function ClerkAccounts() {
  const { me } = useAppState();
  const list = useLoad(() => deskApi.clerks());
  const [form, setForm] = useState(EMPTY);
  const [addError, setAddError] = useState<unknown>(null);
  const [retiring, setRetiring] = useState<Clerk | null>(null);
  const [reason, setReason] = useState("");
  const [retireError, setRetireError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof EMPTY) => (v: string) => setForm({ ...form, [k]: v });

  async function add(e: Event) {
    e.preventDefault();
    setAddError(null);
    setBusy(true);
    try {
      const body = { name: form.name.trim(), email: form.email.trim(), ...(form.nameKana.trim() ? { nameKana: form.nameKana.trim() } : {}), ...(form.phone.trim() ? { phone: form.phone.trim() } : {}) };
      const clerk = await deskApi.createClerk(body);
      addNotice("success", ta("clerks.added", { name: clerk.name }));
      setForm(EMPTY);
      list.reload();
    } catch (err) {
      setAddError(err);
    } finally {
      setBusy(false);
    }
  }

  async function retire(c: Clerk) {
    setRetireError(null);
    setBusy(true);
    try {
      await deskApi.retireClerk(c.id, reason.trim() || "異動・退職");
      addNotice("success", ta("clerks.retired", { name: c.name }));
      setReason("");
      list.reload();
    } catch (err) {
      setRetireError(err);
    } finally {
      setBusy(false);
      setRetiring(null);
    }
  }

  return (
    <div data-testid="admin-clerks">
      <h1>{ta("clerks.heading")}</h1>
      <p class="hint">{ta("clerks.lead")}</p>
      <ErrorBox error={retireError} testId="clerk-retire-error" />
      <ListTable rows={list.data} error={list.error} stack headers={[ta("ledger.name"), ta("ledger.loginId"), ta("ledger.role"), ta("ledger.status"), ta("desk.email"), ta("desk.lastSignIn"), ta("a.actions")]}>
        {(c) => (
          <tr key={c.id} data-testid="clerk-row" data-login={c.loginId} data-status={c.status}>
            <td>
              {c.name}
              <div class="a-kana">{c.nameKana}</div>
            </td>
            <td data-label={ta("ledger.loginId")}>{c.loginId}</td>
            <td data-label={ta("ledger.role")}>{c.roleLabel}</td>
            <td data-label={ta("ledger.status")}>
              <span class={`a-badge a-badge-${c.status}`} data-testid="clerk-status">
                {c.statusLabel}
              </span>
            </td>
            <td data-label={ta("desk.email")}>{c.email}</td>
            <td data-label={ta("desk.lastSignIn")}>{c.lastSignInAt ? dateTime(c.lastSignInAt) : ta("desk.never")}</td>
            <td>
              {c.role === "municipal_admin" && c.status !== "stopped" && c.id !== me?.user.id && (
                <button type="button" class="danger" data-testid="clerk-retire" disabled={busy} onClick={() => setRetiring(c)}>
                  {ta("clerks.retire")}
                </button>
              )}
              {retiring?.id === c.id && (
                <>
                  <Input id="clerk-retire-reason" label={ta("clerks.retireReason")} value={reason} onValue={setReason} />
                  <ConfirmStep question={ta("clerks.retireConfirm", { who: `${c.name}（${c.loginId}）` })} busy={busy} onYes={() => void retire(c)} onNo={() => setRetiring(null)} testId="confirm-retire" />
                </>
              )}
            </td>
          </tr>
        )}
      </ListTable>
      <p class="hint">{ta("clerks.operatorNote")}</p>
      <Section title={ta("clerks.add")} testId="clerk-add">
        <form onSubmit={add} noValidate class="admin-form-grid">
          <Input id="clerk-name" label={ta("p.name")} value={form.name} onValue={set("name")} required />
          <Input id="clerk-kana" label={ta("p.nameKana")} value={form.nameKana} onValue={set("nameKana")} />
          <Input id="clerk-email" label={ta("desk.email")} type="email" value={form.email} onValue={set("email")} required />
          <Input id="clerk-phone" label={ta("p.phone")} type="tel" value={form.phone} onValue={set("phone")} />
          <ErrorBox error={addError} testId="clerk-error" />
          <div>
            <button type="submit" class="primary" data-testid="clerk-submit" disabled={busy}>
              {ta("clerks.add")}
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}
