/**
 * Settings → 生体認証でロック解除: offered where the browser has a platform
 * authenticator; turning it on asks for the current passcode (to reach the
 * data key) and, when that passcode is short, a long fallback passcode in the
 * same step (crypto/passcode.ts says why).
 */
import { useEffect, useState } from "preact/hooks";
import { FormError } from "./Field";
import { LettersToggle, PasscodeInput } from "./PasscodeInput";
import { t } from "../i18n";
import { isLongPasscode } from "../crypto/passcode";
import { platformAuthenticatorAvailable } from "../crypto/prf";
import { biometricState, disableBiometrics, enableBiometrics } from "../local/biometric";
import { addNotice } from "../store";

type State = Awaited<ReturnType<typeof biometricState>>;

export function BiometricSection() {
  const [available, setAvailable] = useState(false);
  const [state, setState] = useState<State | null>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [letters, setLetters] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function refresh() {
    setState(await biometricState());
  }
  useEffect(() => {
    void platformAuthenticatorAvailable().then(setAvailable);
    void refresh();
  }, []);

  if (!state || (!available && !state.enabled)) return null;
  // A short current passcode must be replaced by a long one in the same step.
  const needsNew = current !== "" && !isLongPasscode(current);

  async function enable(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await enableBiometrics(current, needsNew ? next : "", needsNew ? confirm : "");
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setCurrent("");
    setNext("");
    setConfirm("");
    addNotice("success", t("biometric.enabled"));
    await refresh();
  }

  async function disable() {
    await disableBiometrics();
    addNotice("success", t("biometric.disabled"));
    await refresh();
  }

  return (
    <section class="card" aria-labelledby="biometric-heading" data-testid="biometric-section">
      <h2 id="biometric-heading">{t("biometric.heading")}</h2>
      <p class="hint">{t("biometric.intro")}</p>
      {state.enabled ? (
        <>
          <p role="status" data-testid="biometric-status">
            {t(state.deviceBound ? "biometric.onDeviceBound" : "biometric.onSynced")}
          </p>
          <button type="button" class="secondary" data-testid="biometric-disable" onClick={() => void disable()}>
            {t("biometric.disable")}
          </button>
        </>
      ) : (
        <form onSubmit={enable} noValidate>
          <LettersToggle letters={letters} onLetters={setLetters} />
          <PasscodeInput id="biometric-current" testId="biometric-current" label={t("biometric.current")} value={current} onValue={setCurrent} letters={letters} />
          {needsNew && (
            <>
              <PasscodeInput id="biometric-next" testId="biometric-next" label={t("biometric.newFallback")} value={next} onValue={setNext} letters={letters} />
              <PasscodeInput id="biometric-confirm" testId="biometric-confirm" label={t("biometric.confirmFallback")} value={confirm} onValue={setConfirm} letters={letters} />
            </>
          )}
          <FormError message={error} testId="biometric-error" />
          <button type="submit" class="secondary" data-testid="biometric-enable" disabled={busy || !current}>
            {busy ? t("passcode.working") : t("biometric.enable")}
          </button>
        </form>
      )}
    </section>
  );
}
