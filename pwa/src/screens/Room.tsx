/**
 * The contact book of one room: posts newest first, filtered by report title
 * and searched locally (so it works offline), each with its author, job
 * type, office, time, vitals, photos, comments and read/unread lists. What
 * this device wrote but has not sent yet is shown in place, marked.
 */
import { memo } from "preact/compat";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { addComment, deleteComment, deletePost, discardRejected, editPost, editRejected, markAddresseeDone, markRead, markUnread } from "../actions/contactBook";
import { hrefFor, navigate } from "../actions/navigation";
import { FormError } from "../components/Field";
import { FlagArrow } from "../components/VitalFlag";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { getData, myReceipt, openRoom, useData, type LocalData } from "../local/data";
import { ageOn, todayInJapan } from "../local/era";
import { formatPostTime } from "../local/format";
import { careLevelLabel, codeLabel, jobTypeLabel } from "../local/labels";
import { localPhotoUrl } from "../local/photos";
import { documentsOf } from "../local/documents";
import { addresseeState, unreadMarks } from "../local/attention";
import { flagsFor, hasFlags, rangesInForce, VITALS_FIELDS, type Flags } from "../local/vitals";
import type { OutboxEntry } from "../sync/outbox";
import { loadReaders, thumbnailUrl, type ThumbnailOwner } from "../sync/remote";
import { DocumentCard, PendingDocument } from "./Documents";
import type { AddresseeData, CommentData, MemberData, PostData, Readers } from "../sync/wire";
import { useAppState } from "../store";
import { foldKana } from "./Rooms";

/** A post as the room shows it: synced, or still in the outbox (no room version yet). */
export type PostView = Omit<PostData, "version"> & {
  version?: number;
  pending?: "sending" | "sent";
  localPhotos?: string[];
  /** Documents of a post still on this device (not yet uploaded). */
  localDocuments?: { localId: string; name: string; size: number }[];
};
export type CommentView = Omit<CommentData, "roomId" | "version"> & { roomId?: string; version?: number; pending?: boolean };

/** Synced posts with this device's unsent changes laid over them. */
export function postsWithOutbox(data: LocalData, roomId: string): { posts: PostView[]; comments: Map<string, CommentView[]> } {
  const open = data.open?.roomId === roomId ? data.open : null;
  const synced = open?.posts ?? [];
  const known = new Set(synced.map((p) => p.id));
  const deleted = new Set<string>();
  const edits = new Map<string, string>();
  const deletedComments = new Set<string>();
  const created: PostView[] = [];
  const comments = new Map<string, CommentView[]>(open ? [...open.comments].map(([k, v]) => [k, [...v]]) : []);
  const knownComments = new Set([...comments.values()].flat().map((c) => c.id));
  const entries: [OutboxEntry, "sending" | "sent"][] = [
    ...data.acked.map((e) => [e, "sent"] as [OutboxEntry, "sent"]),
    ...data.outbox.filter((e) => e.status === "pending").map((e) => [e, "sending"] as [OutboxEntry, "sending"]),
  ];
  const myId = data.me?.user.id ?? "";
  const ranges = rangesInForce(data.thresholds.get(roomId));
  for (const [entry, state] of entries) {
    if (entry.name === "post.create" && entry.args.roomId === roomId && !known.has(entry.args.id)) {
      const a = entry.args;
      // Flagged here as the server will flag it, so the card looks the same before and after.
      const flags = flagsFor(a.vitals, ranges);
      created.push({
        id: a.id,
        roomId,
        authorId: myId,
        reportTitleId: a.reportTitleId,
        kind: a.kind ?? "normal",
        closingReason: a.closingReason ?? null,
        body: a.body ?? "",
        urgent: a.urgent === true || (hasFlags(flags) && a.flagUrgent !== false),
        vitals: a.vitals ?? null,
        vitalsFlags: hasFlags(flags) ? (flags as Record<string, "low" | "high">) : null,
        addresseeIds: a.addresseeIds ?? [],
        asksAnswer: a.asksAnswer === true,
        attachmentIds: [],
        documents: [],
        createdAt: entry.createdAt,
        editedAt: null,
        imported: false,
        pending: state,
        localPhotos: (entry.photos ?? []).filter((p) => !p.document).map((p) => p.localId),
        localDocuments: (entry.photos ?? []).flatMap((p) => (p.document ? [{ localId: p.localId, ...p.document }] : [])),
      });
    } else if (entry.name === "post.delete") deleted.add(entry.args.id);
    else if (entry.name === "post.edit" && typeof entry.args.body === "string") edits.set(entry.args.id, entry.args.body);
    else if (entry.name === "comment.delete") deletedComments.add(entry.args.id);
    else if (entry.name === "comment.create" && !knownComments.has(entry.args.id)) {
      const { id, postId, body, addresseeIds, asksAnswer } = entry.args;
      const list = comments.get(postId) ?? [];
      list.push({ id, postId, authorId: myId, body, createdAt: entry.createdAt, pending: true, addresseeIds: addresseeIds ?? [], asksAnswer: asksAnswer === true });
      comments.set(postId, list);
    }
  }
  for (const [postId, list] of comments) comments.set(postId, list.filter((c) => !deletedComments.has(c.id)));
  const posts = [
    ...created.reverse(),
    ...synced
      .filter((p) => !deleted.has(p.id))
      .map((p): PostView => {
        const body = edits.get(p.id);
        return body === undefined ? p : { ...p, body, pending: "sending" };
      }),
  ];
  return { posts, comments };
}

function memberOf(members: MemberData[] | undefined, userId: string): MemberData | undefined {
  return members?.find((m) => m.userId === userId);
}

export function authorLine(member: MemberData | undefined): { name: string; job: string; office: string } {
  if (!member) return { name: t("post.formerMember"), job: "", office: "" };
  return {
    name: member.name || "—",
    job: jobTypeLabel(member.jobType),
    office: member.officeName ?? "",
  };
}

function Thumb({ attachmentId, localId, owner }: { attachmentId?: string; localId?: string; owner?: ThumbnailOwner }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [full, setFull] = useState(false);
  const [fullOffline, setFullOffline] = useState(false);
  useEffect(() => {
    let live = true;
    const load = localId ? localPhotoUrl(localId) : attachmentId ? thumbnailUrl(attachmentId, full, owner) : Promise.resolve(null);
    void load.then((u) => {
      if (!live) return;
      if (full && !u) {
        // Full-size photos are online only: keep showing the thumbnail and say so.
        setFull(false);
        setFullOffline(true);
        return;
      }
      setUrl(u);
      setFailed(!u);
    });
    return () => {
      live = false;
    };
  }, [attachmentId, localId, full]);
  if (failed) return <span class="thumb thumb-missing">{t("post.photoOffline")}</span>;
  if (!url) return <span class="thumb thumb-loading" aria-hidden="true" />;
  return (
    <>
      <button type="button" class={full ? "thumb-button thumb-full" : "thumb-button"} onClick={() => { setFullOffline(false); setFull(!full); }} aria-label={full ? t("post.photoSmaller") : t("post.photoLarger")}>
        <img class="thumb" src={url} alt={t("post.photoAlt")} data-testid="post-photo" />
      </button>
      {fullOffline && (
        <span class="hint" role="status" data-testid="photo-full-offline">
          {t("post.photoFullOffline")}
        </span>
      )}
    </>
  );
}

function VitalsTable({ vitals, flags }: { vitals: NonNullable<PostData["vitals"]>; flags: Flags | null }) {
  const fields = VITALS_FIELDS.filter((f) => vitals[f.key] !== undefined);
  if (!fields.length) return null;
  return (
    <dl class="vitals" data-testid="post-vitals">
      {fields.map((f) => {
        const value = vitals[f.key] as number;
        const flag = flags?.[f.key];
        return (
          <div key={f.key} class={flag ? "vital unusual" : "vital"} data-flag={flag} title={flag ? codeLabel("vitalFlag", flag) : undefined}>
            <dt>{codeLabel("vitalSign", f.key)}</dt>
            <dd>
              {value}
              <span class="unit">{f.unit}</span>
              {flag && <FlagArrow flag={flag} />}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** 宛先 of a post or comment: each addressee with where they are, and my own buttons. */
function AddresseeLine({ rows, members, myId, authorId }: { rows: AddresseeData[]; members: MemberData[] | undefined; myId: string; authorId: string }) {
  const data = useData();
  if (!rows.length) return null;
  const states = rows.map((row) => ({ row, state: addresseeState(row, data), name: memberOf(members, row.userId)?.name ?? t("post.formerMember") }));
  const waitingNames = states.filter((x) => x.state === "waiting").map((x) => x.name);
  return (
    <div class="addressee-line" data-testid="addressees-line">
      <span class="addressee-label">{t("post.to")}</span>
      <ul class="addressee-list">
        {states.map(({ row, state, name }) => (
          <li key={row.id} class={`addressee addressee-${state}`} data-testid="addressee" data-state={state} data-user={row.userId}>
            {row.userId === myId ? <strong>{t("post.toMe")}</strong> : name}
            <span class="addressee-state">（{state === "waiting" ? (row.asksAnswer ? t("post.waiting") : t("post.noAnswerNeeded")) : t(`post.${state}`)}）</span>
            {row.userId === myId && state !== "answered" && (
              <button type="button" class="link-button" data-testid={state === "waiting" ? "addressee-done" : "addressee-undo"} onClick={() => void markAddresseeDone(row.id, state === "waiting")}>
                {state === "waiting" ? t("post.markDone") : t("post.markWaiting")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {authorId === myId && waitingNames.length > 0 && (
        <p class="hint" data-testid="not-answered">
          {t("post.notAnswered", { names: waitingNames.join("、") })}
        </p>
      )}
    </div>
  );
}

function ReadersList({ roomId, postId }: { roomId: string; postId: string }) {
  const [readers, setReaders] = useState<Readers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  async function toggle() {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    setError(null);
    try {
      setReaders(await loadReaders(roomId, postId));
    } catch {
      setError(t("post.readersOffline"));
    }
  }
  return (
    <div class="readers">
      <button type="button" class="link-button" aria-expanded={open} onClick={() => void toggle()} data-testid="readers-toggle">
        {t("post.readers")}
      </button>
      {open && error && <p class="hint">{error}</p>}
      {open && readers && (
        <div class="readers-lists" data-testid="readers">
          <div>
            <h4>{t("post.read", { n: readers.read.length })}</h4>
            <ul>{readers.read.map((r) => <li key={r.userId}>{r.name}</li>)}</ul>
          </div>
          <div>
            <h4>{t("post.unread", { n: readers.unread.length })}</h4>
            <ul>{readers.unread.map((r) => <li key={r.userId}>{r.name}</li>)}</ul>
          </div>
        </div>
      )}
    </div>
  );
}

function CommentForm({ postId, members, myId }: { postId: string; members: MemberData[] | undefined; myId: string }) {
  const [body, setBody] = useState("");
  const [to, setTo] = useState("");
  const [asks, setAsks] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const result = await addComment(postId, body, to ? [to] : [], asks);
    if (result.ok) {
      setBody("");
      setTo("");
      setAsks(false);
    } else setError(result.message);
  }
  const others = (members ?? []).filter((m) => m.userId !== myId && !m.leftAt);
  const id = `comment-${postId}`;
  return (
    <form class="comment-form" onSubmit={submit}>
      <label for={id} class="visually-hidden">
        {t("comment.label")}
      </label>
      <textarea id={id} rows={1} value={body} placeholder={t("comment.placeholder")} data-testid="comment-input" onInput={(e) => setBody(e.currentTarget.value)} />
      {others.length > 0 && (
        <span class="comment-to">
          <label for={`${id}-to`}>{t("comment.to")}</label>
          <select id={`${id}-to`} value={to} data-testid="comment-to" onChange={(e) => setTo(e.currentTarget.value)}>
            <option value="">{t("comment.toNobody")}</option>
            {others.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
          {to && (
            <label class="check">
              <input type="checkbox" checked={asks} onChange={(e) => setAsks(e.currentTarget.checked)} />
              {t("comment.asksAnswer")}
            </label>
          )}
        </span>
      )}
      <button type="submit" class="secondary" data-testid="comment-submit" disabled={!body.trim()}>
        {t("comment.submit")}
      </button>
      <FormError message={error} testId="comment-error" />
    </form>
  );
}

type PostCardProps = {
  post: PostView;
  comments: CommentView[];
  members: MemberData[] | undefined;
  titleName: string;
  myId: string;
  canWrite: boolean;
  keepPhotos: boolean;
  addressees: AddresseeData[];
  /** New since my last visit, or marked unread again by me. */
  fresh: "new" | "unread" | null;
  onSeen: (postId: string) => void;
};

const NO_ADDRESSEES: AddresseeData[] = [];

/** Memoised: showing more posts does not re-render the ones already shown. */
const PostCard = memo(function PostCard({ post, comments, members, titleName, myId, canWrite, keepPhotos, addressees, fresh, onSeen }: PostCardProps) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // Seen once it has been on screen: scrolled to, or scrolled past.
    if (!fresh || !ref.current || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onSeen(post.id);
    }, { threshold: 0.6 });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [fresh, post.id, onSeen]);
  const flagged = hasFlags(post.vitalsFlags);
  const author = authorLine(memberOf(members, post.authorId));
  const owner = { roomId: post.roomId, postId: post.id, keep: keepPhotos };
  const docs = documentsOf(post);
  const docIds = new Set(docs.map((d) => d.id));
  const photoIds = post.attachmentIds.filter((id) => !docIds.has(id));
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [editError, setEditError] = useState<string | null>(null);
  async function saveEdit(e: Event) {
    e.preventDefault();
    if (editing === null) return;
    const result = await editPost(post.id, post.version ?? 0, editing);
    if (result.ok) setEditing(null);
    else setEditError(result.message);
  }
  return (
    <article
      ref={ref}
      tabIndex={-1}
      class={["post card", post.urgent ? "urgent" : "", flagged ? "flagged" : "", fresh ? "fresh" : ""].filter(Boolean).join(" ")}
      data-testid="post"
      data-post-id={post.id}
      data-pending={post.pending}
      data-flagged={flagged ? "true" : undefined}
      data-fresh={fresh ?? undefined}
      aria-labelledby={`post-${post.id}-title`}
      onClick={() => fresh && onSeen(post.id)}
    >
      <header class="post-head">
        <h2 id={`post-${post.id}-title`} class="post-title">
          {fresh && (
            <span class="new-mark" data-testid="new-mark">
              {fresh === "new" ? t("post.new") : t("post.unreadAgain")}
            </span>
          )}
          {post.urgent && <span class="urgent-mark">{t("post.urgent")}</span>}
          {flagged && (
            <span class="flag-mark" data-testid="flag-mark">
              {t("vitals.outOfRange")}
            </span>
          )}
          {post.kind === "closingRequest" && <span class="closing-mark">{t("post.closingRequest")}</span>}
          <span class="title-chip">{titleName}</span>
        </h2>
        <p class="post-author">
          <strong>{author.name}</strong>
          {author.job && <span> ・ {author.job}</span>}
          {author.office && <span> ・ {author.office}</span>}
        </p>
        <p class="post-time">
          <time dateTime={post.createdAt}>{formatPostTime(post.createdAt)}</time>
          {post.editedAt && <span> {t("post.edited")}</span>}
          {post.imported && (
            <span class="post-imported" data-testid="post-imported">
              {" "}
              {t("post.imported")}
            </span>
          )}
          {post.pending === "sending" && (
            <span class="pending-mark" data-testid="pending-mark">
              {t("post.pending")}
            </span>
          )}
        </p>
      </header>
      {post.vitals && <VitalsTable vitals={post.vitals} flags={post.vitalsFlags as Flags | null} />}
      <AddresseeLine rows={addressees.filter((a) => !a.commentId)} members={members} myId={myId} authorId={post.authorId} />
      {post.kind === "closingRequest" && post.closingReason && (
        <p class="closing-reason">{t("closing.reasonLine", { reason: codeLabel("closingReason", post.closingReason) })}</p>
      )}
      {editing === null ? (
        post.body && <p class="post-body">{post.body}</p>
      ) : (
        <form class="edit-form" onSubmit={saveEdit}>
          <label for={`edit-${post.id}`} class="visually-hidden">
            {t("post.edit")}
          </label>
          <textarea id={`edit-${post.id}`} rows={6} value={editing} data-testid="post-edit-body" onInput={(e) => setEditing(e.currentTarget.value)} />
          <FormError message={editError} testId="post-edit-error" />
          <div class="form-actions">
            <button type="submit" class="primary" data-testid="post-edit-save">
              {t("post.editSave")}
            </button>
            <button type="button" class="secondary" onClick={() => setEditing(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      )}
      {(photoIds.length > 0 || (post.localPhotos?.length ?? 0) > 0) && (
        <div class="photos">
          {photoIds.map((id) => (
            <Thumb key={id} attachmentId={id} owner={owner} />
          ))}
          {post.localPhotos?.map((id) => <Thumb key={id} localId={id} />)}
        </div>
      )}
      {(docs.length > 0 || (post.localDocuments?.length ?? 0) > 0) && (
        <ul class="documents" aria-label={t("document.label")}>
          {docs.map((doc) => (
            <li key={doc.id}>
              <DocumentCard doc={doc} owner={owner} />
            </li>
          ))}
          {post.localDocuments?.map((d) => <PendingDocument key={d.localId} name={d.name} size={d.size} />)}
        </ul>
      )}
      {!post.pending && <ReadersList roomId={post.roomId} postId={post.id} />}
      {comments.length > 0 && (
        <ul class="comments" aria-label={t("comment.heading")}>
          {comments.map((c) => {
            const a = authorLine(memberOf(members, c.authorId));
            return (
              <li key={c.id} data-testid="comment">
                <p class="comment-author">
                  <strong>{a.name}</strong>
                  {a.job && <span> ・ {a.job}</span>} <time dateTime={c.createdAt}>{formatPostTime(c.createdAt)}</time>
                  {c.pending && <span class="pending-mark">{t("post.pending")}</span>}
                </p>
                <p class="comment-body">{c.body}</p>
                <AddresseeLine rows={addressees.filter((a) => a.commentId === c.id)} members={members} myId={myId} authorId={c.authorId} />
                {c.authorId === myId && !c.pending && (
                  <button type="button" class="link-button" onClick={() => void deleteComment(c.id)}>
                    {t("comment.delete")}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!post.pending && canWrite && <CommentForm postId={post.id} members={members} myId={myId} />}
      {!post.pending && post.authorId !== myId && !fresh && (
        <button type="button" class="link-button" data-testid="mark-unread" onClick={(e) => { e.stopPropagation(); void markUnread(post.id, true); }}>
          {t("post.markUnread")}
        </button>
      )}
      {post.authorId === myId && !post.pending && (
        <div class="post-actions">
          {confirming ? (
            <>
              <span>{t("post.deleteConfirm")}</span>
              <button type="button" class="danger" onClick={() => void deletePost(post.id)}>
                {t("post.delete")}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                {t("common.cancel")}
              </button>
            </>
          ) : (
            <>
              {editing === null && post.kind !== "closingRequest" && (
                <button type="button" class="link-button" data-testid="post-edit" onClick={() => setEditing(post.body)}>
                  {t("post.edit")}
                </button>
              )}
              <button type="button" class="link-button" onClick={() => setConfirming(true)}>
                {t("post.delete")}
              </button>
            </>
          )}
        </div>
      )}
    </article>
  );
});

function Rejected({ entries }: { entries: OutboxEntry[] }) {
  if (!entries.length) return null;
  return (
    <section class="card rejected" role="alert" data-testid="rejected">
      <h2>{t("sync.rejectedHeading")}</h2>
      <ul class="item-list">
        {entries.map((e) => (
          <li key={e.id}>
            <div class="item-text">
              <strong>{t(`mutation.${e.name}`)}</strong>
              {"body" in e.args && typeof e.args.body === "string" && <span class="excerpt">{e.args.body.slice(0, 60)}</span>}
              <span>{t("sync.reason", { reason: e.reason || t("error.generic") })}</span>
            </div>
            {e.name === "post.create" && (
              <button type="button" class="secondary" onClick={() => void editRejected(e)}>
                {t("sync.edit")}
              </button>
            )}
            <button type="button" class="secondary" data-testid="rejected-discard" onClick={() => void discardRejected(e.id)}>
              {t("sync.discard")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RoomHeader({ roomId, current }: { roomId: string; current: "room" | "patient" | "vitals" | "record" | "compose" }) {
  const data = useData();
  const patient = data.patients.get(roomId);
  const age = patient?.birthDate ? ageOn(patient.birthDate, todayInJapan()) : null;
  const links: ["room" | "patient" | "vitals" | "record", string][] = [
    ["room", t("room.contactBook")],
    ["patient", t("room.patient")],
    ["vitals", t("room.vitals")],
    ["record", t("room.record")],
  ];
  return (
    <div class="room-header">
      <div class="room-title">
        <ScreenHeading text={patient?.name ?? t("room.unknown")} />
        <p class="room-meta">
          {age !== null && t("rooms.age", { n: age })}
          {patient?.careLevel && ` ・ ${careLevelLabel(patient.careLevel)}`}
        </p>
      </div>
      <nav class="room-tabs" aria-label={t("room.sections")}>
        {links.map(([screen, label]) => (
          <a key={screen} href={hrefFor(screen, roomId)} aria-current={current === screen ? "page" : undefined} data-testid={`tab-${screen}`}>
            {label}
          </a>
        ))}
      </nav>
    </div>
  );
}

/** Posts rendered at first and per step: a room of 1,000 posts opens with one screenful. */
export const PAGE_SIZE = 30;
const NO_COMMENTS: CommentView[] = [];

function MoreSentinel({ onMore }: { onMore: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore();
    }, { rootMargin: "600px" });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [onMore]);
  return <div ref={ref} class="more-sentinel" aria-hidden="true" />;
}

export function Room() {
  const { roomId, sync } = useAppState();
  const data = useData();
  const [titleFilter, setTitleFilter] = useState("");
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState(PAGE_SIZE);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => setLimit(PAGE_SIZE), [titleFilter, query]);

  const opened = data.open?.roomId === roomId;
  // Asked again whenever the open room is not this one (openRoom lets only the latest ask win).
  useEffect(() => {
    if (roomId && data.ready && getData().open?.roomId !== roomId) void openRoom(roomId);
  }, [roomId, data.ready, opened]);

  const myId = data.me?.user.id ?? "";
  // What was new when I came in stays marked until it has been on screen (scrolled to or
  // past, or tapped); my own unread-again marks from before this visit likewise.
  const visit = useRef<{ base: number; marks: Set<string> } | null>(null);
  const [seen, setSeen] = useState<ReadonlySet<string>>(new Set());
  if (opened && roomId && !visit.current) visit.current = { base: myReceipt(data.receipts.get(roomId), myId), marks: unreadMarks(data, roomId) };
  const onSeen = useCallback((postId: string) => {
    setSeen((before) => (before.has(postId) ? before : new Set(before).add(postId)));
    if (visit.current?.marks.has(postId)) {
      visit.current.marks.delete(postId);
      void markUnread(postId, false);
    }
  }, []);
  const base = visit.current?.base ?? Number.MAX_SAFE_INTEGER;
  const newIds = useMemo(
    () => (data.open?.roomId === roomId ? data.open.posts.filter((p) => (p.version ?? 0) > base && p.authorId !== myId) : []),
    [data.open, roomId, base, myId],
  );
  useEffect(() => {
    if (!roomId || !opened) return;
    const unseen = newIds.filter((p) => !seen.has(p.id)).map((p) => p.version ?? 0);
    void markRead(roomId, unseen.length ? Math.min(...unseen) - 1 : undefined);
  }, [roomId, opened, data.open?.posts.length, seen, newIds]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (e.key === "/") {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === "n" && roomId) {
        e.preventDefault();
        navigate("compose", roomId);
      } else if (e.key === "j" || e.key === "k") {
        // Next / previous post, as in mail readers.
        const posts = [...document.querySelectorAll<HTMLElement>("[data-testid=post]")];
        const at = posts.findIndex((p) => p === document.activeElement || p.contains(document.activeElement));
        const next = posts[e.key === "j" ? Math.min(at + 1, posts.length - 1) : Math.max(at - 1, 0)];
        if (next) {
          e.preventDefault();
          next.focus();
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [roomId]);

  const { posts, comments } = useMemo(() => (roomId ? postsWithOutbox(data, roomId) : { posts: [], comments: new Map() }), [data, roomId]);
  const titles = roomId ? (data.titles.get(roomId) ?? []) : [];
  const titleName = (id: string | null) => titles.find((x) => x.id === id)?.name ?? "—";
  const q = foldKana(query);
  const shown = posts.filter(
    (p) =>
      (!titleFilter || p.reportTitleId === titleFilter) &&
      (!q || foldKana(p.body).includes(q) || (comments.get(p.id) ?? []).some((c: CommentView) => foldKana(c.body).includes(q))),
  );
  const rejected = data.outbox.filter((e) => e.status === "rejected" && (e.name !== "post.create" || e.args.roomId === roomId));
  const room = data.rooms.find((r) => r.id === roomId);
  const addresseesByPost = useMemo(() => {
    const map = new Map<string, AddresseeData[]>();
    for (const row of (roomId && data.addressees.get(roomId)) || []) map.set(row.postId, [...(map.get(row.postId) ?? []), row]);
    return map;
  }, [data.addressees, roomId]);
  const marks = roomId ? unreadMarks(data, roomId) : new Set<string>();
  const newSet = new Set(newIds.map((p) => p.id));
  const freshOf = (post: PostView): "new" | "unread" | null =>
    post.pending ? null : marks.has(post.id) && !seen.has(post.id) ? "unread" : newSet.has(post.id) ? "new" : null;
  const members = roomId ? data.members.get(roomId) : undefined;
  const me = members ? memberOf(members, myId) : undefined;
  const canWrite = room?.status !== "closed" && (me?.permission ?? "write") === "write";

  if (!roomId) return null;
  if (data.ready && !room) {
    return (
      <section class="card">
        <p>{t("room.notFound")}</p>
        <a href={hrefFor("home")}>{t("room.backToRooms")}</a>
      </section>
    );
  }
  return (
    <div class="contact-book">
      <RoomHeader roomId={roomId} current="room" />
      <div class="room-toolbar">
        {canWrite && (
          <a class="button primary compose-button" href={hrefFor("compose", roomId)} data-testid="compose-link">
            {t("room.compose")}
          </a>
        )}
        <div class="field">
          <label for="title-filter">{t("room.filter")}</label>
          <select id="title-filter" data-testid="title-filter" value={titleFilter} onChange={(e) => setTitleFilter(e.currentTarget.value)}>
            <option value="">{t("room.allTitles")}</option>
            {titles.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="post-search">{t("room.search")}</label>
          <input id="post-search" ref={searchRef} type="search" data-testid="post-search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
      </div>
      <Rejected entries={rejected} />
      {sync.state === "offline" && posts.some((p) => p.attachmentIds.length > 0) && (
        <p class="hint" data-testid="photos-offline-note">
          {t("room.photosOffline")}
        </p>
      )}
      {!opened && <p class="hint">{t("common.loading")}</p>}
      {opened && shown.length === 0 && <p class="placeholder">{posts.length ? t("room.noMatch") : t("room.noPosts")}</p>}
      <div class="posts" data-testid="posts" data-total={shown.length}>
        {shown.slice(0, limit).map((post) => (
          <PostCard
            key={post.id}
            post={post}
            comments={comments.get(post.id) ?? NO_COMMENTS}
            members={members}
            titleName={titleName(post.reportTitleId)}
            myId={myId}
            canWrite={canWrite}
            keepPhotos={room?.status !== "closed"}
            addressees={addresseesByPost.get(post.id) ?? NO_ADDRESSEES}
            fresh={freshOf(post)}
            onSeen={onSeen}
          />
        ))}
      </div>
      {shown.length > limit && (
        <>
          <MoreSentinel onMore={() => setLimit((n) => n + PAGE_SIZE)} />
          <button type="button" class="secondary more-button" onClick={() => setLimit((n) => n + PAGE_SIZE)}>
            {t("room.more", { n: shown.length - limit })}
          </button>
        </>
      )}
    </div>
  );
}
