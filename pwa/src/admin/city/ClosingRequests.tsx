/** Closing requests (終了依頼), shown on their own. */
import { adminApi } from "../api";
import { adminHref, FORM_CODES } from "../helpers";
import { codeLabel } from "../../local/labels";
import { ta } from "../messages";
import { dateTime, Facts, Loading, useLoad } from "../ui";
import { CloseRoom } from "./RoomDetail";

export function ClosingRequests() {
  const { data, error, reload } = useLoad(() => adminApi.closingRequests());
  return (
    <div data-testid="admin-closing">
      <h1>{ta("closing.heading")}</h1>
      <p class="hint">{ta("closing.intro")}</p>
      {!data ? (
        <Loading error={error} />
      ) : data.length === 0 ? (
        <p class="admin-empty">{ta("a.empty")}</p>
      ) : (
        <ul class="closing-list">
          {data.map((c) => (
            <li key={c.postId} class="card" data-testid="closing-row">
              <h2>
                <a href={adminHref("rooms", c.room.id)}>{c.room.label ?? c.room.patientName}</a>
              </h2>
              <Facts
                rows={[
                  [ta("closing.reason"), codeLabel("closingReason", c.reason, c.reasonLabel)],
                  [ta("closing.note"), c.note],
                  [ta("closing.requester"), `${c.requester.name}（${c.requester.jobTypeLabel}・${c.requester.officeName ?? "—"}）`],
                  [ta("closing.at"), dateTime(c.requestedAt)],
                ]}
              />
              <CloseRoom roomId={c.room.id} closingRequestId={c.postId} onClosed={() => reload()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export { FORM_CODES };
