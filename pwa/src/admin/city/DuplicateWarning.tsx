/** The 409 `possible_duplicate_patient` as a clerk reads it: who is already on record, their
 * room (open, or closed and reopenable), and a deliberate "open a new room anyway". */
import { ApiError } from "../../api";
import { adminHref } from "../helpers";
import { codeLabel } from "../../local/labels";
import { ta } from "../messages";

interface DuplicateBody {
  duplicates?: Array<{ patientId: string; name: string; birthDate: string; matchedOn: string[]; roomId: string | null; roomStatus: string | null; roomLabel: string | null }>;
}

export function isDuplicateWarning(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "possible_duplicate_patient";
}

export function DuplicateWarning({ error, onProceed, busy }: { error: ApiError; onProceed: () => void; busy?: boolean }) {
  const found = (error.body as DuplicateBody | null)?.duplicates ?? [];
  return (
    <div class="form-error" role="alert" data-testid="duplicate-warning">
      <p>
        <strong>{ta("dup.heading")}</strong>
      </p>
      <ul>
        {found.map((d) => (
          <li key={d.patientId} data-testid="duplicate-row">
            {d.name}（{d.birthDate}）：{d.matchedOn.map((m) => codeLabel("duplicateMatch", m)).join("・")}
            {d.roomId && (
              <>
                {" "}
                <a href={adminHref("rooms", d.roomId)} data-testid="duplicate-room">
                  {ta("dup.openRoom")}（{d.roomLabel ?? ""} {codeLabel("roomStatus", d.roomStatus)}）
                </a>
              </>
            )}
          </li>
        ))}
      </ul>
      <p class="hint">{ta("dup.reopenHint")}</p>
      <button type="button" class="secondary" data-testid="duplicate-proceed" disabled={busy} onClick={onProceed}>
        {ta("dup.proceed")}
      </button>
    </div>
  );
}
