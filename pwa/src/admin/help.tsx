/** The help page everyone sees (contact points, rules, pledge texts) and the operator's editor of it. */
import { useState } from "preact/hooks";
import { addNotice } from "../store";
import { adminApi, type HelpContact, type HelpPage } from "./api";
import { ta } from "./messages";
import { ErrorBox, Input, Loading, Section, TextArea, useLoad } from "./ui";

export function HelpView() {
  const { data, error } = useLoad(() => adminApi.help());
  if (!data) return <Loading error={error} />;
  return (
    <div data-testid="admin-help" class="help-page">
      <h1>
        {ta("help.heading")}（{data.cityName}）
      </h1>
      <Section title={ta("help.contacts")}>
        <div class="help-contacts">
          {data.contacts.map((c, i) => (
            <div key={i} class="card" data-testid="help-contact">
              <h3>{c.title}</h3>
              <p>
                <strong>{c.name}</strong>
              </p>
              {(c.postalCode || c.address) && <p>{[c.postalCode && `〒${c.postalCode}`, c.address].filter(Boolean).join(" ")}</p>}
              {c.phone && <p>☎ {c.phone}</p>}
              {c.email && (
                <p>
                  <a href={`mailto:${c.email}`}>{c.email}</a>
                </p>
              )}
              {c.hours && <p>{c.hours}</p>}
              {c.note && <p class="hint">{c.note}</p>}
            </div>
          ))}
        </div>
      </Section>
      <Section title={ta("help.rules")}>
        <pre class="pledge-text" data-testid="help-rules">{data.rules}</pre>
      </Section>
      <Section title={ta("help.pledge41")}>
        <pre class="pledge-text">{data.pledge.form41}</pre>
      </Section>
      <Section title={ta("help.pledge42")}>
        <pre class="pledge-text">{data.pledge.form42}</pre>
        <p class="hint">
          {ta("help.version")}：{data.pledge.version}
        </p>
      </Section>
    </div>
  );
}

const EMPTY_CONTACT: HelpContact = { title: "", name: "", postalCode: "", address: "", phone: "", email: "", hours: "", note: "" };

function HelpForm({ initial }: { initial: HelpPage }) {
  const [page, setPage] = useState<HelpPage>(initial);
  const [error, setError] = useState<unknown>(null);
  const setContact = (index: number, key: keyof HelpContact) => (value: string) =>
    setPage({ ...page, contacts: page.contacts.map((c, i) => (i === index ? { ...c, [key]: value } : c)) });
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setPage(await adminApi.saveHelp(page));
      addNotice("success", ta("a.saved"));
    } catch (err) {
      setError(err);
    }
  }
  const fields: Array<keyof HelpContact> = ["title", "name", "postalCode", "address", "phone", "email", "hours", "note"];
  return (
    <form onSubmit={save} noValidate data-testid="help-edit">
      <h1>{ta("help.edit")}</h1>
      <Input id="help-city" label={ta("help.cityName")} value={page.cityName} onValue={(v) => setPage({ ...page, cityName: v })} required />
      {page.contacts.map((c, i) => (
        <fieldset key={i} class="admin-fieldset">
          <legend>{ta("help.contact", { n: i + 1 })}</legend>
          <div class="admin-form-grid">
            {fields.map((k) => (
              <Input key={k} id={`help-c${i}-${k}`} label={ta(`help.c.${k}`)} value={c[k]} onValue={setContact(i, k)} />
            ))}
          </div>
          <button type="button" class="link" onClick={() => setPage({ ...page, contacts: page.contacts.filter((_, j) => j !== i) })}>
            {ta("help.removeContact")}
          </button>
        </fieldset>
      ))}
      <p>
        <button type="button" class="secondary" onClick={() => setPage({ ...page, contacts: [...page.contacts, { ...EMPTY_CONTACT }] })}>
          {ta("help.addContact")}
        </button>
      </p>
      <TextArea id="help-rules" label={ta("help.rules")} value={page.rules} onValue={(v) => setPage({ ...page, rules: v })} rows={10} />
      <Input id="help-version" label={ta("help.version")} value={page.pledge.version} onValue={(v) => setPage({ ...page, pledge: { ...page.pledge, version: v } })} required />
      <TextArea id="help-41" label={ta("help.pledge41")} value={page.pledge.form41} onValue={(v) => setPage({ ...page, pledge: { ...page.pledge, form41: v } })} rows={6} />
      <TextArea id="help-42" label={ta("help.pledge42")} value={page.pledge.form42} onValue={(v) => setPage({ ...page, pledge: { ...page.pledge, form42: v } })} rows={6} />
      <ErrorBox error={error} testId="help-error" />
      <button type="submit" class="primary" data-testid="help-save">
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
