/**
 * The vitals chart with uPlot: blood pressure and pulse on one chart (same
 * scale range), temperature and SpO2 on two small ones below, sharing the
 * time axis. Loaded lazily so uPlot is not in the initial bundle.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import { TIME_ZONE } from "../generated/japan";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import type { VitalsSeries } from "../local/vitals";

function chartWidth(el: HTMLElement): number {
  return Math.max(260, Math.floor(el.clientWidth));
}

function makeChart(el: HTMLElement, title: string, data: uPlot.AlignedData, series: uPlot.Series[], height: number): uPlot {
  const opts: uPlot.Options = {
    title,
    width: chartWidth(el),
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TIME_ZONE),
    scales: { x: { time: true } },
    axes: [{}, { size: 50 }],
    series: [{ label: t("vitals.time") }, ...series],
    cursor: { drag: { x: false, y: false } },
  };
  return new uPlot(opts, data, el);
}

export default function VitalsChart({ series }: { series: VitalsSeries }) {
  const bp = useRef<HTMLDivElement>(null);
  const temp = useRef<HTMLDivElement>(null);
  const spo2 = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!bp.current || !temp.current || !spo2.current) return;
    const charts = [
      makeChart(
        bp.current,
        t("vitals.chartBp"),
        [series.times, series.systolic, series.diastolic, series.pulse],
        [
          { label: codeLabel("vitalSign", "systolic"), stroke: "#b3261e", width: 2, points: { show: true } },
          { label: codeLabel("vitalSign", "diastolic"), stroke: "#1a5fb4", width: 2, points: { show: true } },
          { label: codeLabel("vitalSign", "pulse"), stroke: "#1f7a4d", width: 2, dash: [6, 4], points: { show: true } },
        ],
        260,
      ),
      makeChart(temp.current, t("vitals.chartTemp"), [series.times, series.temperature], [{ label: codeLabel("vitalSign", "temperature"), stroke: "#a35200", width: 2, points: { show: true } }], 180),
      makeChart(spo2.current, t("vitals.chartSpo2"), [series.times, series.spo2], [{ label: codeLabel("vitalSign", "spo2"), stroke: "#5e2ca5", width: 2, points: { show: true } }], 180),
    ];
    const resize = () => {
      for (const [chart, el] of [[charts[0], bp.current], [charts[1], temp.current], [charts[2], spo2.current]] as const) {
        if (chart && el) chart.setSize({ width: chartWidth(el), height: chart.height });
      }
    };
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      for (const chart of charts) chart.destroy();
    };
  }, [series]);
  return (
    <div class="vitals-charts" data-testid="vitals-chart" role="img" aria-label={t("vitals.chartLabel", { n: series.times.length })}>
      <div ref={bp} />
      <div ref={temp} />
      <div ref={spo2} />
    </div>
  );
}
