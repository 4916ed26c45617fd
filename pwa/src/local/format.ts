/** Times as a nurse reads them: today's posts by time, older ones with the date. */
import { TIME_ZONE } from "../generated/japan";
import { locale } from "../i18n";

export function formatPostTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const tz = TIME_ZONE;
  const day = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: tz, dateStyle: "short" }).format(d);
  const sameDay = day(date) === day(now);
  return new Intl.DateTimeFormat(locale(), {
    timeZone: tz,
    ...(sameDay ? {} : { month: "numeric", day: "numeric", weekday: "short" }),
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

export function formatDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, month: "numeric", day: "numeric" }).format(date);
}
