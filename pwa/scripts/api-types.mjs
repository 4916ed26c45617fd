/**
 * The PWA's wire types, generated: the server's OpenAPI document (read from stdin, as
 * `carebook openapi` prints it) → `src/generated/api.ts` by openapi-typescript. The
 * document is made from the server's msgspec Structs, so a shape is written once, in
 * Python, and the compiler checks every screen against it.
 *
 *   make api-types                     (the usual way: document and types in one go)
 *   carebook openapi | node scripts/api-types.mjs [--check]
 *
 * `--check` writes nothing and exits 1 when the file differs from what the document
 * gives (tests/test_api_types.py and `make test` run it, so CI fails on a stale file).
 * Without it, the file is written only when its content changes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

export const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "generated", "api.ts");

const HEADER = `/**
 * Generated from the server's OpenAPI document by \`make api-types\`; do not edit.
 * A wire shape is changed in its msgspec Struct on the server, then regenerated here
 * (docs/api/README.md, "How a shape reaches the PWA").
 */

`;

/** The shapes only: the PWA calls the API through `request` in src/api.ts, so the
 * operations (every path with its nine error answers) would add 200 KB of types that
 * nothing reads. Every component the operations refer to is kept. */
function shapesOnly(document) {
  return { ...document, paths: {} };
}

/** The generated module's text for one OpenAPI document (a parsed JSON object). */
export async function generate(document) {
  const ast = await openapiTS(shapesOnly(document), {
    alphabetize: true,
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    // A field with a default is optional in a request but always present in an answer.
    defaultNonNullable: false,
  });
  return HEADER + astToString(ast);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function main() {
  const check = process.argv.includes("--check");
  const document = JSON.parse(await readStdin());
  const text = await generate(document);
  let current = null;
  try {
    current = readFileSync(OUTPUT, "utf8");
  } catch {
    current = null;
  }
  if (check) {
    if (current !== text) {
      console.error(`${OUTPUT} is stale: the server's wire shapes changed. Run \`make api-types\` and commit the result.`);
      process.exit(1);
    }
    return;
  }
  if (current !== text) writeFileSync(OUTPUT, text);
}

await main();
