/**
 * The stylesheet's blocks close: a lost `}` (as a merge once left after the record's
 * `@media print`) silently moves every later rule — uPlot's own styles among them — into
 * print only, and the vitals chart is drawn at the canvas's pixel size on a phone.
 */
/// <reference types="node" />
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Read from disk: vitest hands a stylesheet's `?raw` import over empty.
const css = readFileSync(`${import.meta.dirname}/styles.css`, "utf8");

/** The nesting depth at each top-level rule's start, comments and strings left out. */
function depths(text: string): { depth: number; unclosed: number[] } {
  const bare = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (q) => " ".repeat(q.length));
  const open: number[] = [];
  let line = 1;
  for (const c of bare) {
    if (c === "\n") line++;
    else if (c === "{") open.push(line);
    else if (c === "}") {
      expect(open.length, `a } without its { on line ${line}`).toBeGreaterThan(0);
      open.pop();
    }
  }
  return { depth: open.length, unclosed: open };
}

describe("styles.css", () => {
  it("closes every block it opens", () => {
    expect(depths(css).unclosed).toEqual([]);
  });

  it("keeps the screen's rules out of print-only blocks", () => {
    // The medications card's screen layout comes after the record's print rules.
    const at = css.indexOf(".medication-actions {");
    expect(at).toBeGreaterThan(0);
    expect(depths(css.slice(0, at)).depth).toBe(0);
  });
});
