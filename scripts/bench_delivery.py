"""The delivery engine's lines of `make bench` (scripts/bench.py).

1,000 webhooks, each subscribed to a type of its own (`bench.w0` …
`bench.w999`), posting to the fake Slack (examples/fake_slack.rs) with its
rate limit raised: events accepted per second by an instance that does not
deliver (`DELIVERIES=off`), then that backlog drained by one instance (and on
PostgreSQL by three), counted from the first arrival to the last, and the
time from posting an event to its arrival when the engine is idle.
"""

import json
import statistics
import subprocess
import time
import urllib.request

from benchlib import Seeder, Server, drop_database, fresh_database, request, wrk

WEBHOOKS = 1_000
LATENCY_SAMPLES = 200
# High enough that pacing never holds a webhook back: the line measures the engine.
PACING = {"DELIVERY_RATE": "100000", "DELIVERY_BURST": "100000"}
FAKE_SLACK = "target/release/examples/fake_slack"


class FakeSlack:
    """examples/fake_slack.rs as a process: answers every post `ok`."""

    def __init__(self):
        self.process = subprocess.Popen([FAKE_SLACK, "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
        self.base = self.process.stdout.readline().split("listening on ")[1].strip()

    def arrivals(self):
        """[path, text, µs since the epoch, refused] of every post, in arrival order."""
        with urllib.request.urlopen(self.base + "/_fake/arrivals") as answer:
            return json.loads(answer.read())

    def wait_for(self, count, limit=300):
        deadline = time.time() + limit
        while time.time() < deadline:
            with urllib.request.urlopen(self.base + "/_fake/count") as answer:
                arrived = int(answer.read())
            if arrived >= count:
                return self.arrivals()
            time.sleep(0.5)
        raise SystemExit(f"{arrived} of {count} deliveries arrived in {limit} s")

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.base + "/_fake/reset", method="POST")).read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def event_script(path):
    """A wrk script posting events, each to the next webhook's type."""
    with open(path, "w") as script:
        script.write(f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '{{"type": "bench.w' .. (n % {WEBHOOKS}) .. '", "text": "bench event ' .. tid .. "-" .. n .. '"}}')
end
""")
    return path


def fake_slack_alone(seconds, workdir):
    """The fake Slack's own ceiling, measured alone with wrk."""
    slack = FakeSlack()
    try:
        with open(f"{workdir}/slack.lua", "w") as script:
            script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                         'wrk.body = \'{"text": "bench"}\'\n')
        return wrk(slack.base + "/services/T0/B0/X", seconds, script=f"{workdir}/slack.lua")
    finally:
        slack.stop()


def run_deliveries(backend, binary, seconds, workdir, results):
    url, drop = fresh_database(backend, workdir, "deliveries")
    rows = results.setdefault("delivery", {}).setdefault(backend, {})
    slack = FakeSlack()
    env = dict(PACING, SLACK_BASE_URL=slack.base)
    seed = Seeder(backend, url, binary)
    servers = []

    def start(count, **extra):
        for n in range(count):
            servers.append(Server(binary, url, workdir, env=dict(env, **extra), name=f"{backend}-{len(servers)}"))
        return servers[-count]

    def stop_all():
        while servers:
            servers.pop().stop()

    def ingest(label):
        start(1, DELIVERIES="off")
        result = wrk(servers[0].base + "/api/v2/events/", seconds, token=token, script=event_script(f"{workdir}/events.lua"))
        if result["errors"]:
            raise SystemExit(f"{result['errors']} events were not accepted")
        stop_all()
        rows[label] = result
        print(f"  {label:<44} {result['rps']:>9,.0f} req/s  p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms", flush=True)

    def drain(instances):
        slack.reset()
        waiting = seed.scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'waiting'")
        start(instances)
        arrivals = slack.wait_for(waiting)
        stop_all()
        times = [at for _, _, at, _ in arrivals]
        per_second = (len(times) - 1) / ((times[-1] - times[0]) / 1e6)
        repeated = len(arrivals) - len({text for _, text, _, _ in arrivals})
        refused = sum(1 for *_, was_refused in arrivals if was_refused)
        rows[f"deliveries/s, {instances} instance(s)"] = {"per_second": per_second, "count": len(arrivals), "repeated": repeated, "refused": refused}
        print(f"  deliveries, {instances} instance(s): {len(arrivals):,} in {(times[-1] - times[0]) / 1e6:.1f} s, {per_second:,.0f}/s"
              f" ({repeated} repeated, {refused} refused)", flush=True)

    print(f"\n== deliveries, {backend} ==", flush=True)
    try:
        first = start(1, DELIVERIES="off")
        token = first.token
        stop_all()
        # No server runs to index them (SQLite's search index): the first
        # one started does, and the search is not measured here.
        seed.webhooks("default", WEBHOOKS, wait_for_index=False)
        low, _ = seed.id_range("default")
        seed.sql(f"INSERT INTO webhook_subscriptions (webhook_id, pattern) SELECT id, 'bench.w' || (id - {low}) FROM webhooks")
        # As the subscriptions' API keeps it (src/server/delivery/subscriptions.rs).
        seed.sql("UPDATE webhooks SET has_subscriptions = TRUE")
        ingest("POST event (1 of 1,000 webhooks)")
        drain(1)
        api = start(1)
        rows["accept → first attempt, idle"] = latency(slack, api.base, token)
        stop_all()
        if backend == "postgres":
            ingest("POST event (1 of 1,000 webhooks), again")
            drain(3)
    finally:
        stop_all()
        slack.stop()
        drop_database(drop)


def latency(slack, base, token):
    """From posting an event to its arrival, one event at a time on an idle engine."""
    slack.reset()
    for n in range(LATENCY_SAMPLES):
        sent = time.time_ns() // 1000
        request("POST", base + "/api/v2/events/", token, {"type": f"bench.w{n % WEBHOOKS}", "text": f"sent {sent}"})
        time.sleep(0.01)  # idle between events: the line is about one event's path, not a queue
    arrivals = slack.wait_for(LATENCY_SAMPLES)
    waits = sorted((at - int(text.split()[1])) / 1000 for _, text, at, _ in arrivals)
    p50, p99 = statistics.median(waits), waits[int(len(waits) * 0.99) - 1]
    print(f"  accept → first attempt, idle: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(waits)} events)", flush=True)
    return {"p50": p50, "p99": p99}


def delivery_budgets(results, budget):
    delivery = results.get("delivery", {})
    sqlite, postgres = delivery.get("sqlite", {}), delivery.get("postgres", {})
    ingested = sqlite.get("POST event (1 of 1,000 webhooks)", {}).get("rps", 0)
    budget(ingested >= 5_000, f"events accepted, SQLite: {ingested:,.0f}/s (>= 5,000)")
    for backend, rows, floor in [("SQLite", sqlite, 2_000), ("PostgreSQL", postgres, 1_000)]:
        for label, row in rows.items():
            if label.startswith("deliveries/s"):
                budget(row["per_second"] >= floor and row["repeated"] == 0 and row["refused"] == 0,
                       f"{label}, {backend}: {row['per_second']:,.0f}/s (>= {floor:,}), {row['repeated']} repeated, {row['refused']} refused (0)")
        waits = rows.get("accept → first attempt, idle", {})
        if waits:
            budget(waits["p99"] <= 100, f"accept → first attempt, idle, {backend}: p50 {waits['p50']:.1f} ms, p99 {waits['p99']:.1f} ms (<= 100)")


def delivery_text(results, fake_slack):
    lines = []
    for backend, rows in results.get("delivery", {}).items():
        for label, row in rows.items():
            if "per_second" in row:
                lines.append(f"| {label} | {backend} | {row['per_second']:,.0f}/s ({row['count']:,} deliveries) |")
            elif "rps" in row:
                lines.append(f"| {label} | {backend} | {row['rps']:,.0f}/s, p50 {row['p50']:.2f} ms, p99 {row['p99']:.2f} ms |")
            else:
                lines.append(f"| {label} | {backend} | p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms |")
    return f"""{WEBHOOKS:,} webhooks, each subscribed to a type of its own; events posted by wrk to an
instance that does not deliver (`DELIVERIES=off`), then that backlog delivered by one instance
(on PostgreSQL also by three), timed from the first arrival at the fake Slack to the last; then
{LATENCY_SAMPLES} events posted one at a time, 10 ms apart, timed from sending the post to the
message's arrival. Pacing raised to {PACING['DELIVERY_RATE']}/s per webhook: these lines measure
the engine, not Slack's limit. The fake Slack (`examples/fake_slack.rs`, release build) alone
answers {fake_slack['rps']:,.0f} posts/s under wrk, far above any delivery line: it is not what
limits them.

| line | backend | result |
|---|---|---|
{chr(10).join(lines)}"""
