/**
 * The help page in the admin screens (the same page every user reads) and its editor for the
 * city's user administrators and the operator: contact points (and which ones the sign-in
 * page may show), links, devices and browsers, the rules, the 誓約事項, the pledge texts and
 * the terms of use, whose new version asks every user to accept again.
 */
import { useState } from "preact/hooks";
import { Help } from "../screens/Help";
import { addNotice } from "../store";
import { adminApi, type HelpContact, type HelpLink, type HelpPage } from "./api";
import { ta } from "./messages";
import { ErrorBox, Input, Loading, Section, TextArea, useLoad } from "./ui";

export function HelpView() {
  return (
    <div data-testid="admin-help">
      <Help />
    </div>
  );
}

const EMPTY_CONTACT: HelpContact = { title: "", name: "", postalCode: "", address: "", phone: "", email: "", hours: "", note: "", public: false };
const EMPTY_LINK: HelpLink = { title: "", url: "" };
const CONTACT_FIELDS: Array<Exclude<keyof HelpContact, "public">> = ["title", "name", "postalCode", "address", "phone", "email", "hours", "note"];

function replaced<T>(list: T[], index: number, value: T): T[] {
  return list.map((item, i) => (i === index ? value : item));
}

function HelpForm({ initial }: { initial: HelpPage }) {
  const [page, setPage] = useState<HelpPage>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [savedTerms, setSavedTerms] = useState(initial.terms.version);
  const set = <K extends keyof HelpPage>(key: K) => (value: HelpPage[K]) => setPage({ ...page, [key]: value });
  const termsChanged = page.terms.version.trim() !== savedTerms;

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const saved = await adminApi.saveHelp(page);
      setPage(saved);
      setSavedTerms(saved.terms.version);
      addNotice("success", ta("a.saved"));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} noValidate data-testid="help-edit">
      <h1>{ta("help.edit")}</h1>
      <Input id="help-city" label={ta("help.cityName")} value={page.cityName} onValue={set("cityName")} required />

      <Section title={ta("help.contacts")}>
        <TextArea id="help-signin-note" label={ta("help.signInNote")} value={page.signInNote} onValue={set("signInNote")} rows={3} />
        {page.contacts.map((c, i) => (
          <fieldset key={i} class="admin-fieldset" data-testid="help-edit-contact">
            <legend>{ta("help.contact", { n: i + 1 })}</legend>
            <div class="admin-form-grid">
              {CONTACT_FIELDS.map((k) => (
                <Input key={k} id={`help-c${i}-${k}`} label={ta(`help.c.${k}`)} value={c[k]} onValue={(v) => set("contacts")(replaced(page.contacts, i, { ...c, [k]: v }))} />
              ))}
            </div>
            <label class="a-check">
              <input type="checkbox" id={`help-c${i}-public`} data-testid={`help-c${i}-public`} checked={c.public} onChange={(e) => set("contacts")(replaced(page.contacts, i, { ...c, public: (e.currentTarget as HTMLInputElement).checked }))} />{" "}
              {ta("help.c.public")}
            </label>
            <button type="button" class="link" onClick={() => set("contacts")(page.contacts.filter((_, j) => j !== i))}>
              {ta("help.removeContact")}
            </button>
          </fieldset>
        ))}
        <p>
          <button type="button" class="secondary" onClick={() => set("contacts")([...page.contacts, { ...EMPTY_CONTACT }])}>
            {ta("help.addContact")}
          </button>
        </p>
      </Section>

      <Section title={ta("help.links")}>
        {page.links.map((link, i) => (
          <div class="admin-form-grid" key={i} data-testid="help-edit-link">
            <Input id={`help-link${i}-title`} label={ta("help.linkTitle")} value={link.title} onValue={(v) => set("links")(replaced(page.links, i, { ...link, title: v }))} />
            <Input id={`help-link${i}-url`} label={ta("help.linkUrl")} type="url" value={link.url} onValue={(v) => set("links")(replaced(page.links, i, { ...link, url: v.trim() }))} />
            <p>
              <button type="button" class="link" onClick={() => set("links")(page.links.filter((_, j) => j !== i))}>
                {ta("help.removeLink")}
              </button>
            </p>
          </div>
        ))}
        <p>
          <button type="button" class="secondary" onClick={() => set("links")([...page.links, { ...EMPTY_LINK }])}>
            {ta("help.addLink")}
          </button>
        </p>
      </Section>

      <TextArea id="help-devices" label={ta("help.devices")} value={page.devices} onValue={set("devices")} rows={8} />
      <TextArea id="help-rules" label={ta("help.rules")} value={page.rules} onValue={set("rules")} rows={10} />
      <TextArea id="help-pledge-items" label={ta("help.pledgeItems")} value={page.pledgeItems} onValue={set("pledgeItems")} rows={12} />

      <Section title={ta("help.pledges")}>
        <Input id="help-version" label={ta("help.version")} value={page.pledge.version} onValue={(v) => set("pledge")({ ...page.pledge, version: v })} required />
        <TextArea id="help-41" label={ta("help.pledge41")} value={page.pledge.form41} onValue={(v) => set("pledge")({ ...page.pledge, form41: v })} rows={6} />
        <TextArea id="help-42" label={ta("help.pledge42")} value={page.pledge.form42} onValue={(v) => set("pledge")({ ...page.pledge, form42: v })} rows={6} />
      </Section>

      <Section title={ta("help.terms")}>
        <p class="hint">{ta("help.termsHint")}</p>
        <Input id="help-terms-version" label={ta("help.termsVersion")} value={page.terms.version} onValue={(v) => set("terms")({ ...page.terms, version: v })} />
        <TextArea id="help-terms-text" label={ta("help.termsText")} value={page.terms.text} onValue={(v) => set("terms")({ ...page.terms, text: v })} rows={10} />
        {termsChanged && page.terms.version.trim() && (
          <p class="notice notice-offline" role="status" data-testid="help-terms-warning">
            {ta("help.termsNewVersion", { version: page.terms.version.trim() })}
          </p>
        )}
      </Section>

      <ErrorBox error={error} testId="help-error" />
      <button type="submit" class="primary" data-testid="help-save" disabled={busy}>
        {ta("a.save")}
      </button>
    </form>
  );
}

export function HelpEditor() {
  const { data, error } = useLoad(() => adminApi.adminHelp());
  if (!data) return <Loading error={error} />;
  return <HelpForm initial={data} />;
}
