/** The room list: one row per patient, searchable by name or kana; the home screen. */
import { useMemo, useState } from "preact/hooks";
import { hrefFor } from "../actions/navigation";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { attentionCount } from "../local/attention";
import { myReceipt, useData, type LocalData } from "../local/data";
import { ageOn, todayInJapan } from "../local/era";
import { formatPostTime } from "../local/format";
import { careLevelLabel } from "../local/labels";
import { useAppState } from "../store";

export interface RoomRow {
  roomId: string;
  name: string;
  kana: string;
  age: number | null;
  careLevel: string;
  closed: boolean;
  lastTitle: string | null;
  lastBody: string | null;
  lastAt: string | null;
  unread: number;
  urgent: boolean;
  /** A post with out-of-range vitals not yet read by me. */
  flagged: boolean;
}

/** Hiragana → katakana and no spaces, so 「あおき」 finds 「アオキ ハナ」. */
export function foldKana(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/\s+/g, "")
    .toLowerCase();
}

export function roomRows(data: LocalData, query = ""): RoomRow[] {
  const today = todayInJapan();
  const q = foldKana(query);
  const rows = data.rooms.map((room): RoomRow => {
    const patient = data.patients.get(room.id);
    const summary = data.summaries.get(room.id);
    const title = data.titles.get(room.id)?.find((x) => x.id === summary?.lastPost?.titleId);
    return {
      roomId: room.id,
      name: patient?.name ?? room.label ?? "—",
      kana: patient?.nameKana ?? "",
      age: patient?.birthDate ? ageOn(patient.birthDate, today) : null,
      careLevel: careLevelLabel(patient?.careLevel),
      closed: room.status === "closed",
      lastTitle: title?.name ?? null,
      lastBody: summary?.lastPost?.body ?? null,
      lastAt: summary?.lastPost?.createdAt ?? null,
      unread: summary?.unread ?? 0,
      urgent: summary?.urgentUnread ?? false,
      flagged: (summary?.flagged ?? []).some((p) => p.version > myReceipt(data.receipts.get(room.id), data.me?.user.id)),
    };
  });
  return rows
    .filter((r) => !q || foldKana(r.name).includes(q) || foldKana(r.kana).includes(q))
    .sort((a, b) => Number(b.urgent) - Number(a.urgent) || (b.lastAt ?? "").localeCompare(a.lastAt ?? ""));
}

/** One tap to what needs me (phones; the desktop shows it beside the list). */
function AttentionLink({ data }: { data: LocalData }) {
  const n = attentionCount(data);
  return (
    <a class={n ? "button primary attention-link" : "button secondary attention-link"} href={hrefFor("attention")} data-testid="attention-link">
      {t("attention.heading")}
      {n > 0 && <span class="unread">{n}</span>}
    </a>
  );
}

export function RoomList({ compact = false }: { compact?: boolean }) {
  const data = useData();
  const { roomId } = useAppState();
  const [query, setQuery] = useState("");
  const rows = useMemo(() => roomRows(data, query), [data, query]);
  const headingId = compact ? "rooms-pane-heading" : "rooms-heading";
  return (
    <section class={compact ? "rooms-pane" : "card rooms"} aria-labelledby={headingId}>
      {compact ? <h2 id={headingId}>{t("home.rooms")}</h2> : <ScreenHeading text={t("home.rooms")} id={headingId} />}
      <div class="field search-field">
        <label for={`room-search-${compact ? "pane" : "main"}`}>{t("rooms.search")}</label>
        <input
          id={`room-search-${compact ? "pane" : "main"}`}
          type="search"
          data-testid="room-search"
          value={query}
          placeholder={t("rooms.searchPlaceholder")}
          onInput={(e) => setQuery(e.currentTarget.value)}
          autoComplete="off"
        />
      </div>
      {!compact && <AttentionLink data={data} />}
      {!data.ready && <p class="hint">{t("common.loading")}</p>}
      {data.ready && data.rooms.length === 0 && <p class="placeholder">{t("rooms.none")}</p>}
      {data.ready && data.rooms.length > 0 && rows.length === 0 && <p class="hint">{t("rooms.noMatch")}</p>}
      <ul class="room-list" data-testid="room-list">
        {rows.map((row) => (
          <li key={row.roomId}>
            <a
              class="room-row"
              href={hrefFor("room", row.roomId)}
              data-testid="room-row"
              data-room-id={row.roomId}
              aria-current={row.roomId === roomId ? "page" : undefined}
            >
              <span class="room-name">
                {row.urgent && (
                  <span class="urgent-mark" data-testid="urgent-mark">
                    {t("post.urgent")}
                  </span>
                )}
                {row.flagged && (
                  <span class="flag-mark" data-testid="room-flag-mark">
                    {t("rooms.flagged")}
                  </span>
                )}
                <strong>{row.name}</strong>
                <span class="room-meta">
                  {row.age !== null && t("rooms.age", { n: row.age })}
                  {row.careLevel && ` ・ ${row.careLevel}`}
                  {row.closed && ` ・ ${t("rooms.closed")}`}
                </span>
              </span>
              {row.unread > 0 && (
                <span class="unread" data-testid="unread-count" aria-label={t("rooms.unreadLabel", { n: row.unread })}>
                  {row.unread}
                </span>
              )}
              <span class="room-last">
                {row.lastAt ? (
                  <>
                    <span class="room-last-time">{formatPostTime(row.lastAt)}</span>
                    {row.lastTitle && <span class="title-chip">{row.lastTitle}</span>}
                    <span class="room-last-body">{row.lastBody}</span>
                  </>
                ) : (
                  <span class="hint">{t("rooms.noPosts")}</span>
                )}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Rooms() {
  const { me } = useAppState();
  return (
    <div class="home">
      <RoomList />
      {me && (
        <p class="hint signed-in-as">
          {t("home.greeting", { name: me.user.name })} ・ {me.user.officeName}
        </p>
      )}
    </div>
  );
}
