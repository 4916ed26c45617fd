/** First sign-in: register a second factor, TOTP or a passkey. */
import { useState } from "preact/hooks";
import { confirmTotpEnrollment, enrollPasskey, startTotpEnrollment, type TotpSetup } from "../actions/auth";
import type { Result } from "../actions/result";
import { utf8ToBase64 } from "../base64";
import { CodeField, FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";

/** The secret in groups of four, for typing by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, "").match(/.{1,4}/g) ?? []).join(" ");
}

export function Enroll() {
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(work: () => Promise<Result>) {
    setBusy(true);
    setError(null);
    const result = await work();
    setBusy(false);
    if (!result.ok) setError(result.message);
  }

  async function chooseTotp() {
    setBusy(true);
    setError(null);
    const result = await startTotpEnrollment();
    setBusy(false);
    if (result.ok) setSetup(result.setup);
    else setError(result.message);
  }

  function confirm(e: Event) {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code)) {
      setError(t("factor.codeFormat"));
      return;
    }
    void run(() => confirmTotpEnrollment(code));
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("enroll.heading")} />
      {!setup ? (
        <>
          <p>{t("enroll.intro")}</p>
          <div class="choices">
            <button type="button" class="choice" data-testid="enroll-totp" disabled={busy} onClick={() => void chooseTotp()}>
              <strong>{t("enroll.chooseTotp")}</strong>
              <span>{t("enroll.chooseTotpHint")}</span>
            </button>
            <button
              type="button"
              class="choice"
              data-testid="enroll-passkey"
              disabled={busy}
              onClick={() => void run(enrollPasskey)}
            >
              <strong>{t("enroll.choosePasskey")}</strong>
              <span>{t("enroll.choosePasskeyHint")}</span>
            </button>
          </div>
          {busy && <p class="hint">{t("enroll.passkeyWorking")}</p>}
        </>
      ) : (
        <form onSubmit={confirm} noValidate>
          <p>{t("enroll.scan")}</p>
          <img
            class="qr"
            data-testid="enroll-qr"
            src={`data:image/svg+xml;base64,${utf8ToBase64(setup.qrSvg)}`}
            alt={t("enroll.qrAlt")}
            width="220"
            height="220"
          />
          <p class="secret-label" id="enroll-secret-label">
            {t("enroll.secretLabel")}
          </p>
          <p class="secret" data-testid="enroll-secret" aria-labelledby="enroll-secret-label" translate={false}>
            {groupSecret(setup.secret)}
          </p>
          <CodeField id="enroll-code" testId="enroll-code" label={t("enroll.codeLabel")} value={code} onValue={setCode} />
          <button type="submit" class="primary" data-testid="enroll-confirm" disabled={busy}>
            {t("enroll.confirm")}
          </button>
          <button
            type="button"
            class="link"
            onClick={() => {
              setSetup(null);
              setCode("");
              setError(null);
            }}
          >
            {t("enroll.back")}
          </button>
        </form>
      )}
      <FormError message={error} testId="login-error" />
    </section>
  );
}
