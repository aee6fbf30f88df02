#!/usr/bin/env python3
"""The benchmark suite behind `make bench`.

Starts the release server on fresh databases (SQLite, then PostgreSQL),
seeds them with SQL, drives them with wrk (32 connections, 2 threads),
measures the client in headless Chromium, prints a table and one PASS/FAIL
line per budget, and writes docs/benchmarks.md.

  scripts/bench.py [--seconds N] [--binary PATH]

Standard library only; needs wrk, psql, node with end2end's Playwright.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench_delivery import delivery_budgets, delivery_text, fake_slack_alone, run_deliveries
from benchlib import (BENCH_PASSWORD, CONNECTIONS, GOOD_URL, WARM_UP_SECONDS, Seeder, Server, axum_floor, drop_database,
                      expect_page, fresh_database, lua, lua_spread, profile, sign_in, wrk)

DRF_LIST_RPS = 654  # the DRF stack's 25-row list on this machine (the measurement)
FLOOR = "axum floor: the list's body, token checked"
SPREAD = "PATCH, a random one of 20,000 webhooks"
INDEXED = "search index after the 1M bulk load"
# Notes a second SQLite's indexer must bring into its search index after a
# bulk load (webhooks/search_index.rs).
INDEXER_RATE = 5_000
# PostgreSQL's lines again, every statement planned generically (as
# PostgreSQL may choose after five executions of a prepared statement).
GENERIC = "postgres, generic plans"
GENERIC_SLOWDOWN = 1.5


def run_backend(backend, binary, seconds, workdir, results, generic_plans=False):
    url, drop = fresh_database(backend, workdir, "api", generic_plans)
    label = GENERIC if generic_plans else backend
    print(f"\n== {label} ==", flush=True)
    server = Server(binary, url, workdir)
    seed = Seeder(backend, url, binary)
    rows = results.setdefault(label, {})
    try:
        api = server.base + "/api/v2/webhooks/"
        seed.webhooks("default", 50)
        first, _ = seed.id_range("default")

        def measure(label, target, **kwargs):
            result = wrk(target, seconds, **kwargs)
            rows[label] = result
            print(f"  {label:<44} {result['rps']:>9,.0f} req/s  p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms"
                  + (f"  ({result['errors']} not 2xx)" if result["errors"] else ""), flush=True)
            return result

        def after_seeding_warm_up(target, token):
            # A bulk load's aftermath (PostgreSQL: the first line after
            # 100,000 rows measured 7,802-15,265/s, the same line run again
            # 14,226-15,104/s) is the seeding's, not the server's.
            wrk(target, WARM_UP_SECONDS, token=token)

        # A server just started opens its database connections and prepares
        # its statements on the first requests: warmed up before the first line.
        wrk(api + "?page_size=25", WARM_UP_SECONDS, token=server.token)
        measure("GET list (25 rows)", api + "?page_size=25", token=server.token)
        rows["rss_kib"] = server.memory_kib("VmRSS")
        rows["hwm_kib"] = server.memory_kib("VmHWM")
        if backend == "sqlite":
            rows["profile"] = profile(server, api + "?page_size=25", server.token, seconds, workdir)
            floor = axum_floor(api + "?page_size=25", server.token, seconds, workdir)
            rows[FLOOR] = floor
            print(f"  {FLOOR:<44} {floor['rps']:>9,.0f} req/s  p50 {floor['p50']:6.2f} ms  p99 {floor['p99']:6.2f} ms", flush=True)
        measure("GET one", f"{api}{first}/", token=server.token)
        measure("POST create", api, token=server.token, script=lua(f"{workdir}/create.lua", "POST", {"name": "Bench create", "url": GOOD_URL}))
        measure("PATCH", f"{api}{first}/", token=server.token, script=lua(f"{workdir}/patch.lua", "PATCH", {"description": "patched"}))
        # Edits spread over many webhooks, each changing what the search indexes.
        spread_token = seed.organization("spread")
        seed.webhooks("spread", 20_000)
        low, _ = seed.id_range("spread")
        after_seeding_warm_up(api + "?page_size=25", spread_token)
        measure(SPREAD, api, token=spread_token, script=lua_spread(f"{workdir}/spread.lua", low, 20_000))
        delete_token = seed.organization("deletes")
        seed.webhooks("deletes", 200_000)
        low, _ = seed.id_range("deletes")
        measure("DELETE", api, token=delete_token, script=lua(f"{workdir}/delete.lua", "DELETE", path_template="/api/v2/webhooks/", first_id=low))

        tokens = {}
        for size, slug in [(10, "s10"), (10_000, "s10k"), (100_000, "s100k")]:
            tokens[slug] = seed.organization(slug)
            seed.webhooks(slug, size)
            _, high = seed.id_range(slug)
            last = (size + 24) // 25
            after_seeding_warm_up(api + "?page_size=25", tokens[slug])
            measure(f"{size:,} webhooks: first page", api + "?page_size=25", token=tokens[slug])
            measure(f"{size:,} webhooks: last page", api + f"?page_size=25&page={last}", token=tokens[slug])
            measure(f"{size:,} webhooks: GET one", f"{api}{high}/", token=tokens[slug])
        # The admin list's search at 100,000 (11 of them match), signed in.
        searcher = sign_in(server, "bench@s100k.test", BENCH_PASSWORD)
        expect_page(server.base + "/webhooks?q=hook+5000", searcher)
        measure("100,000 webhooks: /webhooks?q=hook 5000", server.base + "/webhooks?q=hook+5000", cookie=searcher)
        # 1,000,000 across 100 organizations: 97 more share what is left.
        per_org = max(0, (1_000_000 - seed.scalar("SELECT COUNT(*) FROM webhooks")) // 97)
        seed.sql(" ".join(
            f"INSERT INTO organizations (slug, webhooks_enabled, created_at) VALUES ('filler-{n}', TRUE, 0);"
            for n in range(97)
        ))
        for n in range(97):
            seed.webhooks(f"filler-{n}", per_org, analyze=False)
        caught_up = seed.after_seeding()
        if caught_up:
            rows[INDEXED] = caught_up
        total = seed.scalar("SELECT COUNT(*) FROM webhooks")
        print(f"  ({total:,} webhooks in {seed.scalar('SELECT COUNT(*) FROM organizations')} organizations)")
        _, high = seed.id_range("s10k")
        after_seeding_warm_up(api + "?page_size=25", tokens["s10k"])
        measure("1M in 100 orgs (caller: 10,000): first page", api + "?page_size=25", token=tokens["s10k"])
        measure("1M in 100 orgs (caller: 10,000): last page", api + "?page_size=25&page=400", token=tokens["s10k"])
        measure("1M in 100 orgs (caller: 10,000): GET one", f"{api}{high}/", token=tokens["s10k"])

        cookie = sign_in(server)
        expect_page(server.base + "/webhooks", cookie)
        measure("page /webhooks (25 rows, signed in)", server.base + "/webhooks", cookie=cookie)
        measure("page /login", server.base + "/login")
    finally:
        server.stop()
        drop_database(drop)


def client_figures(binary, workdir):
    """Release JS + WASM + CSS sizes, and time to an interactive form in Chromium."""
    pkg = "target/site/pkg"
    sizes = {}
    for name in ["webhook-admin.js", "webhook-admin.wasm", "webhook-admin.css"]:
        raw = os.path.getsize(os.path.join(pkg, name))
        brotli = os.path.getsize(os.path.join(pkg, name + ".br"))
        sizes[name] = (raw, brotli)
    server = Server(binary, f"sqlite://{workdir}/client.db", workdir)
    try:
        out = subprocess.run(
            ["node", "end2end/bench-interactive.js", server.base, server.email, server.password, "10"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        server.stop()
    times = json.loads(out)
    return sizes, times


def client_size_budget():
    """The client's size budget, as `make test`'s check (end2end/client-size.js) holds it."""
    with open("end2end/client-size.js") as check:
        found = re.search(r"const BUDGET_BYTES = (\d+) \* 1000;", check.read())
    return int(found.group(1)) * 1000


def newcomer_seconds(workdir, limit=20 * 60):
    """Seconds from `make run` in a fresh clone of this repository's HEAD,
    with an empty cargo home (every crate downloaded again, wasm-bindgen-cli
    compiled), to its first answered /login. Rust itself (rustup, the
    toolchain and its wasm32 target) and the apt packages stay installed."""
    clone, home = f"{workdir}/newcomer", f"{workdir}/newcomer-home"
    subprocess.run(["git", "clone", "-q", os.getcwd(), clone], check=True)
    os.makedirs(f"{home}/.cargo/bin")
    rustup = os.path.realpath(shutil.which("rustup"))
    for proxy in ["rustup", "cargo", "rustc"]:
        os.symlink(rustup, f"{home}/.cargo/bin/{proxy}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "HOME": home,
        "CARGO_HOME": f"{home}/.cargo",
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", os.path.expanduser("~/.rustup")),
        "PATH": f"{home}/.cargo/bin:/usr/local/bin:/usr/bin:/bin",
        "DATABASE_URL": f"sqlite://{workdir}/newcomer.db",
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
    }
    log = open(f"{workdir}/newcomer.log", "w")
    start = time.time()
    run = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        while time.time() - start < limit:
            if run.poll() is not None:
                raise SystemExit(f"make run exited ({run.returncode}):\n" + open(log.name).read()[-3000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as answer:
                    if answer.status == 200:
                        return time.time() - start
            except OSError:
                pass
            time.sleep(1)
        return float("inf")
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--binary", default=os.path.abspath("target/release/webhook-admin"))
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip-newcomer", action="store_true", help="skip the fresh `make run` (~5 min)")
    parser.add_argument("--only-deliveries", action="store_true", help="only the delivery engine's lines (docs/benchmarks.md is not written)")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        fake_slack = fake_slack_alone(args.seconds, workdir)
        for backend in args.backends.split(","):
            os.makedirs(f"{workdir}/{backend}")
            if not args.only_deliveries:
                run_backend(backend, args.binary, args.seconds, f"{workdir}/{backend}", results)
            run_deliveries(backend, args.binary, args.seconds, f"{workdir}/{backend}", results)
            if backend == "postgres" and not args.only_deliveries:
                run_backend(backend, args.binary, args.seconds, f"{workdir}/{backend}", results, generic_plans=True)
        if args.only_deliveries:
            budgets = []
            delivery_budgets(results, lambda ok, text: budgets.append(f"{'PASS' if ok else 'FAIL'}  {text}"))
            print("\n" + "\n".join(budgets))
            return
        sizes, times = client_figures(args.binary, workdir)
        newcomer = None if args.skip_newcomer else newcomer_seconds(workdir)
    report(results, sizes, times, newcomer, fake_slack, args)


def report(results, sizes, times, newcomer, fake_slack, args):
    lines = []
    header = "| scenario | backend | req/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|"
    for backend, rows in results.items():
        if backend == "delivery":
            continue
        for label, row in rows.items():
            if isinstance(row, dict) and "rps" in row:
                lines.append(f"| {label} | {backend} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} |")
    total_brotli = sum(b for _, b in sizes.values())
    median_ms = statistics.median(times)
    sqlite, postgres = results.get("sqlite", {}), results.get("postgres", {})

    def get(rows, label, key="rps"):
        return rows.get(label, {}).get(key, 0)

    budgets = []

    def budget(ok, text):
        budgets.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    list_rps = get(sqlite, "GET list (25 rows)")
    budget(list_rps >= 20_000, f"GET list, SQLite: {list_rps:,.0f} req/s (>= 20,000; {list_rps / DRF_LIST_RPS:.1f}x the DRF stack's {DRF_LIST_RPS})")
    floor = get(sqlite, FLOOR)
    share = list_rps / floor if floor else 0
    budget(share >= 0.5, f"GET list, SQLite: {share:.0%} of the axum floor's {floor:,.0f} req/s, same run (>= 50%)")
    p99 = get(sqlite, "GET list (25 rows)", "p99")
    budget(p99 < 10, f"GET list, SQLite: p99 {p99:.2f} ms (< 10)")
    pg_list = get(postgres, "GET list (25 rows)")
    budget(pg_list >= 10_000, f"GET list, PostgreSQL: {pg_list:,.0f} req/s (>= 10,000)")
    one = get(sqlite, "GET one")
    budget(one >= 30_000, f"GET one, SQLite: {one:,.0f} req/s (>= 30,000)")
    create = get(sqlite, "POST create")
    budget(create >= 5_000, f"POST create, SQLite: {create:,.0f} req/s (>= 5,000; WAL, synchronous=NORMAL: durable through a process crash)")
    for backend, rows in results.items():
        if backend in ("delivery", GENERIC):
            continue
        base = get(rows, "10 webhooks: first page")
        for which in ["first", "last"]:
            deep = get(rows, f"100,000 webhooks: {which} page")
            ratio = base / deep if deep else float("inf")
            budget(ratio <= 1.5, f"100,000 webhooks, {which} page, {backend}: {deep:,.0f} req/s vs {base:,.0f} at 10 ({ratio:.2f}x slower; <= 1.5x)")
    generic = results.get(GENERIC)
    if generic is not None:
        slowdowns = [(get(postgres, label) / get(generic, label) if get(generic, label) else float("inf"), label)
                     for label, row in postgres.items() if isinstance(row, dict) and "rps" in row]
        worst, label = max(slowdowns)
        budget(worst <= GENERIC_SLOWDOWN, f"PostgreSQL with generic plans: the most slowed line, {label}: {get(generic, label):,.0f} req/s "
               f"vs {get(postgres, label):,.0f} ({worst:.2f}x slower; every line <= {GENERIC_SLOWDOWN}x)")
    pages = get(sqlite, "page /webhooks (25 rows, signed in)")
    indexed = results.get("sqlite", {}).get(INDEXED)
    if indexed:
        rate = indexed["notes"] / max(indexed["seconds"], 0.001)
        budget(indexed["done"] and rate >= INDEXER_RATE,
               f"SQLite's search index after a bulk load: {indexed['notes']:,} webhooks indexed in {indexed['seconds']:.0f} s"
               + ("" if indexed["done"] else " and still going")
               + f", {rate:,.0f}/s (>= {INDEXER_RATE:,}/s)")
    budget(pages >= 5_000, f"/webhooks page, SQLite: {pages:,.0f} pages/s (>= 5,000)")
    size_budget = client_size_budget()
    budget(total_brotli <= size_budget, f"client JS + WASM + CSS: {total_brotli:,} bytes brotli (<= {size_budget:,})")
    budget(median_ms < 300, f"client interactive: {median_ms:.0f} ms median of {len(times)} (< 300)")
    rss = sqlite.get("rss_kib", 0) / 1024
    budget(rss < 64, f"server RSS under the list load, SQLite: {rss:.1f} MiB (< 64)")
    delivery_budgets(results, budget)
    if newcomer is not None:
        minutes, seconds = divmod(round(newcomer), 60) if newcomer != float("inf") else (99, 0)
        budget(newcomer < 600, f"newcomer: make run in a fresh clone, empty cargo home, served /login after {minutes}m{seconds:02d}s (< 10 min)")

    client = "\n".join(f"| {name} | {raw:,} | {br:,} |" for name, (raw, br) in sizes.items())
    machine = machine_description()
    text = f"""# Benchmarks

The latest `make bench` run. wrk, {CONNECTIONS} connections, 2 threads, {args.seconds} s per line, on
the same machine as the server (they share its cores). The release binary, fresh databases
seeded with SQL; each line's organization holds the webhooks it names. Each server gets
{WARM_UP_SECONDS} s of list requests before its first line (it opens its database connections and
prepares its statements on the first requests), and {WARM_UP_SECONDS} s again before the first line after
each seeding (a bulk load's aftermath is the seeding's, not the server's). The
"{GENERIC}" lines are PostgreSQL's again on a database whose `plan_cache_mode` is
`force_generic_plan`: every statement planned without its values, as PostgreSQL may
choose after five executions; no line may fall by more than {GENERIC_SLOWDOWN}x.

- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
- Machine: {machine}

## Server

{header}
{chr(10).join(lines)}

Server memory after the list load (SQLite): RSS {sqlite.get('rss_kib', 0) / 1024:.1f} MiB,
peak {sqlite.get('hwm_kib', 0) / 1024:.1f} MiB; PostgreSQL: RSS {postgres.get('rss_kib', 0) / 1024:.1f} MiB.

## Delivery

{delivery_text(results, fake_slack)}

## Client

| file | bytes | brotli |
|---|---:|---:|
{client}
| total | {sum(r for r, _ in sizes.values()):,} | {total_brotli:,} |

Time from navigation to an interactive form (`/webhooks/new`, signed in, headless Chromium,
localhost): median {median_ms:.0f} ms of {len(times)} ({', '.join(f'{t:.0f}' for t in times)}).

## Budgets

```
{chr(10).join(budgets)}
```

## Profile

{profile_text(sqlite.get("profile"), args.seconds)}

## What limits it

What bounds each line now, the profiles behind it, and every change measured so far:
[performance.md](performance.md). Compare binaries back to back on one machine, not
against this table: between runs and machines a line moves by a quarter or more.
"""
    with open("docs/benchmarks.md", "w") as out:
        out.write(text)
    print("\n" + "\n".join(budgets))
    print("\nwritten: docs/benchmarks.md")


def profile_text(found, seconds):
    if not found:
        return "Not taken: `perf` is not installed."
    libraries = ", ".join(f"{name} {share:.1f} %" for share, name in found["by_library"])
    symbols = "\n".join(f"| {share:.1f} | `{name}` |" for share, name in found["by_symbol"])
    return f"""The server under the SQLite list load, measured by this run: `perf record -F 999` for
{seconds} s of the same wrk load, in a line of its own after the list line (wrk shares the two cores).
By library: {libraries}.

| % of samples | symbol (`[k]` kernel, `[.]` user space) |
|---:|---|
{symbols}"""


def machine_description():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpu:
            for line in cpu:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as mem:
            total = int(mem.readline().split()[1]) / 1024 / 1024
    except OSError:
        total = 0
    return f"{os.cpu_count()} cores ({model}), {total:.0f} GiB, {platform.system()} {platform.release()}"


if __name__ == "__main__":
    sys.exit(main())
