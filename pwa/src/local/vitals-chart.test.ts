import { describe, expect, it } from "vitest";
import { bandBox, bandOf, flaggedCount, flaggedPoints, markerBox, markerPath, scaleRange, vitalsSeries } from "./vitals-chart";
import { rangesInForce } from "./vitals";

const AT = (hour: number) => `2026-11-20T${String(hour).padStart(2, "0")}:00:00Z`;
const SECONDS = (hour: number) => Date.parse(AT(hour)) / 1000;

/** Four visits: the flags are what each post kept when it was written. */
const POSTS = [
  // Flagged when posted under an earlier, stricter threshold (SpO2 < 95): stays flagged.
  { createdAt: AT(9), vitals: { spo2: 93, pulse: 80 }, vitalsFlags: { spo2: "low" as const } },
  // Below today's band, but posted before it was raised: kept unflagged, not marked now.
  { createdAt: AT(1), vitals: { spo2: 88 }, vitalsFlags: null },
  { createdAt: AT(12), vitals: { spo2: 86, systolic: 190, diastolic: 100 }, vitalsFlags: { spo2: "low" as const, systolic: "high" as const } },
  { createdAt: AT(5), vitals: null, vitalsFlags: null },
];

/** A y axis 200 px tall from 80 (bottom) to 100 (top); a time axis 10 px an hour from 00:00. */
const toY = (v: number) => (100 - v) * 10;
const toX = (time: number) => (time - SECONDS(0)) / 360;

describe("the vitals chart's series", () => {
  it("keeps each post's own flags beside its readings, in time order", () => {
    const series = vitalsSeries(POSTS);
    expect(series.times).toEqual([SECONDS(1), SECONDS(9), SECONDS(12)]);
    expect(series.values.spo2).toEqual([88, 93, 86]);
    expect(series.values.systolic).toEqual([null, null, 190]);
    expect(series.flags).toEqual([null, { spo2: "low" }, { spo2: "low", systolic: "high" }]);
  });

  it("marks the readings whose posts kept a flag for the sign, not those today's band would flag", () => {
    const series = vitalsSeries(POSTS);
    const spo2 = flaggedPoints(series, "spo2");
    expect(spo2.map((p) => [p.value, p.flag])).toEqual([
      [93, "low"],
      [86, "low"],
    ]);
    expect(flaggedPoints(series, "systolic")).toEqual([{ sign: "systolic", index: 2, time: SECONDS(12), value: 190, flag: "high" }]);
    expect(flaggedPoints(series, "diastolic")).toEqual([]);
    expect(flaggedPoints(series, "pulse")).toEqual([]);
    expect(flaggedCount(series)).toBe(3);
  });
});

describe("the normal-range band", () => {
  const ranges = rangesInForce([{ id: "t", roomId: "r", sign: "spo2", low: 92, high: null, setBy: "u", setAt: AT(0) }]);

  it("is the patient's range in force, open ends running to the frame without an edge", () => {
    expect(bandOf("spo2", ranges.spo2, [80, 100])).toEqual({ sign: "spo2", from: 92, to: 100, lowEdge: true, highEdge: false });
    expect(bandOf("systolic", ranges.systolic, [60, 200])).toEqual({ sign: "systolic", from: 90, to: 179, lowEdge: true, highEdge: true });
    expect(bandOf("diastolic", ranges.diastolic, [40, 120])).toEqual({ sign: "diastolic", from: 40, to: 109, lowEdge: false, highEdge: true });
  });

  it("is cut to the chart, and absent when no bound is set or it lies off the chart", () => {
    expect(bandOf("pulse", ranges.pulse, [60, 100])).toEqual({ sign: "pulse", from: 60, to: 100, lowEdge: false, highEdge: false });
    expect(bandOf("pulse", { low: null, high: null }, [60, 100])).toBeNull();
    expect(bandOf("pulse", undefined, [60, 100])).toBeNull();
    expect(bandOf("temperature", ranges.temperature, [38.5, 40])).toBeNull();
  });

  it("lies across the plot from its upper value down to its lower", () => {
    const band = bandOf("spo2", ranges.spo2, [80, 100]);
    expect(band).not.toBeNull();
    // 92 % is 80 px above the bottom of 200: the band is the top 80 px, the full width.
    expect(bandBox(band!, toY, 320)).toEqual({ left: 0, top: 0, width: 320, height: 80 });
    expect(bandBox({ sign: "spo2", from: 85, to: 95, lowEdge: true, highEdge: true }, toY, 320)).toEqual({ left: 0, top: 50, width: 320, height: 100 });
  });

  it("has its bounds on the chart even while every reading is well inside them", () => {
    const [min, max] = scaleRange(95, 98, [ranges.spo2], 1);
    expect(min).toBeLessThan(92);
    expect(max).toBeGreaterThan(98);
    const [bpMin, bpMax] = scaleRange(70, 140, [ranges.systolic, ranges.diastolic], 5);
    expect(bpMin).toBeLessThan(70);
    expect(bpMax).toBeGreaterThan(179);
    expect(scaleRange(null, null, [undefined], 1)).toEqual([0, 1]);
  });
});

describe("the out-of-range marker", () => {
  it("is centred on the reading", () => {
    const [point] = flaggedPoints(vitalsSeries(POSTS), "spo2").slice(-1);
    // 12:00 is 120 px along; 86 % is 140 px down.
    expect(markerBox(point!, toX, toY, 18)).toEqual({ left: 111, top: 131, width: 18, height: 18 });
  });

  it("points up for a high reading and down for a low one (shape, not colour alone)", () => {
    expect(markerPath("high")).not.toEqual(markerPath("low"));
    expect(markerPath("high")).toMatch(/^M8 1\.5 /); // apex at the top
    expect(markerPath("low")).toMatch(/^M8 14\.5 /); // apex at the bottom
  });
});
