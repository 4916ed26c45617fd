/** Rooms: the list by status. */
import { useState } from "preact/hooks";
import { adminApi } from "../api";
import { adminHref } from "../helpers";
import { codeLabel, codeOptions } from "../../local/labels";
import { ta } from "../messages";
import { day, ListTable, Select, useLoad } from "../ui";

export function Rooms() {
  const [status, setStatus] = useState("open");
  const { data, error } = useLoad(() => adminApi.rooms(status || undefined), [status]);
  return (
    <div data-testid="admin-rooms">
      <h1>{ta("rooms.heading")}</h1>
      <div class="admin-filters">
        <Select id="rooms-status" label={ta("ledger.status")} value={status} onValue={setStatus} placeholder={ta("a.all")} options={codeOptions("roomStatus")} />
        <div class="admin-filter-buttons">
          <a class="button secondary" href={adminHref("new-room")} data-testid="room-new">
            {ta("rooms.new")}
          </a>
        </div>
      </div>
      <ListTable rows={data} error={error} headers={[ta("rooms.patient"), ta("rooms.label"), ta("rooms.members"), ta("rooms.opened"), ta("ledger.status")]}>
        {(r) => (
          <tr key={r.id} data-testid="admin-room-row">
            <td>
              <a href={adminHref("rooms", r.id)}>{r.patientName}</a>
              <div class="a-kana">{r.patientNameKana}</div>
            </td>
            <td>{r.label ?? "—"}</td>
            <td class="a-num">{r.memberCount}</td>
            <td>{day(r.openedAt)}</td>
            <td>
              {codeLabel("roomStatus", r.status)}
              {r.closingRequested && <span class="a-badge a-badge-warn"> {ta("rooms.closingRequested")}</span>}
            </td>
          </tr>
        )}
      </ListTable>
    </div>
  );
}
