/** Settings: the user's own sessions and devices. */
import { api } from "../api";
import { t } from "../i18n";
import { addNotice } from "../store";
import type { DeviceInfo, SessionInfo } from "../types";
import { leaveAfterEndingOwnSession, leaveAfterOwnDeviceWipe } from "./auth";
import { failure, type Result } from "./result";

export type Loaded<T> = { ok: true; value: T } | (Result & { ok: false });

async function load<T>(call: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return failure(error);
  }
}

export const loadSessions = (): Promise<Loaded<SessionInfo[]>> => load(api.sessions);
export const loadDevices = (): Promise<Loaded<DeviceInfo[]>> => load(api.devices);

export async function endSession(session: SessionInfo): Promise<Result> {
  try {
    await api.endSession(session.id);
  } catch (error) {
    return failure(error);
  }
  if (session.current) await leaveAfterEndingOwnSession();
  else addNotice("success", t("settings.sessionEnded"));
  return { ok: true };
}

export async function wipeRegisteredDevice(device: DeviceInfo): Promise<Result> {
  try {
    await api.wipeDevice(device.id);
  } catch (error) {
    return failure(error);
  }
  if (device.current) await leaveAfterOwnDeviceWipe();
  else addNotice("success", t("settings.deviceWiped"));
  return { ok: true };
}
