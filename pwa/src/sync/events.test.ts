import { describe, expect, it } from "vitest";
import { sseParser } from "./events";

describe("server-sent events over fetch", () => {
  it("parses events, data lines and comments across chunk boundaries", () => {
    const seen: Array<[string, string]> = [];
    const feed = sseParser((type, data) => seen.push([type, data]));
    feed(": heartbeat\n\nevent: poke\ndata: {\"roomId\":");
    feed("\"r1\",\"version\":3}\n\r\nevent: wipe\r\ndata: {}\r\n\r\n");
    feed("data: a\ndata: b\n\n");
    expect(seen).toEqual([
      ["poke", '{"roomId":"r1","version":3}'],
      ["wipe", "{}"],
      ["message", "a\nb"],
    ]);
  });
});
