/** The vitals trend: the chart (uPlot, loaded only when this screen opens) and a table for exact values. */
import { lazy, Suspense } from "preact/compat";
import { useEffect } from "preact/hooks";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { getData, openRoom, useData } from "../local/data";
import { formatPostTime } from "../local/format";
import { VITALS_FIELDS, vitalsSeries } from "../local/vitals";
import { useAppState } from "../store";
import { RoomHeader } from "./Room";

const VitalsChart = lazy(() => import("./VitalsChart"));

export function Vitals() {
  const { roomId } = useAppState();
  const data = useData();
  useEffect(() => {
    if (roomId && data.ready && getData().open?.roomId !== roomId) void openRoom(roomId);
  }, [roomId, data.ready]);
  if (!roomId) return null;
  const posts = data.open?.roomId === roomId ? data.open.posts : null;
  const series = posts ? vitalsSeries(posts) : null;
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
            <VitalsChart series={series} />
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
                      <td key={f.key}>{p.vitals?.[f.key] ?? ""}</td>
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
