/**
 * Settings → 定型文: my templates (and, for an office's system manager, the office's):
 * add with a title, text and optionally the report title it files under; delete.
 * Online only (they are saved on the server); the compose screen uses the cached copy.
 */
import { useEffect, useState } from "preact/hooks";
import { FormError } from "../components/Field";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { addTemplate, cachedTemplates, loadTemplates, removeTemplate, type Template } from "../local/templates";
import { useAppState } from "../store";

export function TemplatesSection() {
  const { me } = useAppState();
  const [templates, setTemplates] = useState<Template[]>([]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [reportTitle, setReportTitle] = useState("");
  const [office, setOffice] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void cachedTemplates().then(setTemplates);
    void loadTemplates().then(setTemplates);
  }, []);
  const manager = me?.user.role === "office_admin";

  async function add(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setTemplates(await addTemplate({ title: title.trim(), body, scope: office ? "office" : "personal", reportTitleName: reportTitle.trim() || null }));
      setTitle("");
      setBody("");
      setReportTitle("");
    } catch (err) {
      setError(err instanceof Error ? err.message : t("error.generic"));
    }
  }

  async function remove(id: string) {
    setError(null);
    try {
      setTemplates(await removeTemplate(id));
    } catch (err) {
      setError(err instanceof Error ? err.message : t("error.generic"));
    }
  }

  return (
    <section class="card" aria-labelledby="templates-heading" data-testid="templates-settings">
      <h2 id="templates-heading">{t("templates.heading")}</h2>
      <p class="hint">{t("templates.hint")}</p>
      <ul class="item-list">
        {templates.map((x) => (
          <li key={x.id} data-testid="template-row">
            <div class="item-text">
              <strong>{x.title}</strong>
              <span>{codeLabel("templateScope", x.scope)}</span>
              <span class="excerpt">{x.body.slice(0, 60)}</span>
            </div>
            {x.editable && (
              <button type="button" class="secondary" onClick={() => void remove(x.id)}>
                {t("templates.delete")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <div class="field">
          <label for="template-title">{t("templates.title")}</label>
          <input id="template-title" data-testid="template-title" maxLength={60} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="template-body">{t("templates.body")}</label>
          <textarea id="template-body" data-testid="template-body" rows={4} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          <p class="hint">{t("templates.placeholders")}</p>
        </div>
        <div class="field">
          <label for="template-report-title">{t("templates.reportTitle")}</label>
          <input id="template-report-title" data-testid="template-report-title" maxLength={60} value={reportTitle} onInput={(e) => setReportTitle(e.currentTarget.value)} />
        </div>
        {manager && (
          <label class="check">
            <input type="checkbox" checked={office} onChange={(e) => setOffice(e.currentTarget.checked)} />
            {t("templates.forOffice")}
          </label>
        )}
        <FormError message={error} testId="template-error" />
        <button type="submit" class="primary" data-testid="template-add" disabled={!title.trim() || !body.trim()}>
          {t("templates.add")}
        </button>
      </form>
    </section>
  );
}
