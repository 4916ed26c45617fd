/** ID stops waiting for their 停止希望日: listed in the inbox, each cancellable. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi, type ScheduledStop } from "../api";
import { adminHref } from "../helpers";
import { codeLabel } from "../../local/labels";
import { ta } from "../messages";
import { dateTime, day, ErrorBox, Input, ListTable, Section, useLoad } from "../ui";

/** A cancel button with an optional reason and a confirm step naming the person and the day. */
export function CancelStop({ stop, onCancelled }: { stop: ScheduledStop; onCancelled: (s: ScheduledStop) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  if (!open) {
    return (
      <button type="button" class="link" data-testid="stop-cancel" onClick={() => setOpen(true)}>
        {ta("sched.cancel")}
      </button>
    );
  }
  return (
    <div data-testid="stop-cancel-form">
      <Input id={`stop-cancel-reason-${stop.id}`} testId="stop-cancel-reason" label={ta("sched.cancelReason")} value={reason} onValue={setReason} />
      <ErrorBox error={error} testId="stop-cancel-error" />
      <button
        type="button"
        class="danger"
        data-testid="stop-cancel-confirm"
        onClick={() => {
          if (!confirm(ta("sched.cancelConfirm", { name: stop.user.name, date: day(stop.dueAt) }))) return;
          setError(null);
          adminApi.cancelStop(stop.id, reason.trim()).then((done) => {
            addNotice("success", ta("sched.cancelled"));
            onCancelled(done);
          }, setError);
        }}
      >
        {ta("sched.cancel")}
      </button>
    </div>
  );
}

/** The inbox's list of scheduled stops, soonest first (nothing when there are none). */
export function ScheduledStops() {
  const { data, error, reload } = useLoad(() => adminApi.scheduledStops("scheduled"));
  if (data && data.length === 0) return null;
  return (
    <Section title={ta("sched.heading")} testId="scheduled-stops">
      <p class="hint">{ta("sched.intro")}</p>
      <ListTable rows={data} error={error} headers={[ta("sched.on"), ta("sched.person"), ta("inbox.office"), ta("new.reason"), ta("sched.notice"), ta("a.actions")]}>
        {(s) => (
          <tr key={s.id} data-testid="scheduled-stop-row" data-login={s.user.loginId}>
            <td>
              <span class="a-badge a-badge-warn">{codeLabel("stopState", s.state)}</span> {day(s.dueAt)}
            </td>
            <td>
              <a href={adminHref("users", s.user.id)}>{s.user.name}</a>
              <div class="a-kana">{s.user.jobTypeLabel}</div>
            </td>
            <td>{s.office?.name ?? "—"}</td>
            <td>
              {s.applicationId ? <a href={adminHref("applications", s.applicationId)}>{s.reason}</a> : s.reason}
            </td>
            <td>{s.noticeSentAt ? `${ta("sched.noticeSent")}（${dateTime(s.noticeSentAt)}）` : ta("sched.noticeNot")}</td>
            <td>
              <CancelStop stop={s} onCancelled={reload} />
            </td>
          </tr>
        )}
      </ListTable>
    </Section>
  );
}
