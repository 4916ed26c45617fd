/** Step two: a TOTP code, a passkey, or either (`choose`). */
import { useState } from "preact/hooks";
import { signInWithPasskey, submitTotp } from "../actions/auth";
import { showScreen } from "../actions/navigation";
import type { Result } from "../actions/result";
import { CodeField, FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { useAppState } from "../store";

export function SecondFactor() {
  const { factor } = useAppState();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const showTotp = factor === "totp" || factor === "choose";
  const showPasskey = factor === "webauthn" || factor === "choose";

  async function run(work: () => Promise<Result>) {
    setBusy(true);
    setError(null);
    const result = await work();
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      setCode("");
    }
  }

  function submitCode(e: Event) {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code)) {
      setError(t("factor.codeFormat"));
      return;
    }
    void run(() => submitTotp(code));
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("factor.heading")} />
      <p>{t("factor.intro")}</p>
      {showTotp && (
        <form onSubmit={submitCode} noValidate>
          <CodeField
            id="totp-code"
            testId="totp-code"
            label={t("factor.totpLabel")}
            hint={t("factor.totpHint")}
            value={code}
            onValue={setCode}
          />
          <button type="submit" class="primary" data-testid="totp-submit" disabled={busy}>
            {t("factor.totpSubmit")}
          </button>
        </form>
      )}
      {showTotp && showPasskey && <p class="divider">{t("factor.or")}</p>}
      {showPasskey && (
        <div class="passkey-block">
          <p class="hint">{t("factor.passkeyHint")}</p>
          <button
            type="button"
            class={showTotp ? "secondary" : "primary"}
            data-testid="passkey-signin"
            disabled={busy}
            onClick={() => void run(signInWithPasskey)}
          >
            {t("factor.passkey")}
          </button>
        </div>
      )}
      <FormError message={error} testId="login-error" />
      <button type="button" class="link" onClick={() => showScreen("signIn")}>
        {t("factor.backToSignIn")}
      </button>
    </section>
  );
}
