/**
 * What the vitals chart shows, apart from how uPlot draws it: the readings in time order
 * with the flags each post kept, each sign's normal range as a band, and the points to
 * mark as out of range.
 *
 * The marks are the server's decision: a point is marked when its post's `vitalsFlags`
 * names the sign (computed with the thresholds in force when it was written, and kept),
 * never by comparing the value with today's band — so the chart agrees with the room,
 * the rooms list and every other device even after a threshold changed. The band is the
 * range in force now, so a reading marked under an old threshold may lie inside it.
 *
 * Below the vitals screen, the printed record and the chart component, which all import
 * it; it imports none of them.
 */
import type { PostData, VitalsKey } from "../sync/wire";
import type { Flags, NormalRange } from "./vitals";

/** The signs the chart plots (respiration, weight and glucose are in the table only). */
export const CHART_SIGNS = ["systolic", "diastolic", "pulse", "temperature", "spo2"] as const;
export type ChartSign = (typeof CHART_SIGNS)[number];

/** What the vitals chart draws: one point per post that has any vitals, in time order. */
export interface VitalsSeries {
  /** Seconds since the epoch (uPlot's time axis). */
  times: number[];
  values: Record<ChartSign, (number | null)[]>;
  /** The flags each post kept, by the same index. */
  flags: (Flags | null)[];
}

type SeriesPost = Pick<PostData, "vitals" | "createdAt"> & { vitalsFlags?: Partial<Record<string, "low" | "high">> | null };

/** The posts' vitals in time order, one point per post that has any, with the post's flags. */
export function vitalsSeries(posts: SeriesPost[]): VitalsSeries {
  const rows = posts.filter((p) => p.vitals && Object.keys(p.vitals).length).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const pick = (k: VitalsKey) => rows.map((p) => p.vitals?.[k] ?? null);
  const values = Object.fromEntries(CHART_SIGNS.map((k) => [k, pick(k)])) as Record<ChartSign, (number | null)[]>;
  return {
    times: rows.map((p) => Math.floor(new Date(p.createdAt).getTime() / 1000)),
    values,
    flags: rows.map((p) => (p.vitalsFlags && Object.keys(p.vitalsFlags).length ? (p.vitalsFlags as Flags) : null)),
  };
}

/** A reading to mark: its post's kept flag names this sign. */
export interface FlagPoint {
  sign: ChartSign;
  index: number;
  time: number;
  value: number;
  flag: "low" | "high";
}

/** The points of one sign whose posts kept a flag for it (not recomputed from the value). */
export function flaggedPoints(series: VitalsSeries, sign: ChartSign): FlagPoint[] {
  const points: FlagPoint[] = [];
  series.times.forEach((time, index) => {
    const flag = series.flags[index]?.[sign];
    const value = series.values[sign][index];
    if (flag && value !== null && value !== undefined) points.push({ sign, index, time, value, flag });
  });
  return points;
}

/** How many readings the chart marks, over all the signs it plots. */
export function flaggedCount(series: VitalsSeries): number {
  return CHART_SIGNS.reduce((n, sign) => n + flaggedPoints(series, sign).length, 0);
}

/**
 * The y range of a chart: its readings and the finite bounds of its signs' ranges, so a
 * band's edge is on the chart even while every reading is well inside it, with a margin
 * (8 %, at least `step`) so no point sits on the frame.
 */
export function scaleRange(dataMin: number | null, dataMax: number | null, ranges: (NormalRange | undefined)[], step = 1): [number, number] {
  const values: number[] = [];
  if (dataMin !== null) values.push(dataMin);
  if (dataMax !== null) values.push(dataMax);
  for (const r of ranges) {
    if (r?.low !== null && r?.low !== undefined) values.push(r.low);
    if (r?.high !== null && r?.high !== undefined) values.push(r.high);
  }
  if (!values.length) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.08, step);
  return [lo - pad, hi + pad];
}

/** A sign's normal range on a chart, in the sign's unit, cut to the chart's y range. */
export interface Band {
  sign: ChartSign;
  from: number;
  to: number;
  /** Which ends are real bounds (an open end runs to the frame and has no edge line). */
  lowEdge: boolean;
  highEdge: boolean;
}

/** The band of a range on a chart whose y axis runs from `min` to `max`; null when none shows. */
export function bandOf(sign: ChartSign, range: NormalRange | undefined, [min, max]: [number, number]): Band | null {
  if (!range || (range.low === null && range.high === null)) return null;
  const from = range.low === null ? min : Math.max(range.low, min);
  const to = range.high === null ? max : Math.min(range.high, max);
  if (from >= to) return null;
  return { sign, from, to, lowEdge: range.low !== null && range.low >= min, highEdge: range.high !== null && range.high <= max };
}

/** A rectangle in CSS pixels, relative to the chart's plotting area. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where a band lies: the full width of the plot, from its upper value down to its lower. */
export function bandBox(band: Band, toY: (value: number) => number, plotWidth: number): Box {
  const top = toY(band.to);
  const bottom = toY(band.from);
  return { left: 0, top: Math.round(top), width: plotWidth, height: Math.max(1, Math.round(bottom - top)) };
}

/** The marker's square, centred on the reading (triangles inside point up when high, down when low). */
export function markerBox(point: FlagPoint, toX: (time: number) => number, toY: (value: number) => number, size: number): Box {
  return { left: Math.round(toX(point.time) - size / 2), top: Math.round(toY(point.value) - size / 2), width: size, height: size };
}

/** The marker's outline in a 16×16 box: ▲ for a high reading, ▼ for a low one. */
export function markerPath(flag: "low" | "high"): string {
  return flag === "high" ? "M8 1.5 L15 14 L1 14 Z" : "M8 14.5 L15 2 L1 2 Z";
}
