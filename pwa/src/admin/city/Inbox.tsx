/** The municipal admin's inbox: applications by state and kind. */
import { useState } from "preact/hooks";
import { adminApi } from "../api";
import { adminHref } from "../helpers";
import { codeLabel, codeOptions } from "../../local/labels";
import { ta } from "../messages";
import { dateTime, ListTable, Select, useLoad } from "../ui";
import { ScheduledStops } from "./ScheduledStops";
import { subjectOf } from "./shared";

export function Inbox() {
  const [state, setState] = useState("submitted");
  const [kind, setKind] = useState("");
  const { data, error } = useLoad(() => adminApi.inbox(state || undefined, kind || undefined), [state, kind], {
    keepFresh: true,
  });
  return (
    <div data-testid="admin-inbox">
      <h1>{ta("inbox.heading")}</h1>
      <ScheduledStops />
      <div class="admin-filters">
        <Select id="inbox-state" label={ta("inbox.state")} value={state} onValue={setState} placeholder={ta("a.all")} options={codeOptions("applicationState")} />
        <Select id="inbox-kind" label={ta("inbox.kind")} value={kind} onValue={setKind} placeholder={ta("a.all")} options={codeOptions("applicationKind")} />
      </div>
      <ListTable rows={data} error={error} showEmpty headers={[ta("inbox.age"), ta("inbox.kind"), ta("inbox.subject"), ta("inbox.office"), ta("inbox.submitted"), ta("inbox.state")]}>
        {(a) => (
          <tr key={a.id} data-testid="inbox-row" data-kind={a.kind} data-state={a.state}>
            <td class="a-num">{ta("inbox.days", { n: a.ageDays })}</td>
            <td>
              <a href={adminHref("applications", a.id)} data-testid="inbox-open">
                {codeLabel("applicationKind", a.kind, a.kindLabel)}
              </a>
            </td>
            <td>{subjectOf(a)}</td>
            <td>{a.office?.name ?? "—"}</td>
            <td>{dateTime(a.createdAt)}</td>
            <td>
              <span class={`a-badge a-badge-${a.state}`}>{codeLabel("applicationState", a.state)}</span>
            </td>
          </tr>
        )}
      </ListTable>
    </div>
  );
}
