/**
 * 記録の出力: a member takes the room's record out — printed on A4 (the browser's print,
 * "Save as PDF" included), the vitals as CSV for Excel, the record as FHIR (JP-Core).
 * Online only: each export is fetched from the server, which records it in the audit log.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { RecordPrint } from "../components/RecordPrint";
import { t } from "../i18n";
import { saveBlob } from "../download";
import { rangeQuery, type BreakGlassEntry, jstText, type RoomRecordData } from "../local/record";
import { useAppState } from "../store";
import { RoomHeader } from "./Room";

export default function RoomRecord() {
  const { roomId, online } = useAppState();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [record, setRecord] = useState<RoomRecordData | null>(null);
  const [log, setLog] = useState<BreakGlassEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function load(range: string): Promise<void> {
    if (!roomId) return;
    setBusy(true);
    setError(null);
    try {
      setRecord(await api.roomRecord(roomId, range));
      setLog(await api.breakGlassLog(roomId));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (online) void load("");
  }, [roomId, online]);

  async function save(kind: "vitals.csv" | "fhir"): Promise<void> {
    if (!roomId) return;
    try {
      const blob = await api.roomRecordFile(roomId, kind, rangeQuery(from, to));
      saveBlob(blob, kind === "fhir" ? `record-${roomId.slice(-8)}.json` : `vitals-${roomId.slice(-8)}.csv`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  if (!roomId) return null;
  return (
    <div class="record-screen">
      <div class="no-print">
        <RoomHeader roomId={roomId} current="record" />
        <section class="card" aria-labelledby="record-heading">
          <h2 id="record-heading">{t("record.heading")}</h2>
          <p class="hint">{t("record.intro")}</p>
          {!online && <p class="notice">{t("record.offline")}</p>}
          {log.length > 0 && (
            <div class="notice" role="note" data-testid="break-glass-log">
              <p>{t("record.breakGlassLog")}</p>
              <ul>
                {log.map((e) => (
                  <li key={e.at}>
                    {t("record.breakGlassEntry", { at: jstText(e.at), name: e.adminName, purpose: e.purpose, reason: e.reason })}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <form
            class="record-range"
            onSubmit={(e) => {
              e.preventDefault();
              void load(rangeQuery(from, to));
            }}
          >
            <label>
              {t("record.from")}
              <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="record-from" />
            </label>
            <label>
              {t("record.to")}
              <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="record-to" />
            </label>
            <button type="submit" class="secondary" disabled={!online || busy}>
              {t("record.show")}
            </button>
          </form>
          <div class="record-actions">
            <button type="button" onClick={() => window.print()} disabled={!record} data-testid="record-print-button">
              {t("record.print")}
            </button>
            <button type="button" class="secondary" onClick={() => void save("vitals.csv")} disabled={!online}>
              {t("record.csv")}
            </button>
            <button type="button" class="secondary" onClick={() => void save("fhir")} disabled={!online}>
              {t("record.fhir")}
            </button>
          </div>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {busy && <p class="hint">{t("record.loading")}</p>}
        </section>
      </div>
      {record && <RecordPrint record={record} />}
    </div>
  );
}
