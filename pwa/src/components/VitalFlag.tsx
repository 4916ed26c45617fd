/**
 * A reading's out-of-range mark in a table or a post: ↑ or ↓ with its words for screen
 * readers (an arrow alone is read as nothing useful). One mark for the room's cards, the
 * vitals table and the printed record, so they never differ. The flag is the one the post
 * kept (the server's decision), never recomputed here.
 */
import { codeLabel } from "../local/labels";

export function FlagArrow({ flag }: { flag: "low" | "high" }) {
  return (
    <>
      <span class="flag-arrow" aria-hidden="true">
        {flag === "low" ? "↓" : "↑"}
      </span>
      <span class="visually-hidden">{codeLabel("vitalFlag", flag)}</span>
    </>
  );
}

/** A table cell of a reading, marked when its post kept a flag for it. */
export function VitalCell({ value, flag }: { value: number | null | undefined; flag: "low" | "high" | undefined }) {
  return (
    <td class={flag ? "unusual" : undefined} data-flag={flag}>
      {value ?? ""}
      {flag && value !== null && value !== undefined && <FlagArrow flag={flag} />}
    </td>
  );
}
