/** One person in the ledger, and the ID stop. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi } from "../api";
import { adminHref } from "../helpers";
import { codeLabel } from "../../local/labels";
import { ta } from "../messages";
import { dateTime, day, ErrorBox, Facts, Input, Loading, Section, useLoad } from "../ui";
import { UserCorrections } from "./UserCorrections";

export function UserDetailView({ id }: { id: string }) {
  const { data, error, setData, reload } = useLoad(() => adminApi.user(id), [id]);
  const [reason, setReason] = useState("");
  const [stopOn, setStopOn] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  if (!data) return <Loading error={error} />;
  const u = data.user;
  async function stop() {
    setActionError(null);
    if (!confirm(ta("user.stopConfirm"))) return;
    try {
      const next = await adminApi.stopUser(u.id, reason.trim() || "管理者による停止", stopOn || undefined);
      setData(next);
      const scheduled = next.user.stopScheduledOn;
      addNotice("success", scheduled ? ta("user.stopScheduled", { date: day(scheduled) }) : ta("user.stopped"));
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <div data-testid="admin-user" data-status={u.status}>
      <p>
        <a href={adminHref("ledger")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("user.heading")}：{u.name}
      </h1>
      <Facts
        rows={[
          [ta("p.nameKana"), u.nameKana],
          [ta("ledger.loginId"), u.loginId],
          [ta("ledger.jobType"), u.jobTypeLabel + (u.visitsHomes ? `（${ta("fix.field.visitsHomes")}）` : "")],
          [ta("ledger.office"), u.officeName ?? ""],
          [ta("ledger.role"), u.roleLabel],
          [
            ta("ledger.status"),
            <span>
              <span data-testid="user-status">{u.statusLabel}</span>
              {u.stopScheduledOn && (
                <span class="a-badge a-badge-warn" data-testid="user-stop-scheduled">
                  {" "}
                  {ta("ledger.stopScheduled", { date: day(u.stopScheduledOn) })}
                </span>
              )}
            </span>,
          ],
          [ta("p.email"), u.email],
          [ta("p.phone"), u.phone],
          [ta("ledger.created"), dateTime(u.createdAt)],
          [ta("ledger.activated"), dateTime(u.activatedAt)],
          [ta("ledger.stopped"), dateTime(u.stoppedAt)],
          [ta("ledger.pledged"), dateTime(u.pledgedAt)],
        ]}
      />
      <p class="admin-actions">
        <a class="button secondary" href={adminHref("desk", u.id)} data-testid="user-desk">
          {ta("a.nav.desk")}
        </a>
        <a class="button secondary" href={adminHref("print", "3", u.id)}>
          {ta("a.printForm", { form: "3" })}
        </a>
        <a class="button secondary" href={adminHref("print", "4-2", u.id)}>
          {ta("a.printForm", { form: "4-2" })}
        </a>
      </p>
      <Section title={ta("user.rooms")}>
        <ul class="plain-list">
          {data.rooms.map((r) => (
            <li key={r.id}>
              <a href={adminHref("rooms", r.id)}>{r.label ?? r.patientName}</a>（{codeLabel("roomStatus", r.status)}）
            </li>
          ))}
        </ul>
      </Section>
      <UserCorrections userId={u.id} rooms={data.rooms} onChanged={reload} />
      {u.status !== "stopped" && (
        <Section title={ta("user.stop")} testId="user-stop">
          <ErrorBox error={actionError} />
          <Input id="stop-reason" label={ta("user.stopReason")} value={reason} onValue={setReason} />
          {!u.stopScheduledOn && <Input id="user-stop-date" label={ta("user.stopDate")} type="date" value={stopOn} onValue={setStopOn} hint={ta("stop.hint")} />}
          <button type="button" class="danger" data-testid="user-stop-submit" onClick={() => void stop()}>
            {ta("user.stop")}
          </button>
        </Section>
      )}
      <Section title={ta("app.history")}>
        <ol class="history" data-testid="user-history">
          {data.history.map((h, i) => (
            <li key={i}>
              <time>{dateTime(h.at)}</time> {h.actionLabel || h.action} {h.actorName ? `（${h.actorName}）` : ""} {h.note ?? ""}
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}
