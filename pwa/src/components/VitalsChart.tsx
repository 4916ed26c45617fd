/**
 * The vitals chart with uPlot: blood pressure, pulse, temperature and SpO2 on charts of
 * their own sharing the time axis, each sign's normal range (in force for the patient) as a
 * shaded band behind its line, and each reading its post kept flagged as out of range
 * marked ▲ (high) or ▼ (low) — shape as well as colour. What to draw is decided in
 * `local/vitals-chart.ts`; this module only puts it on the page. Loaded lazily by the
 * vitals screen and the printed record, so uPlot is not in the initial bundle.
 *
 * Bands and markers are elements over the canvas (not paint on it), so they print, carry a
 * label, and can be found by a test.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import { TIME_ZONE } from "../generated/japan";
import { t, type MessageKey } from "../i18n";
import { formatPostTime } from "../local/format";
import { codeLabel } from "../local/labels";
import { bandBox, bandOf, flaggedCount, flaggedPoints, markerBox, markerPath, scaleRange, type ChartSign, type VitalsSeries } from "../local/vitals-chart";
import { VITALS_FIELDS, type NormalRange } from "../local/vitals";
import type { VitalsKey } from "../sync/wire";

type Ranges = Partial<Record<VitalsKey, NormalRange>>;

interface Line {
  sign: ChartSign;
  colour: string;
  dash?: number[];
}

interface Panel {
  title: MessageKey;
  lines: Line[];
  height: number;
  /** The smallest margin above and below the readings, in the sign's unit. */
  step: number;
}

const PANELS: readonly Panel[] = [
  {
    title: "vitals.chartBp",
    lines: [
      { sign: "systolic", colour: "#b3261e" },
      { sign: "diastolic", colour: "#1a5fb4", dash: [6, 4] },
    ],
    height: 240,
    step: 5,
  },
  { title: "vitals.chartPulse", lines: [{ sign: "pulse", colour: "#1f7a4d" }], height: 170, step: 5 },
  { title: "vitals.chartTemp", lines: [{ sign: "temperature", colour: "#0b6e8a" }], height: 170, step: 0.2 },
  { title: "vitals.chartSpo2", lines: [{ sign: "spo2", colour: "#5e2ca5" }], height: 170, step: 1 },
];

const MARKER_SIZE = 18;
const SVG = "http://www.w3.org/2000/svg";

function chartWidth(el: HTMLElement): number {
  return Math.max(260, Math.floor(el.clientWidth));
}

function unitOf(sign: ChartSign): string {
  return VITALS_FIELDS.find((f) => f.key === sign)?.unit ?? "";
}

/** The marker's words: what, how much, which way and when (its tooltip and accessible name). */
function markerLabel(sign: ChartSign, value: number, flag: "low" | "high", time: number): string {
  const when = formatPostTime(new Date(time * 1000).toISOString());
  return `${t("vitals.outOfRange")}：${codeLabel("vitalSign", sign)} ${value}${unitOf(sign)}（${codeLabel("vitalFlag", flag)}）${when}`;
}

function layer(parent: HTMLElement, cls: string): HTMLDivElement {
  let el = parent.querySelector<HTMLDivElement>(`:scope > .${cls}`);
  if (!el) {
    el = document.createElement("div");
    el.className = cls;
    parent.append(el);
  }
  el.replaceChildren();
  return el;
}

function place(el: HTMLElement | SVGElement, box: { left: number; top: number; width: number; height: number }): void {
  el.style.left = `${box.left}px`;
  el.style.top = `${box.top}px`;
  el.style.width = `${box.width}px`;
  el.style.height = `${box.height}px`;
}

/** Redraws the bands (under the lines) and the markers (over them) after each uPlot draw. */
function drawMarks(u: uPlot, panel: Panel, series: VitalsSeries, ranges: Ranges): void {
  const min = u.scales.y?.min;
  const max = u.scales.y?.max;
  if (min === undefined || max === undefined || min === null || max === null) return;
  const toY = (v: number) => u.valToPos(v, "y");
  const toX = (v: number) => u.valToPos(v, "x");
  const width = u.bbox.width / uPlot.pxRatio;
  const bands = layer(u.under, "vitals-bands");
  const marks = layer(u.over, "vitals-flags");
  for (const line of panel.lines) {
    const band = bandOf(line.sign, ranges[line.sign], [min, max]);
    if (band) {
      const el = document.createElement("div");
      el.className = "vitals-band";
      el.dataset.testid = "vitals-band";
      el.dataset.sign = line.sign;
      el.style.background = `${line.colour}1f`;
      el.style.borderColor = line.colour;
      el.style.borderTopStyle = band.highEdge ? "dashed" : "none";
      el.style.borderBottomStyle = band.lowEdge ? "dashed" : "none";
      el.title = `${t("vitals.band")}：${codeLabel("vitalSign", line.sign)}`;
      place(el, bandBox(band, toY, width));
      bands.append(el);
    }
    for (const point of flaggedPoints(series, line.sign)) {
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", "0 0 16 16");
      svg.setAttribute("class", "vitals-flag-mark");
      svg.setAttribute("role", "img");
      svg.dataset.testid = "vitals-flag";
      svg.dataset.sign = point.sign;
      svg.dataset.flag = point.flag;
      const label = markerLabel(point.sign, point.value, point.flag, point.time);
      svg.setAttribute("aria-label", label);
      const title = document.createElementNS(SVG, "title");
      title.textContent = label;
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", markerPath(point.flag));
      svg.append(title, path);
      place(svg, markerBox(point, toX, toY, MARKER_SIZE));
      marks.append(svg);
    }
  }
}

function makeChart(el: HTMLElement, panel: Panel, series: VitalsSeries, ranges: Ranges): uPlot {
  const lineRanges = panel.lines.map((l) => ranges[l.sign]);
  const opts: uPlot.Options = {
    title: t(panel.title),
    width: chartWidth(el),
    height: panel.height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TIME_ZONE),
    scales: {
      x: { time: true },
      // The readings and the bands' bounds, so a band's edge shows while the readings are well inside it.
      y: { range: (_u, dataMin, dataMax) => scaleRange(dataMin ?? null, dataMax ?? null, lineRanges, panel.step) },
    },
    axes: [{}, { size: 50 }],
    series: [
      { label: t("vitals.time") },
      ...panel.lines.map((l) => ({ label: codeLabel("vitalSign", l.sign), stroke: l.colour, width: 2, ...(l.dash ? { dash: l.dash } : {}), points: { show: true } })),
    ],
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [(u: uPlot) => drawMarks(u, panel, series, ranges)] },
  };
  const data: uPlot.AlignedData = [series.times, ...panel.lines.map((l) => series.values[l.sign])];
  return new uPlot(opts, data, el);
}

/** The legend's ▲/▼, drawn as on the chart. */
export function FlagMark({ flag }: { flag: "low" | "high" }) {
  return (
    <svg viewBox="0 0 16 16" class="vitals-flag-mark" aria-hidden="true">
      <path d={markerPath(flag)} />
    </svg>
  );
}

export default function VitalsChart({ series, ranges }: { series: VitalsSeries; ranges: Ranges }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const slots = [...el.children] as HTMLElement[];
    const charts = PANELS.map((panel, i) => makeChart(slots[i] as HTMLElement, panel, series, ranges));
    const resize = () => {
      charts.forEach((chart, i) => {
        const slot = slots[i];
        if (slot) chart.setSize({ width: chartWidth(slot), height: chart.height });
      });
    };
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      for (const chart of charts) chart.destroy();
    };
  }, [series, ranges]);
  const flagged = flaggedCount(series);
  return (
    <div class="vitals-chart-block">
      <div
        ref={holder}
        class="vitals-charts"
        data-testid="vitals-chart"
        role="img"
        aria-label={t(flagged ? "vitals.chartLabelFlagged" : "vitals.chartLabel", { n: series.times.length, flagged })}
      >
        {PANELS.map((panel) => (
          <div key={panel.title} data-panel={panel.title} />
        ))}
      </div>
      <ul class="vitals-legend" data-testid="vitals-legend">
        <li>
          <span class="legend-band" aria-hidden="true" />
          {t("vitals.legendBand")}
        </li>
        <li>
          <FlagMark flag="high" />
          <FlagMark flag="low" />
          {t("vitals.legendFlag")}
        </li>
      </ul>
    </div>
  );
}
