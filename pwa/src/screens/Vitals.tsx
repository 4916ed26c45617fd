/**
 * The vitals trend: the chart (uPlot, loaded only when this screen opens) with each sign's
 * normal range in force for the patient and the readings flagged out of range, and a table
 * for exact values, flagged readings marked as in the room.
 */
import { lazy, Suspense } from "preact/compat";
import { useEffect, useMemo } from "preact/hooks";
import { VitalCell } from "../components/VitalFlag";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { getData, openRoom, useData } from "../local/data";
import { formatPostTime } from "../local/format";
import { rangesInForce, VITALS_FIELDS, type Flags } from "../local/vitals";
import { vitalsSeries } from "../local/vitals-chart";
import { useAppState } from "../store";
import { RoomHeader } from "./Room";

const VitalsChart = lazy(() => import("../components/VitalsChart"));

export function Vitals() {
  const { roomId } = useAppState();
  const data = useData();
  useEffect(() => {
    if (roomId && data.ready && getData().open?.roomId !== roomId) void openRoom(roomId);
  }, [roomId, data.ready]);
  const posts = roomId && data.open?.roomId === roomId ? data.open.posts : null;
  const thresholds = roomId ? data.thresholds.get(roomId) : undefined;
  // Memoised: the chart is rebuilt only when the posts or the thresholds change.
  const series = useMemo(() => (posts ? vitalsSeries(posts) : null), [posts]);
  const ranges = useMemo(() => rangesInForce(thresholds), [thresholds]);
  if (!roomId) return null;
  const rows = posts ? posts.filter((p) => p.vitals && Object.keys(p.vitals).length) : [];
  return (
    <div class="vitals-screen">
      <RoomHeader roomId={roomId} current="vitals" />
      <section class="card" aria-labelledby="vitals-heading">
        <h2 id="vitals-heading">{t("vitals.heading")}</h2>
        {!series && <p class="hint">{t("common.loading")}</p>}
        {series && series.times.length === 0 && <p class="placeholder">{t("vitals.none")}</p>}
        {series && series.times.length > 0 && (
          <Suspense fallback={<p class="hint">{t("common.loading")}</p>}>
            <VitalsChart series={series} ranges={ranges} />
          </Suspense>
        )}
      </section>
      {rows.length > 0 && (
        <section class="card table-card" aria-labelledby="vitals-table-heading">
          <h2 id="vitals-table-heading">{t("vitals.table")}</h2>
          <div class="table-scroll" tabIndex={0}>
            <table class="vitals-table" data-testid="vitals-table">
              <thead>
                <tr>
                  <th scope="col">{t("vitals.time")}</th>
                  {VITALS_FIELDS.map((f) => (
                    <th scope="col" key={f.key}>
                      {codeLabel("vitalSign", f.key)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{formatPostTime(p.createdAt)}</th>
                    {VITALS_FIELDS.map((f) => (
                      <VitalCell key={f.key} value={p.vitals?.[f.key]} flag={(p.vitalsFlags as Flags | null)?.[f.key]} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
