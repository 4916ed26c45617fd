/** Offices: list and register, with the office's システム管理担当者. */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi } from "../api";
import { adminHref } from "../helpers";
import { codeLabel, codeOptions } from "../../local/labels";
import { ta } from "../messages";
import { day, ErrorBox, Input, ListTable, Section, Select, useLoad } from "../ui";
import { PersonFields } from "./PersonFields";
import { EMPTY_PERSON, personIn } from "./shared";

export function Offices() {
  const { data, error, reload } = useLoad(() => adminApi.offices());
  const [form, setForm] = useState({ name: "", nameKana: "", kind: "clinic", postalCode: "", address: "", phone: "", fax: "" });
  // The office's システム管理担当者, named with the registration (mailed an activation link).
  const [manager, setManager] = useState(EMPTY_PERSON);
  const [actionError, setActionError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  async function add(e: Event) {
    e.preventDefault();
    setActionError(null);
    try {
      const named = manager.name.trim() || manager.email.trim() ? [personIn(manager)] : [];
      await adminApi.addOffice({ ...form, name: form.name.trim(), systemManagers: named });
      addNotice("success", ta("office.added"));
      setForm({ name: "", nameKana: "", kind: "clinic", postalCode: "", address: "", phone: "", fax: "" });
      setManager(EMPTY_PERSON);
      reload();
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <div data-testid="admin-offices">
      <h1>{ta("office.heading")}</h1>
      <ListTable rows={data} error={error} headers={[ta("office.name"), ta("office.kind"), ta("office.address"), ta("office.phone"), ta("office.representative"), ta("sm.heading"), ta("office.pledge"), ta("office.activeUsers")]}>
        {(o) => (
          <tr key={o.id} data-testid="office-row" data-office={o.id}>
            <td>
              <a href={adminHref("offices", o.id)} data-testid="office-open">
                {o.name}
              </a>
              <div class="a-kana">{o.nameKana}</div>
              {o.closedAt && <div class="a-kana">{codeLabel("officeClosing", o.closedReason)}</div>}
            </td>
            <td>{o.kindLabel}</td>
            <td>{[o.postalCode && `〒${o.postalCode}`, o.address].filter(Boolean).join(" ")}</td>
            <td>{o.phone}</td>
            <td>{o.representative ?? "—"}</td>
            <td data-testid="office-managers">{(o.systemManagers ?? []).length ? (o.systemManagers ?? []).map((m) => m.name).join("、") : o.kind === "city_office" ? "—" : <span class="form-error">{ta("sm.none")}</span>}</td>
            <td>
              {o.pledgedAt ? `${day(o.pledgedAt)}（${o.pledgeVersion ?? ""}）` : "—"}{" "}
              <a href={adminHref("print", "4-1", o.id)}>{ta("a.print")}</a>
            </td>
            <td class="a-num">{o.activeUsers}</td>
          </tr>
        )}
      </ListTable>
      <Section title={ta("office.add")}>
        <form onSubmit={add} noValidate class="admin-form-grid">
          <Input id="office-name" label={ta("office.name")} value={form.name} onValue={set("name")} required />
          <Input id="office-name-kana" label={ta("office.nameKana")} value={form.nameKana} onValue={set("nameKana")} />
          <Select id="office-kind" label={ta("office.kind")} value={form.kind} onValue={set("kind")} options={codeOptions("officeKind")} required />
          <Input id="office-postal" label={ta("office.postalCode")} value={form.postalCode} onValue={set("postalCode")} />
          <Input id="office-address" label={ta("office.address")} value={form.address} onValue={set("address")} />
          <Input id="office-phone" label={ta("office.phone")} value={form.phone} onValue={set("phone")} type="tel" />
          <Input id="office-fax" label={ta("office.fax")} value={form.fax} onValue={set("fax")} type="tel" />
          <fieldset class="admin-fieldset" data-testid="office-manager">
            <legend>{ta("sm.heading")}</legend>
            <p class="hint">{ta("sm.hint")}</p>
            <PersonFields id="office-manager" value={manager} onValue={setManager} />
          </fieldset>
          <ErrorBox error={actionError} testId="office-error" />
          <div>
            <button type="submit" class="primary" data-testid="office-add">
              {ta("office.add")}
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}
