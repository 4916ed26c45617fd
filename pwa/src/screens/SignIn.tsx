/** Step one: login ID and password, and whom to call when that fails. */
import { useEffect, useState } from "preact/hooks";
import { signIn } from "../actions/auth";
import { loadPublicHelp } from "../actions/help";
import { Field, FormError } from "../components/Field";
import { HelpContacts } from "../components/HelpContacts";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import type { PublicHelp } from "../types";

/** Forgot the password, locked out, lost the tablet: the city's published contact points. */
function SignInHelp() {
  const [help, setHelp] = useState<PublicHelp | null>(null);
  useEffect(() => {
    loadPublicHelp().then(
      (fetched) => setHelp(fetched.value),
      () => undefined,
    );
  }, []);
  if (!help || (!help.signInNote && help.contacts.length === 0)) return null;
  return (
    <section class="signin-help" aria-labelledby="signin-help-heading" data-testid="signin-help">
      <h2 id="signin-help-heading">{t("help.signInHeading")}</h2>
      {help.signInNote && <p>{help.signInNote}</p>}
      <HelpContacts contacts={help.contacts} />
    </section>
  );
}

export function SignIn() {
  const [loginId, setLoginId] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!loginId.trim() || !password) {
      setError(t("signin.missing"));
      return;
    }
    setBusy(true);
    setError(null);
    const result = await signIn(loginId.trim(), password);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      setPassword("");
    }
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("signin.heading")} />
      <form onSubmit={submit} noValidate>
        <Field
          id="login-id"
          testId="login-id"
          label={t("signin.loginId")}
          value={loginId}
          onValue={setLoginId}
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
        />
        <Field
          id="login-password"
          testId="login-password"
          label={t("signin.password")}
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
        <FormError message={error} testId="login-error" />
        <button type="submit" class="primary" data-testid="login-submit" disabled={busy}>
          {busy ? t("signin.submitting") : t("signin.submit")}
        </button>
      </form>
      <SignInHelp />
    </section>
  );
}
