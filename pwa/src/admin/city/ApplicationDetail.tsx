/** One application: what was asked, its history, approve or reject. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { codeLabel } from "../../local/labels";
import { adminApi, type Application, type UserRef } from "../api";
import { adminHref, eraText } from "../helpers";
import { ta } from "../messages";
import { dateTime, day, ErrorBox, Facts, Input, Loading, Section, TextArea, useLoad } from "../ui";
import { CancelStop } from "./ScheduledStops";
import { DuplicateWarning, isDuplicateWarning } from "./DuplicateWarning";
import { applicationSections } from "./applicationLayouts";

/** The application as its form: sections of labelled rows, the members' table, the titles. */
function FormView({ application }: { application: Application }) {
  const sections = applicationSections(application);
  if (!sections) return <p class="hint">{ta("f.noLayout")}</p>;
  return (
    <>
      {sections.map((section) => (
        <section class="application-form-section" key={section.heading} data-testid="application-section">
          <h3>{section.heading}</h3>
          {section.rows && <Facts rows={section.rows.map((r) => [r.label, r.value])} />}
          {section.table && (
            <table class="admin-table compact" data-testid="application-members">
              <thead>
                <tr>
                  {section.table.columns.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {section.table.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {section.list && (section.list.length ? <ol class="plain-list">{section.list.map((item) => <li key={item}>{item}</li>)}</ol> : <p>{ta("f.defaultTitles")}</p>)}
        </section>
      ))}
    </>
  );
}

function People({ users }: { users: UserRef[] }) {
  if (!users.length) return null;
  return (
    <ul class="plain-list">
      {users.map((u) => (
        <li key={u.id}>
          <a href={adminHref("users", u.id)}>{u.name}</a>（{u.jobTypeLabel}・{u.officeName ?? "—"}）
        </li>
      ))}
    </ul>
  );
}

/**
 * A room-join request that names the patient: the rooms whose patient matches, and a search
 * over the open rooms for the rare case where none does. The clerk chooses one.
 */
function RoomChoice({ application, roomId, onRoom }: { application: Application; roomId: string; onRoom: (id: string) => void }) {
  const candidates = useLoad(() => adminApi.roomCandidates(application.id), [application.id]);
  const [q, setQ] = useState("");
  const [searched, setSearched] = useState("");
  const found = useLoad(() => (searched ? adminApi.rooms("open", searched) : Promise.resolve([])), [searched]);
  return (
    <Section title={ta("app.chooseRoom")} testId="room-choice">
      <p class="hint">{ta("app.chooseRoomHint")}</p>
      {!candidates.data ? (
        <Loading error={candidates.error} />
      ) : candidates.data.length === 0 ? (
        <p class="admin-empty" data-testid="room-choice-none">
          {ta("app.noCandidates")}
        </p>
      ) : (
        <ul class="plain-list">
          {candidates.data.map((c) => (
            <li key={c.room.id} data-testid="room-candidate" data-room={c.room.id}>
              <label class="a-check">
                <input type="radio" name="room-choice" checked={roomId === c.room.id} disabled={c.room.status !== "open"} onChange={() => onRoom(c.room.id)} data-testid="room-candidate-pick" />{" "}
                <strong>{c.room.patientName}</strong>（{c.room.patientNameKana}）・{eraText(c.birthDateEra)}・{c.insuredNumber || "—"}・{c.room.label ?? "—"}・{codeLabel("roomStatus", c.room.status)}
              </label>
              <div class="a-kana">
                {c.matched.map((m) => codeLabel("duplicateMatch", m)).join("、")}・{ta("app.roomCount", { n: c.memberCount })}・{c.offices.join("、")}
              </div>
            </li>
          ))}
        </ul>
      )}
      <form
        class="admin-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearched(q.trim());
        }}
      >
        <Input id="room-choice-q" label={ta("app.roomSearch")} value={q} onValue={setQ} />
        <div class="admin-filter-buttons">
          <button type="submit" class="secondary" data-testid="room-choice-search">
            {ta("a.search")}
          </button>
        </div>
      </form>
      {(found.data ?? []).length > 0 && (
        <ul class="plain-list">
          {(found.data ?? []).map((r) => (
            <li key={r.id} data-testid="room-search-result">
              <label class="a-check">
                <input type="radio" name="room-choice" checked={roomId === r.id} onChange={() => onRoom(r.id)} />{" "}
                {r.patientName}（{r.patientNameKana}）・{r.label ?? "—"}・{ta("app.roomCount", { n: r.memberCount })}
              </label>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

const ID_KINDS = ["idCareManager", "idInvited"];

export function ApplicationDetail({ id }: { id: string }) {
  const { data, error, setData } = useLoad(() => adminApi.application(id), [id]);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [roomId, setRoomId] = useState("");
  if (!data) return <Loading error={error} />;
  const a = data;
  const choosing = a.kind === "roomJoin" && a.state === "submitted" && !a.room;

  async function act(what: "approve" | "reject") {
    setActionError(null);
    if (what === "reject" && !reason.trim()) {
      setActionError(new Error(ta("app.reasonRequired")));
      return;
    }
    if (what === "approve" && choosing && !roomId) {
      setActionError(new Error(ta("app.pickRoom")));
      return;
    }
    setBusy(true);
    try {
      const next = what === "approve" ? await adminApi.approve(a.id, note, choosing ? roomId : undefined) : await adminApi.reject(a.id, reason.trim());
      setData(next);
      addNotice("success", ta(what === "approve" ? "app.approved" : "app.rejected"));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  /** The clerk saw the possible duplicate patient and opens the room all the same. */
  async function approveDespiteDuplicate() {
    setActionError(null);
    setBusy(true);
    try {
      await adminApi.createRoom({ applicationId: a.id, allowDuplicate: true });
      setData(await adminApi.application(a.id));
      addNotice("success", ta("app.approved"));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="admin-application" data-state={a.state}>
      <p>
        <a href={adminHref("")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("app.heading")}：{codeLabel("applicationKind", a.kind, a.kindLabel)}
      </h1>
      <Facts
        rows={[
          [ta("inbox.state"), <span class={`a-badge a-badge-${a.state}`} data-testid="application-state">{codeLabel("applicationState", a.state)}</span>],
          [ta("inbox.office"), a.office?.name ?? ""],
          [ta("app.applicant"), a.applicant ? `${a.applicant.name}（${a.applicant.loginId}）` : ""],
          [ta("inbox.submitted"), dateTime(a.createdAt)],
          [ta("inbox.age"), ta("inbox.days", { n: a.ageDays })],
          [ta("app.reviewer"), a.reviewer ? `${a.reviewer.name}・${dateTime(a.reviewedAt)}` : ""],
          [ta("app.reason"), a.reason ?? ""],
          [ta("app.room"), a.room ? <a href={adminHref("rooms", a.room.id)}>{a.room.label ?? a.room.patientName}</a> : ""],
          ...(ID_KINDS.includes(a.kind)
            ? ([
                [
                  ta("app.officePledge"),
                  a.officePledge ? (
                    <span data-testid="office-pledge">{ta("app.officePledgeOn", { name: a.officePledge.signerName, version: a.officePledge.version, date: day(a.officePledge.acceptedAt) })}</span>
                  ) : (
                    <span class="a-badge a-badge-warn" data-testid="office-pledge-missing">
                      {ta("app.officePledgeMissing")} <a href={adminHref("offices", a.office?.id)}>{ta("app.toOffices")}</a>
                    </span>
                  ),
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
        ]}
      />
      {a.scheduledStop && (
        <Section title={ta("app.scheduledStop")} testId="application-stop">
          <p data-testid="application-stop-state" data-state={a.scheduledStop.state}>
            <span class="a-badge a-badge-warn">{codeLabel("stopState", a.scheduledStop.state)}</span> {dateTime(a.scheduledStop.dueAt)}
            {a.scheduledStop.cancelledBy ? `（${a.scheduledStop.cancelledBy}）` : ""}
          </p>
          {a.scheduledStop.state === "scheduled" && <CancelStop stop={a.scheduledStop} onCancelled={(s) => setData({ ...a, scheduledStop: s })} />}
        </Section>
      )}
      {choosing && <RoomChoice application={a} roomId={roomId} onRoom={setRoomId} />}
      {(a.subjectUser || a.users.length > 0) && (
        <Section title={ta("app.users")}>
          <People users={[...(a.subjectUser ? [a.subjectUser] : []), ...a.users.filter((u) => u.id !== a.subjectUser?.id)]} />
        </Section>
      )}
      <Section title={ta("app.content")} testId="application-payload">
        <FormView application={a} />
      </Section>
      {a.forms.length > 0 && (
        <Section title={ta("app.forms")}>
          <p class="admin-actions">
            {a.forms.map((f) => (
              <a key={f} class="button secondary" href={adminHref("print", f, a.id)} data-testid={`print-${f}`}>
                {ta("a.printForm", { form: f })}
              </a>
            ))}
          </p>
        </Section>
      )}
      {a.state === "submitted" && (
        <Section title={ta("a.actions")} testId="application-actions">
          {isDuplicateWarning(actionError) ? (
            <DuplicateWarning error={actionError} busy={busy} onProceed={() => void approveDespiteDuplicate()} />
          ) : (
            <ErrorBox error={actionError} testId="application-error" />
          )}
          <div class="admin-two">
            <div>
              <TextArea id="approve-note" label={ta("app.note")} value={note} onValue={setNote} rows={2} />
              <button type="button" class="primary" data-testid="application-approve" disabled={busy} onClick={() => void act("approve")}>
                {ta("app.approve")}
              </button>
            </div>
            <div>
              <TextArea id="reject-reason" label={ta("app.rejectReason")} value={reason} onValue={setReason} rows={2} required />
              <button type="button" class="danger" data-testid="application-reject" disabled={busy} onClick={() => void act("reject")}>
                {ta("app.reject")}
              </button>
            </div>
          </div>
        </Section>
      )}
      <Section title={ta("app.history")} testId="application-history">
        <ol class="history">
          {a.history.map((h, i) => (
            <li key={i}>
              <time>{dateTime(h.at)}</time> {h.actionLabel || h.action} {h.actorName ? `（${h.actorName}）` : ""} {h.note ?? ""}
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}
