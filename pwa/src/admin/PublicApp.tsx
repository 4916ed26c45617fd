/**
 * Pages for people without an account, reached from an e-mail link:
 * `/invite/<token>` (the ID application and the 様式4-2 pledge) and
 * `/activate/<token>` (set a password; sign-in then asks for a second factor).
 * Loaded lazily by `../App.tsx` so the nurse app's start-up does not carry them.
 */
import { useState } from "preact/hooks";
import { ScreenHeading } from "../components/ScreenHeading";
import { useAppState } from "../store";
import "./admin.css";
import { adminApi, type InvitationPublic } from "./api";
import { publicRoute } from "./helpers";
import { ta } from "./messages";
import { dateTime, ErrorBox, Input, Loading, Select, useLoad } from "./ui";

function InviteForm({ token, invitation }: { token: string; invitation: InvitationPublic }) {
  const [f, setF] = useState({ name: invitation.name, nameKana: "", jobType: "", email: invitation.email, phone: "", officeId: invitation.office.id });
  const [accepted, setAccepted] = useState(false);
  // 訪問診療・訪問看護を行う: asked of doctors and nurses only, ticked beforehand where the
  // office kind makes it usual (a home-visit clinic's doctor, a visiting nurse station's nurse).
  const [visits, setVisits] = useState<boolean | null>(null);
  const mayVisit = f.jobType === "doctor" || f.jobType === "nurse";
  const officeKind = invitation.offices.find((o) => o.id === f.officeId)?.kind;
  const usual =
    (f.jobType === "doctor" && officeKind === "home_visit_clinic") || (f.jobType === "nurse" && officeKind === "visiting_nurse_station");
  const visitsHomes = visits ?? usual;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    if (!accepted) {
      setError(new Error(ta("invite.mustAccept")));
      return;
    }
    setBusy(true);
    try {
      await adminApi.apply(token, {
        name: f.name.trim(),
        nameKana: f.nameKana.trim(),
        jobType: f.jobType,
        email: f.email.trim(),
        phone: f.phone.trim(),
        officeId: f.officeId,
        pledge: { version: invitation.pledge.version, accepted: true },
        ...(mayVisit ? { visitsHomes } : {}),
      });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <p class="notice notice-success" role="status" data-testid="invite-done">
        {ta("invite.done")}
      </p>
    );
  }
  return (
    <form onSubmit={submit} noValidate data-testid="invite-form">
      <p>{ta("invite.intro", { name: invitation.name, office: invitation.office.name })}</p>
      <p class="hint">{ta("invite.expires", { date: dateTime(invitation.expiresAt) })}</p>
      <div class="admin-form-grid">
        <Input id="apply-name" label={ta("p.name")} value={f.name} onValue={set("name")} required autoComplete="name" />
        <Input id="apply-kana" label={ta("p.nameKana")} value={f.nameKana} onValue={set("nameKana")} required />
        <Select id="apply-office" label={ta("p.office")} value={f.officeId} onValue={set("officeId")} options={invitation.offices.map((o) => ({ value: o.id, label: o.name }))} required />
        <Select id="apply-jobtype" label={ta("p.jobType")} value={f.jobType} onValue={set("jobType")} placeholder="—" options={invitation.jobTypes.map((j) => ({ value: j.code, label: j.label }))} required />
        <Input id="apply-email" label={ta("p.email")} type="email" value={f.email} onValue={set("email")} required autoComplete="email" />
        <Input id="apply-phone" label={ta("p.phone")} type="tel" value={f.phone} onValue={set("phone")} autoComplete="tel" />
        {mayVisit && (
          <div class="field">
            <label class="a-check">
              <input type="checkbox" data-testid="apply-visits" checked={visitsHomes} onChange={(e) => setVisits((e.currentTarget as HTMLInputElement).checked)} /> {ta("fix.visitsHomes")}
            </label>
            <p class="hint">{ta("fix.visitsHomesHint")}</p>
          </div>
        )}
      </div>
      <section class="admin-section">
        <h2>{ta("invite.pledge")}</h2>
        <pre class="pledge-text" data-testid="pledge-text">{invitation.pledge.text}</pre>
        <label class="a-check">
          <input type="checkbox" data-testid="apply-accept" checked={accepted} onChange={(e) => setAccepted((e.currentTarget as HTMLInputElement).checked)} /> {ta("invite.accept")}
        </label>
      </section>
      <ErrorBox error={error} testId="apply-error" />
      <button type="submit" class="primary" data-testid="apply-submit" disabled={busy}>
        {ta("invite.submit")}
      </button>
    </form>
  );
}

function InvitePage({ token }: { token: string }) {
  const { data, error } = useLoad(() => adminApi.invitation(token), [token]);
  return (
    <section class="card public-card" data-testid="invite-page">
      <ScreenHeading text={ta("invite.heading")} />
      {error ? (
        <>
          <p>{ta("invite.invalid")}</p>
          <ErrorBox error={error} testId="invite-invalid" />
        </>
      ) : data ? (
        <InviteForm token={token} invitation={data} />
      ) : (
        <Loading />
      )}
    </section>
  );
}

function ActivatePage({ token }: { token: string }) {
  const { data, error } = useLoad(() => adminApi.activation(token), [token]);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setActionError(null);
    if (password !== confirm) {
      setActionError(new Error(ta("activate.mismatch")));
      return;
    }
    setBusy(true);
    try {
      const result = await adminApi.activate(token, password);
      setDone(result.loginId);
    } catch (err) {
      setActionError(err);
      setConfirm("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card public-card" data-testid="activate-page">
      <ScreenHeading text={ta("activate.heading")} />
      {done ? (
        <>
          <p class="notice notice-success" role="status" data-testid="activate-done">
            {ta("activate.done")}
          </p>
          <p>
            <a class="button primary" href="/" data-testid="activate-signin">
              {ta("activate.signIn")}
            </a>
          </p>
        </>
      ) : error ? (
        <>
          <p>{ta("activate.invalid")}</p>
          <ErrorBox error={error} testId="activate-invalid" />
        </>
      ) : !data ? (
        <Loading />
      ) : (
        <form onSubmit={submit} noValidate>
          <p>{ta("activate.intro", { name: data.name, loginId: data.loginId })}</p>
          <input type="text" class="visually-hidden" autoComplete="username" value={data.loginId} readOnly tabIndex={-1} aria-hidden="true" />
          <Input id="activate-password" label={ta("activate.password")} type="password" value={password} onValue={setPassword} required autoComplete="new-password" hint={ta("activate.hint")} />
          <Input id="activate-confirm" label={ta("activate.confirm")} type="password" value={confirm} onValue={setConfirm} required autoComplete="new-password" />
          <ErrorBox error={actionError} testId="activate-error" />
          <button type="submit" class="primary" data-testid="activate-submit" disabled={busy}>
            {ta("activate.submit")}
          </button>
        </form>
      )}
    </section>
  );
}

export default function PublicApp() {
  useAppState(); // re-render on language changes
  const route = publicRoute(location.pathname, location.hash);
  if (!route) return null;
  return route.page === "invite" ? <InvitePage token={route.token} /> : <ActivatePage token={route.token} />;
}
