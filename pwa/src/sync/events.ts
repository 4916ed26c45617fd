/**
 * The live stream (`GET /api/sync/events`, Server-Sent Events) read with a streaming fetch
 * rather than an EventSource: EventSource cannot send headers, and every request must carry
 * the device id and the unlock proof (docs/api/requests.md), so the cookie alone opens
 * nothing. The server sends only pokes (`poke`, `revoked`, `wipe`) and comments as
 * heartbeats; the caller pulls on each event and after every (re)connect.
 *
 * `close()` aborts the request at once (lock, sign-out, wipe). When the stream ends or
 * fails, `onClosed` says whether it was refused (401/403/4xx: do not retry until something
 * changes) or dropped (retry with backoff).
 */
import { ApiError, openStream } from "../api";

export interface EventStreamHandlers {
  onOpen(): void;
  onEvent(type: string, data: string): void;
  onClosed(refused: boolean): void;
}

export interface EventStream {
  close(): void;
}

/** Feeds text chunks; calls `emit` for each complete event (blank-line terminated). */
export function sseParser(emit: (type: string, data: string) => void): (chunk: string) => void {
  let buffer = "";
  let type = "";
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (data.length || type) emit(type || "message", data.join("\n"));
        type = "";
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") type = value;
        else if (field === "data") data.push(value);
      }
    }
  };
}

export function openEventStream(handlers: EventStreamHandlers): EventStream {
  const controller = new AbortController();
  let closed = false;
  const finish = (refused: boolean) => {
    if (closed) return;
    closed = true;
    handlers.onClosed(refused);
  };
  void (async () => {
    try {
      const response = await openStream("/api/sync/events", controller.signal);
      handlers.onOpen();
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const feed = sseParser((type, data) => handlers.onEvent(type, data));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feed(value);
      }
      finish(false);
    } catch (error) {
      if (controller.signal.aborted) return; // closed on purpose: nothing to report
      const refused = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
      finish(refused);
    }
  })();
  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}
