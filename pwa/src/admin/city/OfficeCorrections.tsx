/** The corrections part of an office's screen: its details corrected, a paper 様式4-1, its
 * staff and former staff, the correction history, and closing or merging it. */
import { useState } from "preact/hooks";
import { todayInJapan } from "../../local/era";
import { addNotice } from "../../store";
import { adminApi, type Office } from "../api";
import { correctionApi, type OfficeCorrection, type OfficeDetail as Detail } from "../corrections-api";
import { adminHref } from "../helpers";
import { ta } from "../messages";
import { day, ErrorBox, Input, Section, Select, useLoad } from "../ui";
import { ChangeHistory } from "./ChangeHistory";
import { officeOptions } from "./shared";
import { codeLabel, codeOptions } from "../../local/labels";
import { changedFields } from "../../local/corrections";

const FIELDS = ["name", "nameKana", "kind", "postalCode", "address", "phone", "fax"] as const;

function CorrectOffice({ office, onDone }: { office: Office; onDone: (d: Detail) => void }) {
  const start: Record<(typeof FIELDS)[number], string> = {
    name: office.name,
    nameKana: office.nameKana,
    kind: office.kind,
    postalCode: office.postalCode,
    address: office.address,
    phone: office.phone,
    fax: office.fax,
  };
  const [form, setForm] = useState({ ...start, note: "" });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    // Only changed fields; the kind comes from a list of the server's codes (it checks them).
    const body: Record<string, string> = changedFields(start, form, FIELDS);
    if (form.note.trim()) body.note = form.note.trim();
    try {
      onDone(await correctionApi.correctOffice(office.id, body as OfficeCorrection));
      addNotice("success", ta("fix.saved"));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate class="admin-form-grid" data-testid="office-correct">
      <Input id="ofix-name" label={ta("office.name")} value={form.name} onValue={set("name")} required />
      <Input id="ofix-kana" label={ta("office.nameKana")} value={form.nameKana} onValue={set("nameKana")} />
      <Select id="ofix-kind" label={ta("office.kind")} value={form.kind} onValue={set("kind")} options={codeOptions("officeKind")} />
      <Input id="ofix-postal" label={ta("office.postalCode")} value={form.postalCode} onValue={set("postalCode")} />
      <Input id="ofix-address" label={ta("office.address")} value={form.address} onValue={set("address")} />
      <Input id="ofix-phone" label={ta("office.phone")} value={form.phone} onValue={set("phone")} type="tel" />
      <Input id="ofix-fax" label={ta("office.fax")} value={form.fax} onValue={set("fax")} type="tel" />
      <Input id="ofix-note" label={ta("fix.note")} value={form.note} onValue={set("note")} />
      <ErrorBox error={error} testId="office-correct-error" />
      <div>
        <button type="submit" class="primary" data-testid="office-correct-save">
          {ta("fix.save")}
        </button>
      </div>
    </form>
  );
}

function RecordPledge({ office, version, onDone }: { office: Office; version: string; onDone: (d: Detail) => void }) {
  const [representative, setRepresentative] = useState("");
  const [acceptedOn, setAcceptedOn] = useState(todayInJapan());
  const [error, setError] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      onDone(await correctionApi.recordOfficePledge(office.id, { representative: representative.trim(), version, acceptedOn }));
      addNotice("success", ta("office.pledgeRecorded"));
      setRepresentative("");
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={save} noValidate class="admin-form-grid" data-testid="office-pledge">
      <Input id="opledge-rep" label={ta("office.pledgeRepresentative")} value={representative} onValue={setRepresentative} required />
      <Input id="opledge-date" label={ta("fix.pledgeDate").replace("4-2", "4-1")} value={acceptedOn} onValue={setAcceptedOn} type="date" required />
      <ErrorBox error={error} testId="office-pledge-error" />
      <div>
        <button type="submit" class="primary" data-testid="office-pledge-save">
          {ta("office.pledgeRecord")}
        </button>
      </div>
    </form>
  );
}

function CloseOffice({ detail, version, onDone }: { detail: Detail; version: string; onDone: () => void }) {
  const offices = useLoad(() => adminApi.offices());
  const [reason, setReason] = useState<"closed" | "merged">("merged");
  const [staff, setStaff] = useState<"stop" | "transfer">("transfer");
  const [target, setTarget] = useState("");
  const [stayInRooms, setStayInRooms] = useState(true);
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const office = detail.office;
  const others = (offices.data ?? []).filter((o) => o.id !== office.id && !o.closedAt);
  const needsTarget = reason === "merged" || staff === "transfer";
  const people = detail.staff.filter((u) => u.status !== "stopped").length;
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    if (!confirm(ta("office.closeConfirm", { office: office.name, reason: codeLabel("officeClosing", reason), n: people }))) return;
    try {
      await correctionApi.closeOffice(office.id, {
        reason,
        staff,
        ...(needsTarget ? { mergedIntoId: target } : {}),
        ...(staff === "transfer" ? { stayInRooms, pledge: { version, acceptedOn: todayInJapan() } } : {}),
        note: note.trim(),
      });
      addNotice("success", ta("office.closedDone"));
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={submit} noValidate class="admin-form-grid" data-testid="office-close">
      <Select id="oclose-reason" label={ta("office.closeReason")} value={reason} onValue={(v) => setReason(v as "closed" | "merged")} options={codeOptions("officeClosing")} />
      <Select id="oclose-staff" label={ta("office.closeStaff")} value={staff} onValue={(v) => setStaff(v as "stop" | "transfer")} options={codeOptions("staffHandling")} />
      {needsTarget && <Select id="oclose-target" label={ta("office.closeTarget")} value={target} onValue={setTarget} placeholder={ta("fix.pickOffice")} options={officeOptions(others)} required />}
      {staff === "transfer" && (
        <div class="field">
          <label class="a-check">
            <input type="checkbox" data-testid="oclose-stay" checked={stayInRooms} onChange={(e) => setStayInRooms((e.currentTarget as HTMLInputElement).checked)} /> {ta("office.closeStay")}
          </label>
        </div>
      )}
      <Input id="oclose-note" label={ta("fix.note")} value={note} onValue={setNote} />
      <ErrorBox error={error} testId="office-close-error" />
      <div>
        <button type="submit" class="danger" data-testid="office-close-submit">
          {ta("office.close")}
        </button>
      </div>
    </form>
  );
}

export function OfficeCorrections({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { data, error, setData, reload } = useLoad(() => correctionApi.office(id), [id]);
  const help = useLoad(() => adminApi.adminHelp());
  if (!data) return error ? <ErrorBox error={error} /> : null;
  const o = data.office;
  const version = help.data?.pledge.version ?? "";
  const closed = Boolean(o.closedAt);
  const changed = (d: Detail) => {
    setData(d);
    onChanged();
  };
  return (
    <div data-testid="office-corrections" data-closed={closed ? "yes" : "no"}>
      {closed && (
        <p class="form-error" role="status" data-testid="office-closed">
          {ta("office.closedBadge", { reason: codeLabel("officeClosing", o.closedReason), date: day(o.closedAt) })}
        </p>
      )}
      <Section title={ta("office.staff")} testId="office-staff">
        {data.staff.length === 0 && <p>{ta("a.empty")}</p>}
        <ul class="plain-list">
          {data.staff.map((u) => (
            <li key={u.id}>
              <a href={adminHref("users", u.id)}>{u.name}</a>（{u.jobTypeLabel}・{codeLabel("userStatus", u.status)}）
            </li>
          ))}
        </ul>
      </Section>
      {data.formerStaff.length > 0 && (
        <Section title={ta("office.formerStaff")}>
          <ul class="plain-list">
            {data.formerStaff.map((u) => (
              <li key={u.id}>
                <a href={adminHref("users", u.id)}>{u.name}</a>（{u.officeName ?? ""}）
              </li>
            ))}
          </ul>
        </Section>
      )}
      {!closed && (
        <div class="admin-two">
          <Section title={ta("fix.edit")}>
            <CorrectOffice key={`${o.name}|${o.kind}|${o.phone}`} office={o} onDone={changed} />
          </Section>
          <Section title={ta("office.pledgeRecord")}>
            <RecordPledge office={o} version={version} onDone={changed} />
          </Section>
        </div>
      )}
      <Section title={ta("fix.history")}>
        <ChangeHistory changes={data.changes} />
      </Section>
      {!closed && (
        <Section title={ta("office.close")}>
          <CloseOffice
            detail={data}
            version={version}
            onDone={() => {
              reload();
              onChanged();
            }}
          />
        </Section>
      )}
    </div>
  );
}
