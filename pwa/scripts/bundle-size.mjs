/**
 * The initial-JavaScript budget (issue 6: ≤ 100 KB gzipped): the scripts that
 * dist/index.html loads, plus every chunk they import statically, gzipped at
 * level 9. Lazy chunks (uPlot's chart, the admin screens) are listed apart.
 * Exits non-zero over budget. Run after `npm run build`: `npm run size`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const BUDGET = 100 * 1024;

const html = readFileSync(join(DIST, "index.html"), "utf8");
const entries = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g)].map((m) => m[1]);
const initial = new Set();
const queue = [...entries];
while (queue.length) {
  const file = queue.pop();
  if (initial.has(file)) continue;
  initial.add(file);
  const code = readFileSync(join(DIST, file), "utf8");
  // Static imports only: `import … from "./x.js"` / `import "./x.js"` (not `import("./x.js")`).
  for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+)["']/g)) {
    queue.push(join(dirname(file), m[1]));
  }
}
const gz = (file) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
let total = 0;
console.log("initial JavaScript:");
for (const file of initial) {
  const size = gz(file);
  total += size;
  console.log(`  ${file}  ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`  total ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
console.log("lazy chunks:");
for (const file of readdirSync(join(DIST, "assets")).filter((f) => f.endsWith(".js"))) {
  const path = `assets/${file}`;
  if (!initial.has(path)) console.log(`  ${path}  ${(gz(path) / 1024).toFixed(1)} KB gzipped`);
}
console.log(`service worker: sw.js  ${(gz("sw.js") / 1024).toFixed(1)} KB gzipped`);
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
