/** Small building blocks of the admin screens: loading, errors, labelled inputs, the era date input. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "../api";
import { TIME_ZONE } from "../generated/japan";
import { locale } from "../i18n";
import { birthDateFromParts, ERA_CODES, isoToEraText, parseDateText, type DateParts } from "./helpers";
import { ta } from "./messages";

export function errorText(error: unknown): string[] {
  if (error instanceof ApiError) return [error.message, ...error.reasons];
  if (error instanceof Error) return [error.message];
  return [String(error)];
}

/** How often a screen kept fresh loads again while it is in view. */
export const FRESH_EVERY_MS = 60_000;

/**
 * Loads on mount (and on `reload()`); re-runs when `deps` change. With `keepFresh`, also
 * when the tab comes back into view and every `FRESH_EVERY_MS` while it is in view: a
 * clerk's inbox left open all morning shows what came in since.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = [], options: { keepFresh?: boolean } = {}) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const keepFresh = options.keepFresh === true;
  useEffect(() => {
    if (!keepFresh) return;
    const again = () => {
      if (document.visibilityState === "visible") setTick((n) => n + 1);
    };
    const timer = setInterval(again, FRESH_EVERY_MS);
    document.addEventListener("visibilitychange", again);
    window.addEventListener("focus", again);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", again);
      window.removeEventListener("focus", again);
    };
  }, [keepFresh]);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (value) => live && setData(value),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload, setData };
}

export function ErrorBox({ error, testId = "admin-error" }: { error: unknown; testId?: string }) {
  if (!error) return null;
  const [first, ...rest] = errorText(error);
  return (
    <div class="form-error" role="alert" data-testid={testId}>
      <p>{first}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ error }: { error?: unknown }) {
  if (error) return <ErrorBox error={error} />;
  return <p class="loading">{ta("a.loading")}</p>;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE }).format(d);
}

export function day(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: TIME_ZONE }).format(d);
}

interface InputProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: "text" | "email" | "tel" | "date" | "password" | "number" | "url";
  required?: boolean;
  hint?: string;
  testId?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "tel" | "email" | "text";
  maxLength?: number;
}

export function Input(props: InputProps) {
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required && <span class="req"> （{ta("a.required")}）</span>}
      </label>
      <input
        id={props.id}
        // Preact types `type` per input kind; every kind used here takes a string value.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        required={props.required}
        data-testid={props.testId ?? props.id}
        autoComplete={props.autoComplete ?? "off"}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function TextArea(props: InputProps & { rows?: number }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        rows={props.rows ?? 4}
        value={props.value}
        required={props.required}
        data-testid={props.testId ?? props.id}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onValue((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function Select(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  placeholder?: string;
  required?: boolean;
  testId?: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required && <span class="req"> （{ta("a.required")}）</span>}
      </label>
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        data-testid={props.testId ?? props.id}
        onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Section({ title, children, testId }: { title: string; children: ComponentChildren; testId?: string }) {
  return (
    <section class="admin-section" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Facts({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="admin-facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === "" || v === null || v === undefined ? "—" : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export const EMPTY_DATE: DateParts = { calendar: "showa", year: "", month: "", day: "" };

/**
 * A date of birth in the Japanese era (明治…令和) or the Western calendar: a calendar
 * choice and three numbers, or free text such as 「昭和15年3月12日」 pasted into the year.
 * Shows the same day in the other calendar so the clerk can check it.
 */
export function EraDateInput({ id, label, value, onValue }: { id: string; label: string; value: DateParts; onValue: (v: DateParts) => void }) {
  const result = birthDateFromParts(value);
  const filled = value.year !== "" && value.month !== "" && value.day !== "";
  const other = result.ok ? (value.calendar === "western" ? isoToEraText(result.iso) : result.iso.replace(/^(\d+)-0?(\d+)-0?(\d+)$/, "$1年$2月$3日")) : "";
  const set = (patch: Partial<DateParts>) => onValue({ ...value, ...patch });
  return (
    <fieldset class="era-date" data-testid={`${id}-fieldset`}>
      <legend>{label}</legend>
      <select id={`${id}-calendar`} aria-label={ta("date.calendar")} data-testid={`${id}-calendar`} value={value.calendar} onChange={(e) => set({ calendar: (e.currentTarget as HTMLSelectElement).value })}>
        {[...ERA_CODES].reverse().map((era) => (
          <option key={era.code} value={era.code}>
            {era.name}
          </option>
        ))}
        <option value="western">{ta("date.western")}</option>
      </select>
      <input
        id={`${id}-year`}
        data-testid={`${id}-year`}
        class="era-year"
        aria-label={ta("date.year")}
        value={value.year}
        onInput={(e) => {
          const text = (e.currentTarget as HTMLInputElement).value;
          const parsed = text.length > 4 ? parseDateText(text) : null;
          onValue(parsed ?? { ...value, year: text });
        }}
      />
      <span>{ta("date.year")}</span>
      <input id={`${id}-month`} data-testid={`${id}-month`} class="era-num" inputMode="numeric" aria-label={ta("date.month")} value={value.month} onInput={(e) => set({ month: (e.currentTarget as HTMLInputElement).value })} />
      <span>{ta("date.month")}</span>
      <input id={`${id}-day`} data-testid={`${id}-day`} class="era-num" inputMode="numeric" aria-label={ta("date.day")} value={value.day} onInput={(e) => set({ day: (e.currentTarget as HTMLInputElement).value })} />
      <span>{ta("date.day")}</span>
      <p class="hint" aria-live="polite" data-testid={`${id}-check`}>
        {filled ? (result.ok ? ta("date.same", { text: other }) : ta("date.invalid")) : ""}
      </p>
    </fieldset>
  );
}

/**
 * A list screen's table: the loading line (or the load's error) until the rows come, "none"
 * for an empty list when `showEmpty`, else a header row and one row per item.
 */
export function ListTable<T>({
  rows,
  error,
  headers,
  showEmpty = false,
  stack = false,
  children,
}: {
  rows: T[] | null | undefined;
  error?: unknown;
  headers: string[];
  showEmpty?: boolean;
  /** On a phone, each row becomes a card of "header: value" lines (cells carry `data-label`). */
  stack?: boolean;
  children: (row: T) => ComponentChildren;
}) {
  if (!rows) return <Loading error={error} />;
  if (showEmpty && rows.length === 0) return <p class="admin-empty">{ta("a.empty")}</p>;
  return (
    <table class={stack ? "admin-table stack" : "admin-table"}>
      <thead>
        <tr>
          {headers.map((header) => (
            <th scope="col" key={header}>
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{rows.map(children)}</tbody>
    </table>
  );
}
