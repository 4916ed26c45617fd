/**
 * The patient's vitals thresholds (バイタルの基準値) on the patient page: what is in force
 * (the patient's own range with who set it and when, or the default), and for the room's
 * doctor or nurse with write permission a form to change one sign or return it to the
 * default. Changes are mutations: they work offline and flag new posts only.
 */
import { useState } from "preact/hooks";
import { setThreshold } from "../actions/contactBook";
import { FormError } from "../components/Field";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { useData } from "../local/data";
import { formatPostTime } from "../local/format";
import { normaliseNumber, rangesInForce, VITALS_FIELDS } from "../local/vitals";
import { addNotice } from "../store";
import type { VitalsKey } from "../sync/wire";

const CLINICIANS = new Set(["doctor", "nurse"]);

export function ThresholdsSection({ roomId }: { roomId: string }) {
  const data = useData();
  const ranges = rangesInForce(data.thresholds.get(roomId));
  const members = data.members.get(roomId) ?? [];
  const myId = data.me?.user.id;
  const me = members.find((m) => m.userId === myId && !m.leftAt);
  const room = data.rooms.find((r) => r.id === roomId);
  const canEdit = !!me && me.permission === "write" && CLINICIANS.has(me.jobType) && room?.status !== "closed";
  const [sign, setSign] = useState<VitalsKey>("spo2");
  const [low, setLow] = useState("");
  const [high, setHigh] = useState("");
  const [error, setError] = useState<string | null>(null);

  function number(text: string): number | null {
    const value = normaliseNumber(text);
    return value === "" ? null : Number(value);
  }

  async function save(e: Event, reset = false) {
    e.preventDefault();
    setError(null);
    const lowValue = reset ? null : number(low);
    const highValue = reset ? null : number(high);
    if ((lowValue !== null && Number.isNaN(lowValue)) || (highValue !== null && Number.isNaN(highValue))) {
      setError(t("thresholds.invalid"));
      return;
    }
    const result = await setThreshold({ roomId, sign, low: lowValue, high: highValue });
    if (!result.ok) setError(result.message);
    else {
      addNotice("success", t("thresholds.saved"));
      setLow("");
      setHigh("");
    }
  }

  return (
    <section class="card" aria-labelledby="thresholds-heading" data-testid="thresholds">
      <h2 id="thresholds-heading">{t("thresholds.heading")}</h2>
      <p class="hint">{t("thresholds.hint")}</p>
      <table class="vitals-table">
        <thead>
          <tr>
            <th scope="col">{t("thresholds.sign")}</th>
            <th scope="col">{t("thresholds.low")}</th>
            <th scope="col">{t("thresholds.high")}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {VITALS_FIELDS.filter((f) => ranges[f.key]).map((f) => {
            const range = ranges[f.key];
            const setter = range?.setBy ? members.find((m) => m.userId === range.setBy)?.name ?? t("post.formerMember") : null;
            return (
              <tr key={f.key} data-testid="threshold-row" data-sign={f.key}>
                <th scope="row">{codeLabel("vitalSign", f.key)}</th>
                <td>{range?.low ?? "—"}</td>
                <td>{range?.high ?? "—"}</td>
                <td>{setter && range?.setAt ? t("thresholds.own", { name: setter, time: formatPostTime(range.setAt) }) : t("thresholds.default")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canEdit && (
        <form class="threshold-form" onSubmit={(e) => void save(e)}>
          <div class="field">
            <label for="threshold-sign">{t("thresholds.sign")}</label>
            <select id="threshold-sign" data-testid="threshold-sign" value={sign} onChange={(e) => setSign(e.currentTarget.value as VitalsKey)}>
              {VITALS_FIELDS.map((f) => (
                <option key={f.key} value={f.key}>
                  {codeLabel("vitalSign", f.key)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="threshold-low">{t("thresholds.low")}</label>
            <input id="threshold-low" inputMode="decimal" data-testid="threshold-low" value={low} onInput={(e) => setLow(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="threshold-high">{t("thresholds.high")}</label>
            <input id="threshold-high" inputMode="decimal" data-testid="threshold-high" value={high} onInput={(e) => setHigh(e.currentTarget.value)} />
          </div>
          <FormError message={error} testId="threshold-error" />
          <div class="form-actions">
            <button type="submit" class="primary" data-testid="threshold-save">
              {t("thresholds.save")}
            </button>
            <button type="button" class="secondary" onClick={(e) => void save(e, true)}>
              {t("thresholds.reset")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
