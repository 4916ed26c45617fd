/**
 * The device passcode: set it (first sign-in here, or a new one after a
 * forgotten passcode and a full sign-in), enter it or use biometrics (start,
 * idle), or wait for the server. 「パスコードを忘れた場合」 first shows how many
 * records have not been sent yet, then offers to keep them (sign in again)
 * or, after a confirmation naming that count, to erase the device.
 */
import { useEffect, useState } from "preact/hooks";
import { FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { MIN_PASSCODE_LENGTH } from "../crypto/passcode";
import { LettersToggle, PasscodeInput } from "../components/PasscodeInput";
import { preloadKdf } from "../crypto/kdf";
import { biometricState } from "../local/biometric";
import {
  checkServer,
  forgotPasscodeFacts,
  isResettingPasscode,
  setPasscode,
  startPasscodeRecovery,
  unlock,
  unlockWithBiometrics,
  wipeForForgottenPasscode,
} from "../local/session";
import { useAppState } from "../store";

export function SetPasscode() {
  const [code, setCode] = useState("");
  const [confirm, setConfirm] = useState("");
  const [letters, setLetters] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resetting = isResettingPasscode();
  useEffect(preloadKdf, []);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await setPasscode(code, confirm);
    setBusy(false);
    if (!result.ok) setError(result.message);
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t(resetting ? "passcode.resetHeading" : "passcode.setHeading")} />
      <p data-testid="passcode-intro">{t(resetting ? "passcode.resetIntro" : "passcode.setIntro")}</p>
      <form onSubmit={submit} noValidate>
        <LettersToggle letters={letters} onLetters={setLetters} />
        <PasscodeInput id="passcode-new" testId="passcode-new" label={t("passcode.new")} hint={t("passcode.rules", { n: MIN_PASSCODE_LENGTH })} value={code} onValue={setCode} letters={letters} autoFocus />
        <PasscodeInput id="passcode-confirm" testId="passcode-confirm" label={t("passcode.confirm")} value={confirm} onValue={setConfirm} letters={letters} />
        <FormError message={error} testId="passcode-error" />
        <button type="submit" class="primary" data-testid="passcode-submit" disabled={busy}>
          {busy ? t("passcode.working") : t("passcode.setSubmit")}
        </button>
      </form>
    </section>
  );
}

function unsentText(unsent: number | null): string {
  if (unsent === null) return t("forgot.unknown");
  return unsent === 0 ? t("forgot.noUnsent") : t("forgot.unsent", { n: unsent });
}

/** 「パスコードを忘れた場合」: the count first, then keep (sign in again) or erase (confirmed). */
function ForgotPasscode(props: { onBack: () => void }) {
  const [facts, setFacts] = useState<{ unsent: number | null; canKeep: boolean } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void forgotPasscodeFacts().then(setFacts);
  }, []);
  if (!facts) return <p class="hint">{t("common.loading")}</p>;
  const unsent = facts.unsent;
  return (
    <div class="forgot" data-testid="forgot-passcode">
      <h3>{t("forgot.heading")}</h3>
      <p class={unsent ? "notice notice-error" : undefined} data-testid="forgot-unsent">
        {unsentText(unsent)}
      </p>
      {facts.canKeep ? (
        <>
          <p class="hint">{t("forgot.keepIntro")}</p>
          <button type="button" class="primary" data-testid="forgot-keep" onClick={startPasscodeRecovery}>
            {t("forgot.keep")}
          </button>
        </>
      ) : (
        <p class="hint">{t("forgot.cannotKeep")}</p>
      )}
      {confirming ? (
        <div class="confirm" role="group" aria-label={t("forgot.wipe")}>
          <p data-testid="forgot-confirm-text">{unsent ? t("forgot.wipeConfirm", { n: unsent }) : t("forgot.wipeConfirmNone")}</p>
          <button
            type="button"
            class="danger"
            data-testid="forgot-wipe-yes"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void wipeForForgottenPasscode();
            }}
          >
            {t("forgot.wipeYes")}
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            {t("common.cancel")}
          </button>
        </div>
      ) : (
        <button type="button" class="secondary" data-testid="forgot-wipe" onClick={() => setConfirming(true)}>
          {t("forgot.wipe")}
        </button>
      )}
      <button type="button" class="link" onClick={props.onBack}>
        {t("forgot.back")}
      </button>
    </div>
  );
}

export function Unlock() {
  const { lockReason, attemptsLeft, me } = useAppState();
  const [code, setCode] = useState("");
  const [letters, setLetters] = useState(false);
  const [biometric, setBiometric] = useState(false);
  const [forgot, setForgot] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    preloadKdf();
    void biometricState().then((b) => {
      setBiometric(b.enabled);
      // A passcode with letters opens the full keyboard; a numeric one the number pad.
      setLetters(b.longPasscode);
    });
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    if (!code) return;
    setBusy(true);
    setError(null);
    const result = await unlock(code);
    setBusy(false);
    setCode("");
    if (!result.ok) setError(result.message);
  }

  async function withBiometrics() {
    setBusy(true);
    setError(null);
    const result = await unlockWithBiometrics();
    setBusy(false);
    if (!result.ok) setError(result.message);
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("passcode.unlockHeading")} />
      <p>{lockReason === "idle" ? t("passcode.idleIntro") : t("passcode.unlockIntro")}</p>
      {me && <p class="hint">{t("home.greeting", { name: me.user.name })}</p>}
      {forgot ? (
        <ForgotPasscode onBack={() => setForgot(false)} />
      ) : (
        <>
          {biometric && (
            <>
              <button type="button" class="primary" data-testid="unlock-biometric" disabled={busy} onClick={() => void withBiometrics()}>
                {t("biometric.unlock")}
              </button>
              <p class="hint">{t("biometric.or")}</p>
            </>
          )}
          <form onSubmit={submit} noValidate>
            <LettersToggle letters={letters} onLetters={setLetters} />
            <PasscodeInput id="passcode" testId="passcode" label={t("passcode.label")} value={code} onValue={setCode} letters={letters} autoFocus={!biometric} />
            <FormError message={error} testId="passcode-error" />
            {attemptsLeft !== null && !error && <p class="hint">{t("passcode.wrong", { n: attemptsLeft })}</p>}
            <button type="submit" class={biometric ? "secondary" : "primary"} data-testid="unlock-submit" disabled={busy || !code}>
              {busy ? t("passcode.working") : t("passcode.unlock")}
            </button>
          </form>
          <button type="button" class="link" data-testid="forgot-open" onClick={() => setForgot(true)}>
            {t("passcode.forgot")}
          </button>
        </>
      )}
    </section>
  );
}

export function OfflineLocked() {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  async function retry() {
    setBusy(true);
    const ok = await checkServer();
    setBusy(false);
    setFailed(!ok);
  }
  // Unlocks by itself as soon as the server answers.
  useEffect(() => {
    const check = () => void checkServer();
    window.addEventListener("online", check);
    const timer = setInterval(check, 30_000);
    return () => {
      window.removeEventListener("online", check);
      clearInterval(timer);
    };
  }, []);
  return (
    <section class="card auth-card" data-testid="offline-locked">
      <ScreenHeading text={t("offline.lockedHeading")} />
      <p>{t("offline.lockedIntro")}</p>
      {failed && <FormError message={t("error.network")} testId="offline-error" />}
      <button type="button" class="primary" disabled={busy} onClick={() => void retry()}>
        {t("offline.retry")}
      </button>
    </section>
  );
}
