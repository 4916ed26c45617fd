/** The correction history of a person, an office or a patient: who changed what, when. */
import type { ChangeEntry } from "../corrections-api";
import { label, ta } from "../messages";
import { dateTime } from "../ui";

export function ChangeHistory({ changes, testId = "change-history" }: { changes: ChangeEntry[]; testId?: string }) {
  if (changes.length === 0) return <p data-testid={testId}>{ta("fix.noHistory")}</p>;
  return (
    <div class="admin-table-wrap">
      <table class="admin-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{ta("fix.at")}</th>
            <th scope="col">{ta("fix.field")}</th>
            <th scope="col">{ta("fix.before")}</th>
            <th scope="col">{ta("fix.after")}</th>
            <th scope="col">{ta("fix.by")}</th>
            <th scope="col">{ta("fix.note")}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c, i) => (
            <tr key={i} data-testid="change-row" data-field={c.field}>
              <td>{dateTime(c.at)}</td>
              <td>{label("fix.field", c.field)}</td>
              <td>{c.before ?? "—"}</td>
              <td>{c.after ?? "—"}</td>
              <td>{c.actorName || "—"}</td>
              <td class="a-pre">{c.note ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
