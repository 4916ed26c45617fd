"""Benchmark: the passcode KDF — what an unlock costs the nurse, and a guess the attacker.

Two measurements, for the Argon2id parameter sets in PARAMS:

1. **Unlock time in the browser.** Headless Chromium (Debian's /usr/bin/chromium) runs
   hash-wasm's Argon2id — the same library and build the PWA ships — on a page of its own,
   `--rounds` times per set, and the median is reported (PBKDF2-SHA-256 at 400,000
   iterations, the old wrapping, for comparison).
2. **Guesses per second for an attacker with this CPU.** argon2-cffi (the reference C
   implementation, faster than WebAssembly) hashes candidate passcodes on one core; the
   figure per core and for every core of this machine is reported. This is what a copied
   browser profile costs per guess on a CPU; docs/security.md adds the GPU estimate.

    .venv/bin/python bench/kdf_bench.py --rounds 5

Run on demand, never in `make test`. Needs `npm install` in pwa/ (for hash-wasm).
"""

from __future__ import annotations

import argparse
import http.server
import os
import platform
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# (memory KiB, iterations): the shipped default first, then its neighbours.
PARAMS = [(19 * 1024, 2), (32 * 1024, 3), (46 * 1024, 1), (64 * 1024, 2), (64 * 1024, 3)]

PAGE = """<!doctype html><meta charset=utf-8><script src="argon2.umd.min.js"></script>"""

MEASURE = """
async ([memoryKiB, iterations, rounds]) => {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const t0 = performance.now();
    await hashwasm.argon2id({password: 'k7p2x9q4', salt, parallelism: 1, iterations,
                             memorySize: memoryKiB, hashLength: 32, outputType: 'binary'});
    times.push(performance.now() - t0);
  }
  return times;
}
"""

PBKDF2 = """
async (rounds) => {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode('482916'),
                                                   'PBKDF2', false, ['deriveBits']);
    await crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', iterations: 400000,
                                    salt: crypto.getRandomValues(new Uint8Array(16))},
                                   material, 256);
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def browser_times(rounds: int) -> dict[str, list[float]]:
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "index.html").write_text(PAGE)
        shutil.copy(ROOT / "pwa/node_modules/hash-wasm/dist/argon2.umd.min.js", site)
        server, port = serve(site)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"http://localhost:{port}/index.html")
                page.wait_for_function("typeof hashwasm !== 'undefined'")
                out: dict[str, list[float]] = {}
                page.evaluate(MEASURE, [1024, 1, 1])  # compile the module once
                for memory, iterations in PARAMS:
                    out[f"argon2id m={memory // 1024} MiB t={iterations}"] = page.evaluate(
                        MEASURE, [memory, iterations, rounds]
                    )
                out["PBKDF2-SHA-256 400,000 (v1)"] = page.evaluate(PBKDF2, rounds)
                browser.close()
        finally:
            server.shutdown()
    return out


def native_rate(memory: int, iterations: int, seconds: float = 3.0) -> float:
    """Guesses per second on one core with the reference C Argon2id (argon2-cffi)."""
    salt = os.urandom(16)
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        hash_secret_raw(
            f"{count:06d}".encode(), salt, time_cost=iterations, memory_cost=memory,
            parallelism=1, hash_len=32, type=Type.ID,
        )
        count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"load average: {os.getloadavg()}")
    times = browser_times(args.rounds)
    print("\nunlock in headless Chromium (median, min–max of", args.rounds, "runs):")
    for name, values in times.items():
        print(f"  {name:34s} {statistics.median(values):7.0f} ms   "
              f"({min(values):.0f}–{max(values):.0f})")
    print("\nattacker guesses per second, argon2-cffi on one core:")
    cores = os.cpu_count() or 1
    for memory, iterations in PARAMS:
        rate = native_rate(memory, iterations)
        print(f"  argon2id m={memory // 1024:2d} MiB t={iterations}: {rate:7.1f}/s per core, "
              f"{rate * cores:7.1f}/s on {cores} cores")


if __name__ == "__main__":
    main()
