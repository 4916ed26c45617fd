/** The device passcode: set it (first sign-in here), enter it (start, idle), or wait for the server. */
import { useEffect, useState } from "preact/hooks";
import { logout } from "../actions/auth";
import { FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { MIN_PASSCODE_LENGTH } from "../crypto/passcode";
import { checkServer, setPasscode, unlock } from "../local/session";
import { useAppState } from "../store";

function PasscodeInput(props: { id: string; label: string; value: string; onValue: (v: string) => void; testId: string; autoFocus?: boolean; hint?: string }) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        type="password"
        class="code-input"
        inputMode="numeric"
        autoComplete="off"
        pattern="[0-9]*"
        maxLength={12}
        data-testid={props.testId}
        value={props.value}
        aria-describedby={hintId}
        autoFocus={props.autoFocus}
        onInput={(e) => props.onValue(e.currentTarget.value.replace(/\D/g, ""))}
      />
    </div>
  );
}

export function SetPasscode() {
  const [code, setCode] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
      <ScreenHeading text={t("passcode.setHeading")} />
      <p>{t("passcode.setIntro")}</p>
      <form onSubmit={submit} noValidate>
        <PasscodeInput id="passcode-new" testId="passcode-new" label={t("passcode.new")} hint={t("passcode.rules", { n: MIN_PASSCODE_LENGTH })} value={code} onValue={setCode} autoFocus />
        <PasscodeInput id="passcode-confirm" testId="passcode-confirm" label={t("passcode.confirm")} value={confirm} onValue={setConfirm} />
        <FormError message={error} testId="passcode-error" />
        <button type="submit" class="primary" data-testid="passcode-submit" disabled={busy}>
          {busy ? t("passcode.working") : t("passcode.setSubmit")}
        </button>
      </form>
    </section>
  );
}

export function Unlock() {
  const { lockReason, attemptsLeft, me } = useAppState();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("passcode.unlockHeading")} />
      <p>{lockReason === "idle" ? t("passcode.idleIntro") : t("passcode.unlockIntro")}</p>
      {me && <p class="hint">{t("home.greeting", { name: me.user.name })}</p>}
      <form onSubmit={submit} noValidate>
        <PasscodeInput id="passcode" testId="passcode" label={t("passcode.label")} value={code} onValue={setCode} autoFocus />
        <FormError message={error} testId="passcode-error" />
        {attemptsLeft !== null && !error && <p class="hint">{t("passcode.wrong", { n: attemptsLeft })}</p>}
        <button type="submit" class="primary" data-testid="unlock-submit" disabled={busy || !code}>
          {busy ? t("passcode.working") : t("passcode.unlock")}
        </button>
      </form>
      <button type="button" class="link" onClick={() => void logout()}>
        {t("passcode.forgot")}
      </button>
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
