/** Settings: language, sign-in methods, sessions, devices, logout. */
import { useEffect, useState } from "preact/hooks";
import { addPasskey, logout } from "../actions/auth";
import { hrefFor } from "../actions/navigation";
import type { Result } from "../actions/result";
import { endSession, loadDevices, loadSessions, wipeRegisteredDevice, type Loaded } from "../actions/settings";
import { FormError } from "../components/Field";
import { LangSwitch } from "../components/LangSwitch";
import { ScreenHeading } from "../components/ScreenHeading";
import { formatDateTime, t } from "../i18n";
import { useAppState } from "../store";
import type { DeviceInfo, SessionInfo } from "../types";
import { changePasscode, getLockSettings, lock, saveLockSettings } from "../local/session";
import type { LockSettings } from "../db/keystore";
import { LettersToggle, PasscodeInput } from "../components/PasscodeInput";
import { BiometricSection } from "../components/BiometricSection";
import { TemplatesSection } from "./TemplatesSettings";
import { OfflineFilesSection } from "./Documents";

function PasscodeSection() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [settings, setSettings] = useState<LockSettings | null>(null);
  const [letters, setLetters] = useState(false);
  useEffect(() => {
    void getLockSettings().then(setSettings);
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    const result = await changePasscode(current, next, confirm);
    setBusy(false);
    if (!result.ok) setError(result.message);
    else {
      setDone(true);
      setCurrent("");
      setNext("");
      setConfirm("");
    }
  }

  async function setIdle(minutes: number) {
    await saveLockSettings({ idleLockMinutes: minutes });
    setSettings(await getLockSettings());
  }

  return (
    <section class="card" aria-labelledby="passcode-heading">
      <h2 id="passcode-heading">{t("passcode.settingsHeading")}</h2>
      <p class="hint">{t("passcode.settingsIntro", { n: settings?.maxPasscodeAttempts ?? 5 })}</p>
      {settings && (
        <div class="field">
          <label for="idle-minutes">{t("passcode.idleLabel")}</label>
          <select id="idle-minutes" value={String(settings.idleLockMinutes)} onChange={(e) => void setIdle(Number(e.currentTarget.value))}>
            {[1, 2, 5, 10, 15].map((m) => (
              <option key={m} value={String(m)}>
                {t("passcode.minutes", { n: m })}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="button" class="secondary" data-testid="lock-now" onClick={() => lock("idle")}>
        {t("passcode.lockNow")}
      </button>
      <form onSubmit={submit} noValidate class="passcode-change">
        <h3>{t("passcode.change")}</h3>
        <LettersToggle letters={letters} onLetters={setLetters} />
        <PasscodeInput id="passcode-current" testId="passcode-current" label={t("passcode.current")} value={current} onValue={setCurrent} letters={letters} />
        <PasscodeInput id="passcode-next" testId="passcode-next" label={t("passcode.new")} value={next} onValue={setNext} letters={letters} />
        <PasscodeInput id="passcode-next-confirm" testId="passcode-next-confirm" label={t("passcode.confirm")} value={confirm} onValue={setConfirm} letters={letters} />
        <FormError message={error} testId="passcode-change-error" />
        {done && <p role="status">{t("passcode.changed")}</p>}
        <button type="submit" class="secondary" disabled={busy}>
          {t("passcode.changeSubmit")}
        </button>
      </form>
    </section>
  );
}

function useLoaded<T>(loader: () => Promise<Loaded<T>>): [Loaded<T> | null, () => void] {
  const [value, setValue] = useState<Loaded<T> | null>(null);
  const reload = () => {
    void loader().then(setValue);
  };
  useEffect(reload, []);
  return [value, reload];
}

function SecuritySection() {
  const { me } = useAppState();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!me) return null;

  async function add() {
    setBusy(true);
    setError(null);
    const result = await addPasskey();
    setBusy(false);
    if (!result.ok) setError(result.message);
  }

  return (
    <section class="card" aria-labelledby="security-heading">
      <h2 id="security-heading">{t("settings.security")}</h2>
      <p>{me.factors.totp ? t("settings.totpOn") : t("settings.totpOff")}</p>
      <h3>{t("settings.passkeys")}</h3>
      {me.factors.passkeys.length === 0 ? (
        <p class="hint">{t("settings.noPasskeys")}</p>
      ) : (
        <ul class="plain-list">
          {me.factors.passkeys.map((p) => (
            <li key={p.id}>
              {t("settings.passkeyCreated", { date: formatDateTime(p.createdAt) })}
              {" / "}
              {t("settings.passkeyLastUsed", { date: formatDateTime(p.lastUsedAt) })}
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="secondary" data-testid="settings-add-passkey" disabled={busy} onClick={() => void add()}>
        {t("settings.addPasskey")}
      </button>
      <FormError message={error} testId="settings-error" />
    </section>
  );
}

function SessionsSection() {
  const [sessions, reload] = useLoaded(loadSessions);
  const [error, setError] = useState<string | null>(null);

  async function end(session: SessionInfo) {
    setError(null);
    const result: Result = await endSession(session);
    if (!result.ok) setError(result.message);
    else if (!session.current) reload();
  }

  return (
    <section class="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t("settings.sessions")}</h2>
      {sessions === null && <p class="hint">{t("common.loading")}</p>}
      {sessions && !sessions.ok && <FormError message={sessions.message} testId="sessions-error" />}
      {sessions?.ok && (
        <ul class="item-list" data-testid="sessions-list">
          {sessions.value.length === 0 && <li class="hint">{t("settings.noSessions")}</li>}
          {sessions.value.map((s) => (
            <li key={s.id} data-current={s.current ? "true" : undefined}>
              <div class="item-text">
                {s.current && <strong class="badge">{t("settings.sessionCurrent")}</strong>}
                <span class="ua">{s.userAgent ?? ""}</span>
                <span>{t("settings.sessionStarted", { date: formatDateTime(s.createdAt) })}</span>
                <span>{t("settings.sessionLastSeen", { date: formatDateTime(s.lastSeenAt) })}</span>
                {s.ip && <span>{t("settings.sessionIp", { ip: s.ip })}</span>}
              </div>
              <button type="button" class="secondary" onClick={() => void end(s)}>
                {t("settings.endSession")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError message={error} testId="sessions-error" />
    </section>
  );
}

function DeviceItem({ device, onWiped, onError }: { device: DeviceInfo; onWiped: () => void; onError: (m: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function wipe() {
    setBusy(true);
    const result = await wipeRegisteredDevice(device);
    setBusy(false);
    setConfirming(false);
    if (!result.ok) onError(result.message);
    else if (!device.current) onWiped();
  }

  return (
    <li data-current={device.current ? "true" : undefined}>
      <div class="item-text">
        <strong>{device.label || t("settings.deviceUnnamed")}</strong>
        {device.current && <span class="badge">{t("settings.deviceCurrent")}</span>}
        {device.wipeRequested && <span class="badge badge-warn">{t("settings.deviceWipePending")}</span>}
        <span>{t("settings.deviceRegistered", { date: formatDateTime(device.createdAt) })}</span>
        <span>{t("settings.sessionLastSeen", { date: formatDateTime(device.lastSeenAt) })}</span>
      </div>
      {!device.wipeRequested &&
        (confirming ? (
          <div class="confirm" role="group" aria-label={t("settings.wipeDevice")}>
            <p>{t("settings.wipeConfirm")}</p>
            <button type="button" class="danger" data-testid="device-wipe-confirm" disabled={busy} onClick={() => void wipe()}>
              {t("settings.wipeConfirmButton")}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
          </div>
        ) : (
          <button type="button" class="secondary" onClick={() => setConfirming(true)}>
            {t("settings.wipeDevice")}
          </button>
        ))}
    </li>
  );
}

function DevicesSection() {
  const [devices, reload] = useLoaded(loadDevices);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="devices-heading">
      <h2 id="devices-heading">{t("settings.devices")}</h2>
      {devices === null && <p class="hint">{t("common.loading")}</p>}
      {devices && !devices.ok && <FormError message={devices.message} testId="devices-error" />}
      {devices?.ok && (
        <ul class="item-list" data-testid="devices-list">
          {devices.value.length === 0 && <li class="hint">{t("settings.noDevices")}</li>}
          {devices.value.map((d) => (
            <DeviceItem key={d.id} device={d} onWiped={reload} onError={setError} />
          ))}
        </ul>
      )}
      <FormError message={error} testId="devices-error" />
    </section>
  );
}

export function Settings() {
  return (
    <div class="settings">
      <div class="settings-head">
        <ScreenHeading text={t("settings.heading")} />
        <a href={hrefFor("home")}>{t("settings.back")}</a>
      </div>
      <section class="card" aria-labelledby="language-heading">
        <h2 id="language-heading">{t("settings.language")}</h2>
        <LangSwitch id="lang-settings" />
      </section>
      <PasscodeSection />
      <BiometricSection />
      <section class="card" aria-labelledby="notifications-heading">
        <h2 id="notifications-heading">{t("push.heading")}</h2>
        <a class="button secondary" href={hrefFor("notifications")} data-testid="notifications-link">
          {t("push.open")}
        </a>
      </section>
      <TemplatesSection />
      <OfflineFilesSection />
      <section class="card" aria-labelledby="help-heading">
        <h2 id="help-heading">{t("settings.help")}</h2>
        <p class="hint">{t("settings.helpIntro")}</p>
        <a class="button secondary" href={hrefFor("help")} data-testid="settings-help">
          {t("settings.helpOpen")}
        </a>
      </section>
      <SecuritySection />
      <SessionsSection />
      <DevicesSection />
      <section class="card" aria-labelledby="account-heading">
        <h2 id="account-heading">{t("settings.account")}</h2>
        <button type="button" class="danger" data-testid="settings-logout" onClick={() => void logout()}>
          {t("settings.logout")}
        </button>
      </section>
    </div>
  );
}
