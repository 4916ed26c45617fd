/** Generated from sync/thresholds.py by `make api-types`; do not edit. */

/** The default normal range per vital sign (inclusive; outside is flagged). */
export const DEFAULT_RANGES: Record<string, { low: number | null; high: number | null }> = {
  systolic: { low: 90, high: 179 },
  diastolic: { low: null, high: 109 },
  pulse: { low: 50, high: 120 },
  temperature: { low: 35, high: 37.9 },
  spo2: { low: 90, high: null },
  respirationRate: { low: 10, high: 24 },
  bloodGlucose: { low: 70, high: 300 },
};

/** The bounds a threshold itself must lie in. */
export const THRESHOLD_BOUNDS: Record<string, [number, number]> = {
  systolic: [40, 300],
  diastolic: [20, 200],
  pulse: [20, 250],
  temperature: [30, 45],
  spo2: [50, 100],
  respirationRate: [4, 80],
  weight: [1, 300],
  bloodGlucose: [10, 1000],
};
