"""Copied from ../shared/bench/loadgen.py (issue 13). Changed here: only the carebook sign-in
adapter (`CarebookSession`), for the request contract of docs/api/requests.md — it keeps the
`unlockSecret` of the answer that completes sign-in and sends it as `X-Carebook-Unlock` with
every request (the live stream included), as the PWA does while unlocked. The workloads, the
baseline adapter and the report are unchanged.

Load generator for carebook's sync API, with a bare Litestar baseline as the yardstick: the same
bounded workloads, each target behind an adapter with one interface (sender, receive, syncers).

  a  send: K senders post small messages, each as soon as its last one was acknowledged
  b  delivery: a receiver holds the SSE stream and pulls on each poke
     while a sender posts every 100 ms; time from send start until the receiver holds the message
  c  sync: N clients repeat an incremental pull that has no new data for them (each with its own
     cursor) while a background sender posts 20 msg/s into a room they are not in
  d  memory: VmRSS / VmHWM of the server process (--pid) after setup and after the runs
Load-generator, server and database CPU are recorded for every workload: on 2 cores they compete.

usage: loadgen.py run --target carebook --base http://localhost:PORT --pid PID --out RUN.json
       loadgen.py run --target baseline --base http://127.0.0.1:PORT --pid PID --workloads a,c ...
       loadgen.py report RUN.json...   markdown tables; a cell is min–max over the runs of a label
"""
import argparse
import asyncio
import itertools
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from importlib.metadata import version

import aiohttp
import pyotp

WARM, PAUSE, INTERVAL, BG_RATE = 2.0, 3.0, 0.1, 20.0  # seconds, seconds, seconds, messages/s
MARK = re.compile(r"bench-([0-9a-f]{16})")
USERS = ("demo-nurse", "demo-doctor", "demo-caremanager")  # nurse sends, doctor receives; both sync
CB_READERS = ("demo-pharmacist", "demo-pt")  # c's syncers: each in one demo room, not the care manager's noise room
CB_PASSWORD, CB_TOTP = "carebook-demo-2026", "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"


def slurp(path: str) -> str:
    with open(path) as f:
        return f.read()


def new_body() -> tuple[str, str]:
    marker = uuid.uuid4().hex[:16]
    return marker, f"bench-{marker} 訪問 14:05 体温36.8℃ 血圧128/76 食事7割 特変なし"


def uuid7() -> str:
    b = bytearray(int(time.time() * 1000).to_bytes(6, "big") + os.urandom(10))
    b[6], b[8] = 0x70 | (b[6] & 0x0F), 0x80 | (b[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(b)))


async def checked(resp: aiohttp.ClientResponse) -> dict:
    text = await resp.text()
    if resp.status >= 300:
        raise RuntimeError(f"{resp.method} {resp.url.path} -> {resp.status} {text[:120]}")
    return json.loads(text) if text else {}


def count(errors: Counter, e: BaseException) -> None:
    errors[f"{type(e).__name__}: {e}"[:160]] += 1


class CarebookSession:
    """One signed-in carebook user: cookie session, CSRF token, device id, unlock proof, cursor."""

    def __init__(self, http: aiohttp.ClientSession, base: str, login: str) -> None:
        self.http, self.base, self.login = http, base, login
        self.device, self.csrf, self.cookies, self.cursor, self.rooms = str(uuid.uuid4()), None, {}, None, {}
        self.unlock = None  # the unlock secret from the sign-in answer (docs/api/requests.md)

    def headers(self) -> dict:
        h = {"Origin": self.base, "X-Carebook-Device": self.device,
             "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        h |= {"X-Carebook-Unlock": self.unlock} if self.unlock else {}
        return h | ({"X-CSRF-Token": self.csrf} if self.csrf else {})

    async def call(self, method: str, path: str, body: dict | None = None) -> dict:
        async with self.http.request(method, self.base + path, json=body, headers=self.headers()) as r:
            self.cookies.update({k: m.value for k, m in r.cookies.items()})
            j = await checked(r)
        if isinstance(j, dict) and j.get("csrfToken"):
            self.csrf = j["csrfToken"]
        if isinstance(j, dict) and j.get("unlockSecret"):
            self.unlock = j["unlockSecret"]
        return j

    async def sign_in(self) -> None:
        await self.call("GET", "/api/auth/csrf")
        j = await self.call("POST", "/api/auth/login", {"loginId": self.login, "password": CB_PASSWORD})
        if j.get("next") not in ("totp", "choose"):
            raise RuntimeError(f"{self.login}: login answered next={j.get('next')!r}")
        try:
            j = await self.call("POST", "/api/auth/totp", {"code": pyotp.TOTP(CB_TOTP).now()})
        except RuntimeError as e:  # each TOTP step is accepted once per user
            raise RuntimeError(f"{self.login}: TOTP refused (a code of this 30 s step already used?): {e}") from e
        if j.get("next") != "done":
            raise RuntimeError(f"{self.login}: totp answered {j}")

    async def pull_all(self, cursor) -> tuple[object, dict]:
        rooms: dict[str, list] = {}
        for _ in range(1000):
            j = await self.call("POST", "/api/sync/pull", {"cursor": cursor, "limit": 500})
            cursor, more = j["cursor"], False
            for room_id, part in (j.get("rooms") or {}).items():
                rooms.setdefault(room_id, []).extend(part.get("changes", []))
                more = more or bool(part.get("hasMore"))
            if not more:
                break
        return cursor, rooms


class Carebook:
    """The delta-sync contract (shared/DESIGN.md, "Delta sync"); each demo user signs in once."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.meta = http, base.rstrip("/"), {}
        self.s = {u: CarebookSession(http, self.base, u) for u in USERS + CB_READERS}

    async def open(self) -> None:
        async with self.http.get(self.base + "/api/health") as r:
            self.meta["server_version"] = f"carebook {(await checked(r)).get('version')}"
        for s in self.s.values():
            await s.sign_in()
            s.cursor, s.rooms = await s.pull_all(None)
        nurse, doctor, cm = (self.s[u] for u in USERS)
        shared = sorted(set(nurse.rooms) & set(doctor.rooms), key=lambda r: r not in cm.rooms)
        if not shared:
            raise RuntimeError("demo-nurse and demo-doctor share no room")
        self.main = shared[0]
        # c's syncers must not see the background posts: readers outside one of the care manager's rooms
        # (the demo puts nurse, doctor and care manager in every room); else nurse and doctor, and it is said
        readers = [self.s[u] for u in CB_READERS]
        apart = [r for r in cm.rooms if all(r not in s.rooms for s in readers)]
        if apart and all(s.rooms for s in readers):
            self.noise, self.readers = apart[0], readers
        else:
            self.noise, self.readers = self.main, [nurse, doctor]
        self.meta["noise_visible_to_syncers"] = not apart
        self.meta["syncers"] = [s.login for s in self.readers]
        self.writers = [s for s in self.s.values() if self.main in s.rooms]
        self.title = {}
        for s in self.s.values():
            for room, changes in s.rooms.items():
                for c in changes:
                    if c.get("type") == "reportTitle" and c.get("op") == "put":
                        self.title.setdefault(room, c["id"])

    def sender(self, i: int, noise: bool = False):
        s = self.s["demo-caremanager"] if noise else self.writers[i % len(self.writers)]
        room, client_id, ids = (self.noise if noise else self.main), str(uuid.uuid4()), itertools.count(1)

        async def send(body: str) -> None:
            j = await s.call("POST", "/api/sync/push", {"clientId": client_id, "mutations": [{
                "id": next(ids), "name": "post.create",
                "args": {"id": uuid7(), "roomId": room, "reportTitleId": self.title[room], "body": body}}]})
            if j["results"][0]["status"] != "ok":
                raise RuntimeError(f"push: {j['results'][0]}")
        return send

    async def receive(self, seen: dict, ready: asyncio.Event) -> None:
        s, dirty = self.s["demo-doctor"], asyncio.Event()
        cursor, _ = await s.pull_all(s.cursor)

        async def puller() -> None:  # pulls after each poke; pokes that arrive during a pull coalesce
            nonlocal cursor
            while True:
                await dirty.wait()
                dirty.clear()
                cursor, rooms = await s.pull_all(cursor)
                now = time.perf_counter()
                for ch in rooms.get(self.main, []):
                    if ch.get("type") == "post" and (m := MARK.search(str((ch.get("data") or {}).get("body", "")))):
                        seen.setdefault(m[1], now)
        task = asyncio.create_task(puller())
        try:
            timeout = aiohttp.ClientTimeout(total=None, sock_read=60)  # heartbeats come every 20 s
            async with self.http.get(self.base + "/api/sync/events", headers=s.headers(), timeout=timeout) as r:
                if r.status >= 300:
                    await checked(r)
                ready.set()
                dirty.set()  # a client pulls after every (re)connect
                async for line in r.content:
                    if task.done():
                        task.result()
                    try:
                        ev = json.loads(line[5:]) if line.startswith(b"data:") else None
                    except ValueError:
                        continue
                    if isinstance(ev, dict) and ev.get("roomId") == self.main:
                        dirty.set()
        finally:
            task.cancel()

    async def syncers(self, n: int) -> list:
        who = self.readers
        for s in who:  # start from the newest cursor, so that the timed pulls have no new data
            s.cursor, _ = await s.pull_all(s.cursor)

        def syncer(s: CarebookSession):
            state = {"cursor": s.cursor}

            async def sync() -> None:
                state["cursor"] = (await s.call("POST", "/api/sync/pull", {"cursor": state["cursor"], "limit": 100}))["cursor"]
            return sync
        return [syncer(who[i % len(who)]) for i in range(n)]


class Baseline:
    """The ceiling: baseline_app.py's hello handler under the same client (and wrk, if installed)."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base.rstrip("/")
        self.wrk_url = self.base + "/hello"
        self.meta = {"server_version": f"Litestar {version('litestar')}, uvicorn {version('uvicorn')}, 1 worker"}

    def sender(self, i: int, noise: bool = False):
        async def send(body: str) -> None:
            async with self.http.post(self.base + "/post", json={"body": body}) as r:
                await checked(r)
        return send

    async def syncers(self, n: int) -> list:
        async def sync() -> None:
            async with self.http.get(self.wrk_url) as r:
                await checked(r)
        return [sync] * n


def summary(xs: list[float]) -> dict:
    xs = sorted(xs)

    def pick(q: float) -> float | None:  # nearest rank, in ms
        return round(xs[max(0, math.ceil(q * len(xs)) - 1)] * 1000, 1) if xs else None
    return {"n": len(xs), "p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "max": pick(1.0)}


def tree_cpu(pid: int | None) -> float:
    """CPU seconds of a process and its live descendants (PostgreSQL forks a backend per connection)."""
    stats = {}
    for d in filter(str.isdigit, os.listdir("/proc")) if pid else ():
        try:
            stats[int(d)] = slurp(f"/proc/{d}/stat").rsplit(")", 1)[1].split()
        except OSError:
            pass
    todo, ticks = [pid] if pid else [], 0
    while todo:
        p = todo.pop()
        ticks += sum(int(x) for x in stats.get(p, [0] * 15)[11:15])  # utime stime cutime cstime
        todo += [c for c, f in stats.items() if int(f[1]) == p]
    return ticks / os.sysconf("SC_CLK_TCK")


def memory(pid: int | None) -> dict:
    lines = slurp(f"/proc/{pid}/status").splitlines() if pid else []
    return {k: round(int(v.split()[0]) / 1024, 1) for k, _, v in (ln.partition(":") for ln in lines) if k in ("VmRSS", "VmHWM")}


class Meter:
    """CPU spent by the load generator (with its children: wrk), the server and the database."""

    def __init__(self, args) -> None:
        self.args = args
        self.t0 = self.read()

    def read(self) -> tuple:
        u, m = resource.getrusage(resource.RUSAGE_CHILDREN), [int(x) for x in slurp("/proc/stat").split()[1:9]]
        return (time.perf_counter(), time.process_time() + u.ru_utime + u.ru_stime,
                tree_cpu(self.args.pid), tree_cpu(self.args.db_pid), sum(m), m[3] + m[4])

    def stop(self) -> dict:
        (w0, c0, s0, d0, m0, i0), (w1, c1, s1, d1, m1, i1) = self.t0, self.read()
        return {"wall_s": round(w1 - w0, 1), "loadgen_cores": round((c1 - c0) / (w1 - w0), 2),
                "server_cores": round((s1 - s0) / (w1 - w0), 2),
                "db_cores": round((d1 - d0) / (w1 - w0), 2) if self.args.db_pid else None,
                "machine_busy": round(1 - (i1 - i0) / max(1, m1 - m0), 2)}


async def closed_loop(calls: list, args, think: float = 0.0) -> dict:
    """Each call repeats (after `think` seconds); latencies and CPU count from the end of the warm-up."""
    lats, errors, meter = [], Counter(), []
    start = time.perf_counter() + WARM
    end = start + args.duration

    async def arm() -> None:
        await asyncio.sleep(WARM)
        meter.append(Meter(args))

    async def loop(call) -> None:
        while (t := time.perf_counter()) < end:
            try:
                await call()
                if t >= start:
                    lats.append(time.perf_counter() - t)
            except Exception as e:  # counted and shown, never fatal
                count(errors, e)
                await asyncio.sleep(0.1)
            await asyncio.sleep(think)
    await asyncio.gather(arm(), *(loop(c) for c in calls))
    per_s = len(lats) / (time.perf_counter() - start)
    return {"per_s": round(per_s, 1), "latency_ms": summary(lats), "errors": dict(errors), "cpu": meter[0].stop()}


async def w_send(ad, args) -> dict:
    def poster(send):
        return lambda: send(new_body()[1])
    return {"senders": args.senders} | await closed_loop([poster(ad.sender(i)) for i in range(args.senders)], args)


async def paced(send, interval: float, duration: float, errors: Counter) -> tuple[dict, list]:
    """Posts one message every `interval` seconds (a late one goes at once); returns send times, latencies."""
    sent, lats, t = {}, [], time.perf_counter()
    end = t + duration
    while t < end:
        marker, body = new_body()
        t0 = sent[marker] = time.perf_counter()
        try:
            await send(body)
            lats.append(time.perf_counter() - t0)
        except Exception as e:
            count(errors, e)
        t += interval
        await asyncio.sleep(max(0.0, t - time.perf_counter()))
    return sent, lats


async def w_delivery(ad, args) -> dict:
    seen, ready, errors = {}, asyncio.Event(), Counter()
    rx = asyncio.create_task(ad.receive(seen, ready))
    await asyncio.wait([rx, asyncio.create_task(ready.wait())], timeout=60, return_when="FIRST_COMPLETED")
    if rx.done() or not ready.is_set():
        raise RuntimeError(f"receiver did not start: {rx.exception() if rx.done() else 'timeout'}")
    await asyncio.sleep(1)
    meter = Meter(args)
    sent, _ = await paced(ad.sender(0), INTERVAL, args.duration, errors)
    cpu = meter.stop()
    for _ in range(50):  # up to 5 s for the last messages to arrive
        if set(sent) <= set(seen) or rx.done():
            break
        await asyncio.sleep(0.1)
    if rx.done() and not rx.cancelled() and rx.exception():
        count(errors, rx.exception())
    rx.cancel()
    lats = [seen[m] - t0 for m, t0 in sent.items() if m in seen]
    return {"sent": len(sent), "received": len(lats), "latency_ms": summary(lats), "errors": dict(errors), "cpu": cpu}


async def w_sync(ad, args, syncers: list) -> dict:
    bg_errors = Counter()
    bg = asyncio.create_task(paced(ad.sender(0, noise=True), 1 / BG_RATE, WARM + args.duration, bg_errors))
    res = await closed_loop(syncers, args, args.think)
    _, bg_lats = await bg
    return {"clients": len(syncers), "think_s": args.think} | res | {
        "background": {"latency_ms": summary(bg_lats), "errors": dict(bg_errors)}}


async def w_wrk(url: str, n: int, args) -> dict:
    meter = Meter(args)
    out = (await asyncio.to_thread(subprocess.run, ["wrk", "-t1", f"-c{n}", f"-d{int(args.duration)}s", "--latency", url],
                                   capture_output=True, text=True, timeout=args.duration + 60)).stdout
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    lat = {f"p{p}": round(float(v) * scale[u], 2)
           for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)}
    bad = sum(map(int, re.findall(r"(?:Non-2xx or 3xx responses:|connect|read|write|timeout) (\d+)", out)))
    return {"clients": n, "per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]), "latency_ms": lat,
            "errors": {"wrk errors": bad} if bad else {}, "cpu": meter.stop(), "raw": out}


async def run(args) -> dict:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000), cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=60)) as http:
        ad = (Carebook if args.target == "carebook" else Baseline)(http, args.base)
        if hasattr(ad, "open"):
            await ad.open()
        res: dict = {"meta": {k: v for k, v in vars(args).items() if k not in ("cmd", "out", "cpuinfo")}
                     | ad.meta | {"label": args.label or args.target, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                  "host": f"{os.cpu_count()} cores, {args.cpuinfo}",
                                  "client": f"aiohttp {aiohttp.__version__}, Python {sys.version.split()[0]}"},
                     "d_idle": memory(args.pid)}
        bound = args.duration + WARM + 120
        for w in args.workloads.split(","):
            print(f"[{res['meta']['label']}] workload {w}", file=sys.stderr, flush=True)
            if w in ("a", "b"):
                res[w] = await asyncio.wait_for((w_send if w == "a" else w_delivery)(ad, args), bound)
            for n in map(int, args.clients.split(",") if w == "c" else ()):
                syncers = await asyncio.wait_for(ad.syncers(n), 300)  # logins and first pulls: not timed
                await asyncio.sleep(PAUSE)
                res[f"c{n}"] = await asyncio.wait_for(w_sync(ad, args, syncers), bound)
                if hasattr(ad, "wrk_url") and shutil.which("wrk"):
                    await asyncio.sleep(PAUSE)
                    res[f"wrk{n}"] = await asyncio.wait_for(w_wrk(ad.wrk_url, n, args), bound)
            await asyncio.sleep(PAUSE)
        res["d"] = memory(args.pid)
    return res


COLS = [("rate /s", "per_s"), ("p50 ms", "latency_ms.p50"), ("p95 ms", "latency_ms.p95"), ("p99 ms", "latency_ms.p99"),
        ("load-gen CPU", "cpu.loadgen_cores"), ("server CPU", "cpu.server_cores"), ("DB CPU", "cpu.db_cores"),
        ("machine busy", "cpu.machine_busy"), ("errors, lost", "bad")]
NAMES = {"a": "a. send, {senders} senders", "b": "b. delivery, 1 msg / 100 ms", "c": "c. sync, N={clients}",
         "g": "c. its background posts (20/s)", "w": "wrk GET, N={clients}"}


def dig(d, path: str):
    for k in path.split("."):
        d = d.get(k) if isinstance(d, dict) else None
    return d


def cell(vals: list) -> str:
    def fmt(x: float) -> str:
        return str(x) if isinstance(x, int) else f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 1000 else f"{x:.0f}"
    vals = [fmt(v) for v in sorted(v for v in vals if v is not None)]
    return "–" if not vals else vals[0] if vals[0] == vals[-1] else f"{vals[0]}–{vals[-1]}"


def report(runs: list[dict]) -> str:
    by: dict[str, list] = {}
    for r in runs:
        by.setdefault(r["meta"]["label"], []).append(r)
        for k in [k for k in r if re.fullmatch(r"c\d+", k)]:  # c's background posts get a row of their own
            bg = r[k]["background"]
            r[k + "g"] = {"per_s": round(bg["latency_ms"]["n"] / (r["meta"]["duration"] + WARM), 1)} | bg
        for w in r.values():
            if isinstance(w, dict) and "latency_ms" in w:
                w["bad"] = sum(w.get("errors", {}).values()) + w.get("sent", 0) - w.get("received", 0)
    out = ["| target (runs) | workload | " + " | ".join(c for c, _ in COLS) + " |", "|---" * (len(COLS) + 2) + "|"]
    for label, rs in by.items():
        keys = {k for r in rs for k in r if re.fullmatch(r"[ab]|c\d+g?|wrk\d+", k)}
        for w in sorted(keys, key=lambda k: ("abcw".index(k[0]), int(re.sub(r"\D", "", k) or 0), k[-1] == "g")):
            have = [r[w] for r in rs if w in r]
            out.append(f"| {label} ({len(have)}) | {NAMES['g' if w[-1] == 'g' else w[0]].format(**have[0])} | "
                       + " | ".join(cell([dig(x, p) for x in have]) for _, p in COLS) + " |")
    out += ["", "| target | server | start-up s | VmRSS after setup MiB | VmRSS after runs MiB | VmHWM MiB |", "|---" * 6 + "|"]
    out += [f"| {label} | {rs[0]['meta'].get('server_version')} | " + " | ".join(
        cell([dig(r, p) for r in rs]) for p in ("meta.startup_s", "d_idle.VmRSS", "d.VmRSS", "d.VmHWM")) + " |"
        for label, rs in by.items()]
    return "\n".join(out + [f"\n{lb} {w}: {r[w]['errors']}" for lb, rs in by.items() for r in rs for w in r
                            if isinstance(r[w], dict) and r[w].get("errors") and w[-1] != "g"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--target", choices=("carebook", "baseline"), required=True)
    r.add_argument("--base", help="carebook or baseline address (loopback only)")
    r.add_argument("--pid", type=int, help="server process, for CPU and memory")
    r.add_argument("--db-pid", type=int, help="database server (postmaster) process, for CPU")
    r.add_argument("--label", help="groups runs in the report (default: the target)")
    r.add_argument("--workloads", default="a,b,c")
    r.add_argument("--duration", type=float, default=20.0, help="measured seconds per workload")
    r.add_argument("--senders", type=int, default=8, help="K of workload a")
    r.add_argument("--clients", default="50,200", help="N of workload c")
    r.add_argument("--think", type=float, default=0.0, help="c: seconds each client waits between syncs")
    r.add_argument("--out", required=True)
    sub.add_parser("report").add_argument("files", nargs="+")
    args = p.parse_args()
    if args.cmd == "report":
        return print(report([json.loads(slurp(f)) for f in args.files]))
    args.cpuinfo = next((ln.split(":")[1].strip() for ln in slurp("/proc/cpuinfo").splitlines() if ln.startswith("model name")), "?")
    base = args.base or ""
    if not re.fullmatch(r"https?://(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?/?", base):
        sys.exit(f"refusing a target that is not on loopback: {base!r}")
    res = asyncio.run(run(args))
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print(report([res]))


if __name__ == "__main__":
    main()
