/** The server's CSP forbids inline script and style: index.html must have none. */
import { describe, expect, it } from "vitest";
import html from "../index.html?raw";

describe("index.html", () => {
  it("has no inline script, style element or style attribute", () => {
    for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(match[1]).toMatch(/\bsrc=/);
      expect(match[2]?.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it("is Japanese and links the manifest and icons", () => {
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    expect(html).toContain('rel="apple-touch-icon"');
    expect(html).toContain("<title>carebook 在宅医療・介護連携</title>");
  });
});
