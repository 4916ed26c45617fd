/**
 * A patient's access log (アクセスログ): who read or wrote the room, when, from which device —
 * for disclosure requests and incidents. Never the text of a post; the clerk's own look is
 * an entry of the log. Prints on A4 for the file.
 */
import { useState } from "preact/hooks";
import { datedName, saveBlob } from "../../download";
import { deskApi, type AccessLogEntry } from "../deskApi";
import { describeDevice } from "../devices";
import { adminHref } from "../helpers";
import { ta, type AdminKey } from "../messages";
import { dateTime, ErrorBox, Input, ListTable, Loading, useLoad } from "../ui";

export function AccessLogView({ roomId }: { roomId: string }) {
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [period, setPeriod] = useState<{ since?: string; until?: string }>({});
  const first = useLoad(() => deskApi.accessLog(roomId, period), [roomId, JSON.stringify(period)]);
  const [older, setOlder] = useState<AccessLogEntry[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [csvError, setCsvError] = useState<unknown>(null);
  if (!first.data) return <Loading error={first.error} />;
  const log = first.data;
  const cursor = next === undefined ? log.nextBefore : next;
  const entries = [...log.entries, ...older];

  async function more() {
    if (cursor === null) return;
    setMoreError(null);
    try {
      const page = await deskApi.accessLog(roomId, { ...period, before: String(cursor) });
      setOlder([...older, ...page.entries]);
      setNext(page.nextBefore);
    } catch (err) {
      setMoreError(err);
    }
  }

  return (
    <div data-testid="admin-access-log">
      <p class="no-print">
        <a href={adminHref("rooms", roomId)}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("alog.heading")}：{log.room.patientName}
        {log.room.label ? `（${log.room.label}）` : ""}
      </h1>
      <p class="hint">{ta("alog.lead")}</p>
      <form
        class="admin-filters no-print"
        onSubmit={(e) => {
          e.preventDefault();
          setOlder([]);
          setNext(undefined);
          setPeriod({ since: since || undefined, until: until || undefined });
        }}
      >
        <Input id="alog-since" label={ta("alog.since")} type="date" value={since} onValue={setSince} />
        <Input id="alog-until" label={ta("alog.until")} type="date" value={until} onValue={setUntil} />
        <div class="admin-filter-buttons">
          <button type="submit" class="secondary" data-testid="alog-search">
            {ta("a.search")}
          </button>
          <button type="button" class="secondary" onClick={() => window.print()}>
            {ta("a.print")}
          </button>
          <button
            type="button"
            class="secondary"
            data-testid="alog-csv"
            disabled={saving}
            onClick={() => {
              setSaving(true);
              setCsvError(null);
              // The file name the server would give: the room's last six, never the patient.
              const stem = `access-log-${roomId.slice(-6).toUpperCase()}`;
              deskApi
                .accessLogCsv(roomId, period)
                .then((blob) => saveBlob(blob, datedName(stem, "csv")))
                .catch(setCsvError)
                .finally(() => setSaving(false));
            }}
          >
            {ta("alog.csv")}
          </button>
        </div>
      </form>
      <ErrorBox error={csvError} />
      <ListTable rows={entries} showEmpty stack headers={[ta("alog.at"), ta("alog.who"), ta("alog.what"), ta("alog.device"), ta("desk.ip")]}>
        {(e) => (
          <tr key={e.seq} data-testid="alog-row" data-action={e.action} data-kind={e.kind}>
            <td>
              <strong>{dateTime(e.at)}</strong>
            </td>
            <td data-label={ta("alog.who")}>
              {e.actorName ?? e.actorLogin ?? "—"}
              <div class="a-kana">{[e.actorOfficeName, e.actorJobTypeLabel].filter(Boolean).join("・")}</div>
            </td>
            <td data-label={ta("alog.what")}>
              <span class={`a-badge a-badge-${e.kind}`}>{ta(`alog.kind.${e.kind}` as AdminKey)}</span> {e.actionLabel}
              {e.count ? ` ${ta("alog.count", { n: e.count })}` : ""}
              {e.outcome !== "ok" ? ` ${ta("alog.refused")}` : ""}
            </td>
            <td data-label={ta("alog.device")} title={e.deviceLabel ?? ""}>
              {e.deviceLabel !== null ? describeDevice(e.deviceLabel) : "—"}
            </td>
            <td data-label={ta("desk.ip")}>{e.ip ?? "—"}</td>
          </tr>
        )}
      </ListTable>
      <ErrorBox error={moreError} />
      {cursor !== null && (
        <p class="no-print">
          <button type="button" class="secondary" data-testid="alog-more" onClick={() => void more()}>
            {ta("alog.more")}
          </button>
        </p>
      )}
    </div>
  );
}
