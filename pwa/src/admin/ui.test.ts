import { h, render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FRESH_EVERY_MS, useLoad } from "./ui";

afterEach(() => vi.useRealTimers());

function mount(load: () => Promise<number>, keepFresh: boolean): HTMLElement {
  function Probe() {
    useLoad(load, [], { keepFresh });
    return null;
  }
  const root = document.createElement("div");
  act(() => render(h(Probe, null), root));
  return root;
}

describe("useLoad", () => {
  it("keeps a screen fresh: again each minute in view, and when the window comes back", async () => {
    vi.useFakeTimers();
    const load = vi.fn(async () => 1);
    const root = mount(load, true);
    expect(load).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(FRESH_EVERY_MS);
    });
    expect(load).toHaveBeenCalledTimes(2);
    act(() => {
      window.dispatchEvent(new Event("focus"));
    });
    expect(load).toHaveBeenCalledTimes(3);
    act(() => render(null, root));
    await vi.advanceTimersByTimeAsync(FRESH_EVERY_MS * 2);
    expect(load).toHaveBeenCalledTimes(3); // gone with the screen
  });

  it("loads once when not asked to keep fresh", async () => {
    vi.useFakeTimers();
    const load = vi.fn(async () => 1);
    mount(load, false);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(FRESH_EVERY_MS * 2);
    });
    window.dispatchEvent(new Event("focus"));
    expect(load).toHaveBeenCalledTimes(1);
  });
});
