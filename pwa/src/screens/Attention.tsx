/**
 * 要対応 (what needs me): across all my rooms, one line per patient, newest first —
 * posts addressed to me and still waiting, out-of-range vitals and urgent posts since I
 * last looked, rooms with new posts. Computed on the device (local/attention.ts), so it
 * works offline; clearing a line is synced per user, so desktop and phone agree. The
 * start screen on a desktop; one tap away on a phone (the room list's link).
 */
import { clearAttention, markAddresseeDone } from "../actions/contactBook";
import { hrefFor } from "../actions/navigation";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { attentionLines, type AttentionLine } from "../local/attention";
import { useData, type LocalData, type PostGlimpse } from "../local/data";
import { formatPostTime } from "../local/format";
import { VITALS_FIELDS } from "../local/vitals";

function FlaggedValues({ post }: { post: PostGlimpse }) {
  const fields = VITALS_FIELDS.filter((f) => post.flags?.[f.key]);
  return (
    <span class="flagged-values">
      {fields.map((f) => (
        <span key={f.key} class="flag-value" data-testid="flag-value">
          {codeLabel("vitalSign", f.key)} {post.vitals?.[f.key]}
          {f.unit} {post.flags?.[f.key] === "low" ? "↓" : "↑"}
        </span>
      ))}
    </span>
  );
}

function Line({ line, data }: { line: AttentionLine; data: LocalData }) {
  const patient = data.patients.get(line.roomId);
  const room = data.rooms.find((r) => r.id === line.roomId);
  const titles = data.titles.get(line.roomId) ?? [];
  const titleName = (id: string | null) => titles.find((x) => x.id === id)?.name ?? "";
  return (
    <li class="attention-line card" data-testid="attention-line" data-room-id={line.roomId}>
      <div class="attention-head">
        <a href={hrefFor("room", line.roomId)} class="attention-patient" data-testid="attention-open">
          <strong>{patient?.name ?? room?.label ?? "—"}</strong>
        </a>
        {line.newest && <time dateTime={line.newest}>{formatPostTime(line.newest)}</time>}
      </div>
      <ul class="attention-items">
        {line.addressed.map(({ post, rows }) => (
          <li key={rows[0]?.postId} class="attention-item addressed" data-testid="attention-addressed">
            <span class="addressee-label">{t("attention.addressed")}</span>
            {post && <span class="title-chip">{titleName(post.titleId)}</span>}
            <span class="excerpt">{post?.body ?? ""}</span>
            <button type="button" class="link-button" data-testid="attention-done" onClick={() => void Promise.all(rows.map((r) => markAddresseeDone(r.id)))}>
              {t("post.markDone")}
            </button>
          </li>
        ))}
        {line.flagged.map((post) => (
          <li key={post.id} class="attention-item flagged" data-testid="attention-flagged">
            <span class="flag-mark">{t("attention.flagged")}</span>
            <FlaggedValues post={post} />
            <time dateTime={post.createdAt}>{formatPostTime(post.createdAt)}</time>
          </li>
        ))}
        {line.urgent.map((post) => (
          <li key={post.id} class="attention-item urgent" data-testid="attention-urgent">
            <span class="urgent-mark">{t("attention.urgent")}</span>
            <span class="title-chip">{titleName(post.titleId)}</span>
            <span class="excerpt">{post.body}</span>
          </li>
        ))}
        {line.newPosts > 0 && (
          <li class="attention-item" data-testid="attention-new">
            {t("attention.new", { n: line.newPosts })}
          </li>
        )}
      </ul>
      <div class="attention-actions">
        <a class="button secondary" href={hrefFor("room", line.roomId)}>
          {t("attention.open")}
        </a>
        {(line.flagged.length > 0 || line.urgent.length > 0 || line.newPosts > 0) && (
          <button type="button" class="secondary" data-testid="attention-clear" onClick={() => void clearAttention(line.roomId, line.upTo)}>
            {t("attention.clear")}
          </button>
        )}
      </div>
    </li>
  );
}

export function AttentionView({ embedded = false }: { embedded?: boolean }) {
  const data = useData();
  const lines = attentionLines(data);
  return (
    <section class={embedded ? "attention attention-embedded" : "attention"} aria-labelledby="attention-heading" data-testid="attention">
      {embedded ? <h2 id="attention-heading">{t("attention.heading")}</h2> : <ScreenHeading text={t("attention.heading")} id="attention-heading" />}
      <p class="hint">{t("attention.intro")}</p>
      {!data.ready && <p class="hint">{t("common.loading")}</p>}
      {data.ready && lines.length === 0 && (
        <p class="placeholder" data-testid="attention-none">
          {t("attention.none")}
        </p>
      )}
      <ul class="attention-lines">
        {lines.map((line) => (
          <Line key={line.roomId} line={line} data={data} />
        ))}
      </ul>
    </section>
  );
}

export function Attention() {
  return <AttentionView />;
}
