/**
 * The help desk (ヘルプデスク): find the person who called, see what the server knows of
 * their account, and act — unlock, a reset link or a printed letter, reset the second
 * factor, wipe one device or all, end sessions. Every action asks first, naming the person
 * (and the device or session); the answer says whether the person was told by mail.
 */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi } from "../api";
import { ConfirmStep } from "../confirm";
import { deskApi, type DeskAccount, type DeskAction, type DeskActionDone, type DeskDevice, type DeskSession, type ResetLetter } from "../deskApi";
import { describeDevice } from "../devices";
import { adminHref } from "../helpers";
import { ta, type AdminKey } from "../messages";
import { dateTime, ErrorBox, Facts, Input, ListTable, Loading, Section, Select, useLoad } from "../ui";
import { ResetLetterSheet } from "./ResetLetter";
import { officeOptions } from "./shared";

export function HelpDesk() {
  const [q, setQ] = useState("");
  const [officeId, setOfficeId] = useState("");
  const [lockedOnly, setLockedOnly] = useState(false);
  const [filter, setFilter] = useState<{ q?: string; officeId?: string; locked?: string } | null>(null);
  const offices = useLoad(() => adminApi.offices());
  const results = useLoad(() => (filter ? deskApi.search(filter) : Promise.resolve(null)), [JSON.stringify(filter)]);
  return (
    <div data-testid="admin-desk">
      <h1>{ta("desk.heading")}</h1>
      <p class="hint">{ta("desk.lead")}</p>
      <form
        class="admin-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ q: q.trim() || undefined, officeId: officeId || undefined, locked: lockedOnly ? "true" : undefined });
        }}
      >
        <Input id="desk-q" label={ta("desk.q")} value={q} onValue={setQ} />
        <Select id="desk-office" label={ta("desk.office")} value={officeId} onValue={setOfficeId} placeholder={ta("a.all")} options={officeOptions(offices.data)} />
        <div class="field">
          <label class="a-check">
            <input type="checkbox" data-testid="desk-locked" checked={lockedOnly} onChange={(e) => setLockedOnly((e.currentTarget as HTMLInputElement).checked)} /> {ta("desk.lockedOnly")}
          </label>
        </div>
        <div class="admin-filter-buttons">
          <button type="submit" class="primary" data-testid="desk-search">
            {ta("a.search")}
          </button>
        </div>
      </form>
      {filter && results.data && <p data-testid="desk-count">{ta("desk.results", { n: results.data.length })}</p>}
      {filter && (
        <ListTable
          rows={results.data}
          error={results.error}
          showEmpty
          stack
          headers={[ta("ledger.name"), ta("ledger.loginId"), ta("ledger.office"), ta("ledger.jobType"), ta("ledger.status"), ta("desk.lock"), ta("desk.lastSignIn"), ta("desk.devices")]}
        >
          {(p) => (
            <tr key={p.id} data-testid="desk-row" data-login={p.loginId}>
              <td>
                <a href={adminHref("desk", p.id)} data-testid="desk-open">
                  {p.name}
                </a>
                <div class="a-kana">{p.nameKana}</div>
              </td>
              <td data-label={ta("ledger.loginId")}>{p.loginId}</td>
              <td data-label={ta("ledger.office")}>{p.officeName ?? "—"}</td>
              <td data-label={ta("ledger.jobType")}>{p.jobTypeLabel}</td>
              <td data-label={ta("ledger.status")}>
                <span class={`a-badge a-badge-${p.status}`}>{p.statusLabel}</span>
              </td>
              <td data-label={ta("desk.lock")}>{p.locked ? <span class="a-badge a-badge-stopped">{ta("desk.locked")}</span> : ta("desk.notLocked")}</td>
              <td data-label={ta("desk.lastSignIn")}>{p.lastSignInAt ? dateTime(p.lastSignInAt) : ta("desk.never")}</td>
              <td data-label={ta("desk.devices")}>{p.devices}</td>
            </tr>
          )}
        </ListTable>
      )}
    </div>
  );
}

/** What is waiting for confirmation: one action at a time, with its target when it has one. */
type Pending =
  | { kind: DeskAction | "letter" }
  | { kind: "wipe-device"; device: DeskDevice }
  | { kind: "end-session"; session: DeskSession };

const DONE_TEXT: Record<DeskAction, AdminKey> = {
  unlock: "desk.unlocked",
  "reset-password": "desk.resetSent",
  "reset-factors": "desk.factorsReset",
  "wipe-devices": "desk.wiped",
  "end-sessions": "desk.sessionsEnded",
};

export function DeskAccountView({ id }: { id: string }) {
  const { data, error, reload } = useLoad(() => deskApi.account(id), [id]);
  const [note, setNote] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [letter, setLetter] = useState<ResetLetter | null>(null);
  if (!data) return <Loading error={error} />;
  if (letter) return <ResetLetterSheet letter={letter} onClose={() => setLetter(null)} />;
  const a: DeskAccount = data;
  const p = a.person;
  const who = `${p.name}（${p.loginId}・${p.officeName ?? "—"}）`;
  const stopped = p.status === "stopped";

  function told(done: DeskActionDone, key: AdminKey) {
    const text = ta(key, { name: p.name, n: done.count ?? 0 });
    addNotice("success", `${text} ${done.mailed ? ta("desk.mailed") : ta("desk.notMailed")}`);
  }

  async function run(work: () => Promise<void>) {
    setActionError(null);
    setBusy(true);
    try {
      await work();
      setNote("");
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
      setPending(null);
      reload();
    }
  }

  function carryOut(action: Pending) {
    void run(async () => {
      switch (action.kind) {
        case "letter":
          setLetter(await deskApi.resetLetter(p.id, note));
          return;
        case "wipe-device":
          told(await deskApi.wipeDevice(p.id, action.device.id, note), "desk.wiped");
          return;
        case "end-session":
          told(await deskApi.endSession(p.id, action.session.id, note), "desk.sessionsEnded");
          return;
        default: {
          const done = await deskApi.act(p.id, action.kind, note);
          if (action.kind === "reset-password" && !done.mailed) {
            addNotice("error", ta("desk.resetNotSent"));
            return;
          }
          told(done, DONE_TEXT[action.kind]);
        }
      }
    });
  }

  function question(action: Pending): string {
    switch (action.kind) {
      case "unlock":
        return ta("desk.unlockConfirm", { who });
      case "reset-password":
        return ta("desk.sendResetConfirm", { who });
      case "letter":
        return ta("desk.printLetterConfirm", { who });
      case "reset-factors":
        return ta("desk.resetFactorsConfirm", { who });
      case "wipe-devices":
        return ta("desk.wipeAllConfirm", { who, n: a.devices.filter((d) => !d.wipeRequestedAt).length });
      case "end-sessions":
        return ta("desk.endSessionsConfirm", { who });
      case "wipe-device":
        return ta("desk.wipeDeviceConfirm", { who, device: describeDevice(action.device.label), time: dateTime(action.device.lastSeenAt) });
      case "end-session":
        return ta("desk.endSessionConfirm", { who, ip: action.session.ip || "—", time: dateTime(action.session.createdAt) });
    }
  }

  const confirmFor = (kinds: string[], testId: string) =>
    pending && kinds.includes(pending.kind) ? <ConfirmStep question={question(pending)} busy={busy} onYes={() => carryOut(pending)} onNo={() => setPending(null)} testId={testId} /> : null;

  const button = (kind: DeskAction | "letter", key: AdminKey, danger = false, disabled = false) => (
    <p class="desk-action">
      <button type="button" class={danger ? "danger" : "secondary"} data-testid={`desk-${kind}`} disabled={busy || disabled || !a.mayAct} onClick={() => setPending({ kind })}>
        {ta(key)}
      </button>
      {confirmFor([kind], `confirm-${kind}`)}
    </p>
  );

  const factors = a.factors.totp || a.factors.passkeys.length ? [a.factors.totp ? ta("desk.factorTotp") : "", a.factors.passkeys.length ? ta("desk.factorPasskeys", { n: a.factors.passkeys.length }) : ""].filter(Boolean).join("・") : ta("desk.factorNone");

  return (
    <div data-testid="desk-account" data-login={p.loginId} data-locked={String(a.lock.locked)}>
      <p>
        <a href={adminHref("desk")}>{ta("desk.backToSearch")}</a>
        {"　"}
        <a href={adminHref("users", p.id)}>{ta("desk.ledger")}</a>
      </p>
      <h1>
        {ta("desk.account")}：{p.name}
      </h1>
      <Facts
        rows={[
          [ta("p.nameKana"), p.nameKana],
          [ta("ledger.loginId"), p.loginId],
          [ta("ledger.office"), p.officeName ?? ""],
          [ta("ledger.jobType"), p.jobTypeLabel],
          [ta("ledger.role"), p.roleLabel],
          [ta("ledger.status"), <span data-testid="desk-status">{p.statusLabel}</span>],
          [ta("desk.email"), a.email || ta("desk.noEmail")],
          [ta("p.phone"), a.phone],
          [
            ta("desk.lockState"),
            <span data-testid="desk-lock">
              {a.lock.locked && a.lock.lockedUntil
                ? ta("desk.lockedUntil", { time: dateTime(a.lock.lockedUntil), n: a.lock.lockCount })
                : ta("desk.failures", { n: a.lock.failedAttempts, max: a.lock.threshold })}
            </span>,
          ],
          [ta("desk.lastSignIn"), <span data-testid="desk-last-signin">{p.lastSignInAt ? dateTime(p.lastSignInAt) : ta("desk.never")}</span>],
          [ta("desk.lastFailure"), a.lastFailedSignInAt ? dateTime(a.lastFailedSignInAt) : ta("desk.never")],
          [ta("desk.passwordChanged"), dateTime(a.passwordChangedAt)],
          [ta("desk.factors"), <span data-testid="desk-factors">{factors}</span>],
          [ta("desk.resetPending"), a.resetLinkExpiresAt ? ta("desk.resetUntil", { time: dateTime(a.resetLinkExpiresAt) }) : ta("desk.never")],
        ]}
      />
      <Section title={ta("desk.actions")} testId="desk-actions">
        {!a.mayAct && a.mayActReason && <p class="form-error">{ta(`desk.cannotAct.${a.mayActReason}` as AdminKey)}</p>}
        {stopped && <p class="hint">{ta("desk.stopped")}</p>}
        <ErrorBox error={actionError} testId="desk-error" />
        <Input id="desk-note" label={ta("desk.note")} hint={ta("desk.noteHint")} value={note} onValue={setNote} maxLength={200} />
        {(a.lock.locked || a.lock.failedAttempts > 0) && button("unlock", "desk.unlock")}
        {!stopped && button("reset-password", "desk.sendReset", false, !a.email)}
        {!stopped && button("letter", "desk.printLetter")}
        {!stopped && button("reset-factors", "desk.resetFactors", true)}
        {a.devices.some((d) => !d.wipeRequestedAt) && button("wipe-devices", "desk.wipeAll", true)}
        {a.sessions.length > 0 && button("end-sessions", "desk.endSessions")}
      </Section>
      <Section title={ta("desk.deviceHeading")} testId="desk-devices">
        {a.devices.length === 0 ? (
          <p class="admin-empty">{ta("desk.noDevices")}</p>
        ) : (
          <ListTable rows={a.devices} stack headers={[ta("desk.device"), ta("desk.firstUsed"), ta("desk.lastSeen"), ta("desk.sessionsOn"), ta("desk.deviceState"), ta("a.actions")]}>
            {(d) => (
              <tr key={d.id} data-testid="desk-device" data-device={d.id} data-wiped={String(!!d.wipeRequestedAt)}>
                <td title={d.label}>
                  <strong>{describeDevice(d.label)}</strong>
                </td>
                <td data-label={ta("desk.firstUsed")}>{dateTime(d.createdAt)}</td>
                <td data-label={ta("desk.lastSeen")}>{dateTime(d.lastSeenAt)}</td>
                <td data-label={ta("desk.sessionsOn")}>{d.sessions}</td>
                <td data-label={ta("desk.deviceState")} data-testid="desk-device-state">
                  {d.wipeDeliveredAt
                    ? ta("desk.wipeDone", { time: dateTime(d.wipeDeliveredAt) })
                    : d.wipeRequestedAt
                      ? ta("desk.wipePending", { time: dateTime(d.wipeRequestedAt) })
                      : ta("desk.deviceActive")}
                </td>
                <td>
                  {!d.wipeRequestedAt && (
                    <button type="button" class="danger" data-testid="desk-wipe-device" disabled={busy || !a.mayAct} onClick={() => setPending({ kind: "wipe-device", device: d })}>
                      {ta("desk.wipeDevice")}
                    </button>
                  )}
                  {pending?.kind === "wipe-device" && pending.device.id === d.id && confirmFor(["wipe-device"], "confirm-wipe-device")}
                </td>
              </tr>
            )}
          </ListTable>
        )}
      </Section>
      <Section title={ta("desk.sessionHeading")} testId="desk-sessions">
        {a.sessions.length === 0 ? (
          <p class="admin-empty">{ta("desk.noSessions")}</p>
        ) : (
          <ListTable rows={a.sessions} stack headers={[ta("desk.started"), ta("desk.lastSeen"), ta("desk.ip"), ta("desk.device"), ta("desk.factors"), ta("a.actions")]}>
            {(s) => (
              <tr key={s.id} data-testid="desk-session">
                <td data-label={ta("desk.started")}>{dateTime(s.createdAt)}</td>
                <td data-label={ta("desk.lastSeen")}>{dateTime(s.lastSeenAt)}</td>
                <td data-label={ta("desk.ip")}>{s.ip || "—"}</td>
                <td data-label={ta("desk.device")} title={s.userAgent}>
                  {describeDevice(s.userAgent)}
                </td>
                <td data-label={ta("desk.factors")}>{s.factor ?? "—"}</td>
                <td>
                  <button type="button" class="secondary" data-testid="desk-end-session" disabled={busy || !a.mayAct} onClick={() => setPending({ kind: "end-session", session: s })}>
                    {ta("desk.endSession")}
                  </button>
                  {pending?.kind === "end-session" && pending.session.id === s.id && confirmFor(["end-session"], "confirm-end-session")}
                </td>
              </tr>
            )}
          </ListTable>
        )}
      </Section>
    </div>
  );
}
