/**
 * 定型文 on the device: my templates and my office's, fetched when online and kept in the
 * encrypted cache (meta `templates`) so the compose screen offers them offline too; and
 * the placeholders, filled here when a template is used ({日付}, {時刻}, {患者名},
 * {自分の名前}) so the stored text never names a patient.
 */
import { api } from "../api";
import { getOne, putOne } from "../db/database";
import type { TemplateIn, TemplateOut } from "../generated/api";
import { TIME_ZONE } from "../generated/japan";

export type Template = TemplateOut;

const KEY = "templates";

export async function cachedTemplates(): Promise<Template[]> {
  return (await getOne<{ value: Template[] }>("meta", KEY))?.value ?? [];
}

/** The server's list when it answers (and cached), else the cached one. */
export async function loadTemplates(): Promise<Template[]> {
  try {
    const { templates } = await api.templates();
    await putOne("meta", KEY, { id: KEY, value: templates });
    return templates;
  } catch {
    return cachedTemplates();
  }
}

export async function addTemplate(template: TemplateIn): Promise<Template[]> {
  await api.createTemplate(template);
  return loadTemplates();
}

export async function removeTemplate(id: string): Promise<Template[]> {
  await api.deleteTemplate(id);
  return loadTemplates();
}

export interface FillContext {
  patientName: string;
  myName: string;
  now: Date;
}

/** The template's text with its placeholders filled. */
export function fillTemplate(body: string, context: FillContext): string {
  const date = new Intl.DateTimeFormat("ja-JP", { timeZone: TIME_ZONE, year: "numeric", month: "numeric", day: "numeric" }).format(context.now);
  const time = new Intl.DateTimeFormat("ja-JP", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" }).format(context.now);
  const values: Record<string, string> = { 日付: date, 時刻: time, 患者名: context.patientName, 自分の名前: context.myName };
  return body.replace(/\{(日付|時刻|患者名|自分の名前)\}/g, (_whole, name: string) => values[name] ?? "");
}
