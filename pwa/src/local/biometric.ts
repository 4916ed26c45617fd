/**
 * Biometric unlock's set-up: the data key wrapped under the WebAuthn PRF
 * output of a platform credential made on this device (crypto/prf.ts), with
 * the passcode as the fallback, which must then be the long kind. The unlock
 * itself is in session.ts (`unlockWithBiometrics`), beside every other unlock.
 */
import { t } from "../i18n";
import { forget, openWithPasscode, passcodeSlot, secretSlot, WrongPasscodeError, type KeySlots, type OpenedKey } from "../crypto/keys";
import { isLongPasscode } from "../crypto/passcode";
import { enrolPrf, platformAuthenticatorAvailable, PrfUnavailableError } from "../crypto/prf";
import { readDeviceKey, writeDeviceKey } from "../db/keystore";
import { navigate } from "../actions/navigation";
import { addNotice, getState } from "../store";
import { problemText, type PasscodeResult } from "./passcodeText";

/** What the lock screen and Settings show: biometric unlock set up (device-bound or synced), a passcode with letters. */
export async function biometricState(): Promise<{ enabled: boolean; deviceBound: boolean; longPasscode: boolean }> {
  const record = await readDeviceKey().catch(() => null);
  if (!record || record.wrapped.v !== 2) return { enabled: false, deviceBound: false, longPasscode: false };
  const prf = record.wrapped.prf;
  return { enabled: !!prf, deviceBound: prf?.deviceBound ?? false, longPasscode: record.wrapped.passcode.long };
}

/**
 * Turns biometric unlock on. The passcode becomes the fallback and must be the
 * long kind: a short current one has to be replaced (`next`) in the same step.
 */
export async function enableBiometrics(current: string, next: string, confirm: string): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  const me = getState().me;
  if (!record || !me) return { ok: false, message: t("error.generic") };
  const replacing = next !== "" || !isLongPasscode(current);
  if (replacing) {
    const problem = problemText(next, { fallback: true });
    if (problem) return { ok: false, message: problem };
    if (next !== confirm) return { ok: false, message: t("passcode.mismatch") };
  }
  let opened: OpenedKey & { migrated: KeySlots | null };
  try {
    opened = await openWithPasscode(current, record.wrapped);
  } catch (error) {
    if (error instanceof WrongPasscodeError) return { ok: false, message: t("passcode.currentWrong") };
    throw error;
  }
  try {
    const base: KeySlots = opened.migrated ?? (record.wrapped as KeySlots);
    let enrolment;
    try {
      enrolment = await enrolPrf(`${me.user.loginId} (${t("biometric.credentialName")})`, me.user.name);
    } catch (error) {
      if (error instanceof PrfUnavailableError) return { ok: false, message: t(`biometric.${error.reason}`) };
      throw error;
    }
    const slot = await secretSlot(enrolment.secret, opened.raw, "prf");
    enrolment.secret.fill(0);
    const wrapped: KeySlots = {
      ...base,
      passcode: replacing ? await passcodeSlot(next, opened.raw) : base.passcode,
      prf: { ...slot, credentialId: enrolment.credentialId, prfSalt: enrolment.prfSalt, deviceBound: enrolment.deviceBound },
    };
    await writeDeviceKey({ ...record, wrapped });
    return { ok: true };
  } finally {
    forget(opened);
  }
}

/** Turns biometric unlock off: only the passcode (and the recovery slot) remain. */
export async function disableBiometrics(): Promise<void> {
  const record = await readDeviceKey();
  if (!record || record.wrapped.v !== 2 || !record.wrapped.prf) return;
  const { prf: _dropped, ...rest } = record.wrapped;
  await writeDeviceKey({ ...record, wrapped: rest });
}


/** Where the device has a platform authenticator, points to biometric unlock once the passcode is set. */
export async function offerBiometrics(): Promise<void> {
  if (!(await platformAuthenticatorAvailable()) || (await biometricState()).enabled) return;
  addNotice("info", t("biometric.offer"), {
    durationMs: 20_000,
    action: { label: t("biometric.offerAction"), run: () => navigate("settings") },
  });
}
