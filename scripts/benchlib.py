"""What the benchmarks measure with (scripts/bench.py): the release server
as a process, a seeder writing straight into its database, wrk and its
scripts, a signed-in browser's cookie.

Standard library only; needs wrk and psql.
"""

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

GOOD_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
CONNECTIONS = 32
WARM_UP_SECONDS = 2


class Server:
    """The release binary serving one database, on a free port."""

    def __init__(self, binary, database_url, workdir, env=None, name="server"):
        self.stdout = open(os.path.join(workdir, f"{name}.stdout"), "w+")
        self.stderr = open(os.path.join(workdir, f"{name}.stderr"), "w+")
        env = dict(os.environ, DATABASE_URL=database_url, LEPTOS_SITE_ADDR="127.0.0.1:0",
                   RUST_LOG="warn,webhook_admin::server::cli=info", **(env or {}))
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=self.stdout, stderr=self.stderr, cwd=workdir)
        deadline = time.time() + 60
        while time.time() < deadline:
            self.stderr.seek(0)
            found = re.search(r"listening on http://(\S+)", self.stderr.read())
            if found:
                self.base = "http://" + found.group(1)
                break
            if self.process.poll() is not None:
                raise SystemExit("the server exited:\n" + open(self.stderr.name).read())
            time.sleep(0.05)
        else:
            raise SystemExit("the server did not start")
        self.stdout.seek(0)
        # Not on a terminal, the first start writes its admin to a file;
        # another instance on the same database has none.
        first_start = re.search(r"are in (.+) \(readable by this user only\)", self.stdout.read())
        if first_start:
            with open(first_start.group(1)) as secrets:
                printed = secrets.read()
            self.token = re.search(r"API token:\s+(\S+)", printed).group(1)
            self.email, self.password = re.search(r"Sign in:\s+(\S+) / (\S+)", printed).groups()

    def memory_kib(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


BENCH_PASSWORD = "bench-password-1"


def cli(binary, database_url, *args, stdin=""):
    env = dict(os.environ, DATABASE_URL=database_url, RUST_LOG="warn")
    done = subprocess.run([binary, *args], env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"webhook-admin {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


def request(method, url, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if token:
        req.add_header("Authorization", f"Token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as response:
        return json.loads(response.read() or b"null")


class Seeder:
    """Writes organizations, users, tokens and webhooks straight into the database."""

    def __init__(self, backend, database_url, binary):
        self.backend, self.url, self.binary = backend, database_url, binary

    def sql(self, statement):
        if self.backend == "sqlite":
            path = self.url.removeprefix("sqlite://")
            with sqlite3.connect(path, timeout=30) as db:
                db.executescript(statement)
        else:
            subprocess.run(["psql", self.url, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, capture_output=True)

    def organization(self, slug):
        """A new organization (Webhooks on) and its super user's token; the
        user signs in as `bench@<slug>.test` with BENCH_PASSWORD."""
        cli(self.binary, self.url, "org", "create", slug, "--webhooks")
        email = f"bench@{slug}.test"
        cli(self.binary, self.url, "user", "create", email, "--org", slug, "--superuser",
            "--password-stdin", stdin=BENCH_PASSWORD + "\n")
        return cli(self.binary, self.url, "token", "create", email)

    def webhooks(self, slug, count, first=1, analyze=True, wait_for_index=True):
        """`count` webhooks in the organization, numbered from `first`;
        `wait_for_index`: for a running server's SQLite search indexer."""
        now = int(time.time() * 1000)
        if self.backend == "sqlite":
            numbers = f"WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {first + count - 1})"
            source = "n"
        else:
            numbers = ""
            source = f"generate_series({first}, {first + count - 1}) AS n(i)"
        self.sql(
            f"""{numbers}
            INSERT INTO webhooks (organization_id, name, url, description, active, created_at, updated_at)
            SELECT (SELECT id FROM organizations WHERE slug = '{slug}'), 'Bench hook ' || i,
                   '{GOOD_URL[:-6]}' || substr('000000' || i, -6, 6), 'Seeded for the benchmark', TRUE, {now}, {now}
            FROM {source};"""
        )
        if analyze:
            self.after_seeding(wait_for_index)

    def after_seeding(self, wait_for_index=True):
        """Brings the statistics (and SQLite's search index) up to date after
        a bulk load; on SQLite, how the indexer kept up (see search_index_caught_up)."""
        # Kept in step by the service on every write; seeding goes around it.
        self.sql(
            "UPDATE organizations SET webhook_count = (SELECT COUNT(*) FROM webhooks w WHERE w.organization_id = organizations.id)"
            if self.has_counter() else "SELECT 1"
        )
        # SQLite: the server refreshes the planner's statistics itself
        # after its indexer has indexed a bulk load (webhooks/search_index.rs).
        # PostgreSQL: analyzed and vacuumed here, or autovacuum would take
        # its turn on the fresh rows during the next measurement (one core
        # of two); then a checkpoint, so the bulk load's WAL is not written
        # out during it.
        if self.backend == "sqlite":
            return self.search_index_caught_up() if wait_for_index else None
        self.sql("VACUUM ANALYZE")
        self.sql("CHECKPOINT")
        return None

    def search_index_caught_up(self, limit=900):
        """Waits for the server's indexer to index what the seeding wrote
        (SQLite: webhooks/search_index.rs), as a server would after a bulk
        load: {notes, seconds, done}, done False when `limit` seconds passed
        first (a budget line says so; the run goes on)."""
        path = self.url.removeprefix("sqlite://")
        with sqlite3.connect(path, timeout=30) as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'webhooks_search_pending'").fetchone():
                return None
            notes = db.execute("SELECT COUNT(*) FROM webhooks_search_pending").fetchone()[0]
            started = time.time()
            done = True
            while db.execute("SELECT EXISTS (SELECT 1 FROM webhooks_search_pending)").fetchone()[0]:
                if time.time() - started > limit:
                    done = False
                    break
                time.sleep(0.2)
            seconds = time.time() - started
            print(f"  (search index: {notes:,} notes, {'caught up' if done else 'NOT caught up'} after {seconds:.1f} s)", flush=True)
            return {"notes": notes, "seconds": seconds, "done": done}

    def has_counter(self):
        if self.backend == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite://")) as db:
                return any(row[1] == "webhook_count" for row in db.execute("PRAGMA table_info(organizations)"))
        out = subprocess.run(["psql", self.url, "-Atc", "SELECT 1 FROM information_schema.columns WHERE table_name = 'organizations' AND column_name = 'webhook_count'"], capture_output=True, text=True)
        return out.stdout.strip() == "1"

    def scalar(self, query):
        if self.backend == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite://")) as db:
                return db.execute(query).fetchone()[0]
        out = subprocess.run(["psql", self.url, "-Atc", query], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    def id_range(self, slug):
        query = f"SELECT MIN(w.id), MAX(w.id) FROM webhooks w JOIN organizations o ON o.id = w.organization_id WHERE o.slug = '{slug}'"
        if self.backend == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite://")) as db:
                return db.execute(query).fetchone()
        out = subprocess.run(["psql", self.url, "-Atc", query], capture_output=True, text=True, check=True)
        low, high = out.stdout.strip().split("|")
        return int(low), int(high)


def wrk(url, seconds, token=None, script=None, cookie=None):
    """Requests/s, p50 and p99 latency (ms), and how many answers were not 2xx/3xx."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if token:
        args += ["-H", f"Authorization: Token {token}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": percentile(50), "p99": percentile(99), "errors": int(errors.group(1)) if errors else 0}


AXUM_FLOOR = "target/release/examples/axum_floor"


def axum_floor(url, token, seconds, workdir):
    """The list's floor on our stack (examples/axum_floor.rs): the body `url`
    answers, served as bytes after a token check, measured as the list is."""
    req = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(req) as response:
        body = response.read()
    body_file = f"{workdir}/floor-body.json"
    with open(body_file, "wb") as out:
        out.write(body)
    floor = subprocess.Popen([AXUM_FLOOR, "127.0.0.1:0", body_file, token], stdout=subprocess.PIPE, text=True)
    try:
        base = floor.stdout.readline().split("listening on ")[1].strip()
        path = url[url.index("/api/"):]
        req = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(req) as response:
            if response.read() != body:
                raise SystemExit("the axum floor does not answer the list's body")
        wrk(base + path, WARM_UP_SECONDS, token=token)
        return wrk(base + path, seconds, token=token)
    finally:
        floor.terminate()
        floor.wait()


def profile(server, url, token, seconds, workdir):
    """Where the server's time goes under the list load: `perf` samples
    (999 a second, no call graphs) by library and by symbol; None without
    perf."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(workdir, "perf.data")
    recording = subprocess.Popen(["perf", "record", "-F", "999", "-o", data, "-p", str(server.process.pid)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches before the load starts
    wrk(url, seconds, token=token)
    recording.send_signal(signal.SIGINT)
    recording.wait()

    def top(sort, count):
        out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio"],
                             capture_output=True, text=True).stdout
        found = []
        for line in out.splitlines():
            match = re.match(r"\s+([\d.]+)%\s+(.+?)\s*$", line)
            if match:
                found.append((float(match.group(1)), re.sub(r"\s+-\s+-$", "", match.group(2)).strip()))
        return found[:count]

    return {"by_library": top("dso", 4), "by_symbol": top("symbol", 12)}


def lua(path, method, body=None, path_template=None, first_id=None):
    """A wrk script: one method and body; with `first_id`, each request its own id."""
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
    if first_id is not None:
        lines += [
            "local threads = 0",
            "function setup(thread) thread:set('tid', threads); threads = threads + 1 end",
            "local n = 0",
            "function request()",
            f"  local id = {first_id} + tid + n * 2; n = n + 1",
            f'  return wrk.format(nil, "{path_template}" .. id .. "/")',
            "end",
        ]
    with open(path, "w") as script:
        script.write("\n".join(lines) + "\n")
    return path


def lua_spread(path, first_id, count):
    """A wrk script: PATCHes a random one of `count` webhooks from `first_id`,
    each with a description of its own (so each edit changes the row)."""
    lines = [
        'wrk.method = "PATCH"',
        'wrk.headers["Content-Type"] = "application/json"',
        "local threads = 0",
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end",
        "local n = 0",
        "function init() math.randomseed(tid * 7919 + 1) end",
        "function request()",
        "  n = n + 1",
        f"  local id = {first_id} + math.random(0, {count - 1})",
        "  local body = '{\"description\": \"spread ' .. tid .. '-' .. n .. '\"}'",
        '  return wrk.format(nil, "/api/v2/webhooks/" .. id .. "/", nil, body)',
        "end",
    ]
    with open(path, "w") as script:
        script.write("\n".join(lines) + "\n")
    return path


def sign_in(server, email=None, password=None):
    """A signed-in session cookie for the first administrator, or another user."""
    page = urllib.request.urlopen(server.base + "/login").read().decode()
    action = re.search(r'<form action="([^"]+)"', page).group(1)
    credentials = {"email": email or server.email, "password": password or server.password}
    body = urllib.parse.urlencode(credentials).encode()
    req = urllib.request.Request(server.base + action, data=body, method="POST", headers={"Origin": server.base, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(req)
    except urllib.error.HTTPError as redirect:
        response = redirect
    cookies = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
    if "_session=" not in cookies:
        raise RuntimeError(f"signing in as {credentials['email']} set no session cookie: {cookies!r}")
    return cookies


def expect_page(url, cookie):
    """Refuses to measure a signed-in page that does not answer 200 (a
    redirect to /login would be measured as a fast page)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as answer:
        status = answer.code
    if status != 200:
        raise RuntimeError(f"{url} answered {status} to a signed-in browser, not 200")


def fresh_database(backend, workdir, name, generic_plans=False):
    """A new, empty database: its URL, and the PostgreSQL database to drop
    after (or None). `generic_plans`: PostgreSQL plans every prepared
    statement without its values."""
    if backend == "sqlite":
        return f"sqlite://{workdir}/{name}.db", None
    database = f"wa_bench_{name}_{os.getpid()}"
    subprocess.run(["psql", ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", ADMIN_URL, "-qc", f"CREATE DATABASE {database}"], check=True)
    if generic_plans:
        subprocess.run(["psql", ADMIN_URL, "-qc", f"ALTER DATABASE {database} SET plan_cache_mode = force_generic_plan"], check=True)
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + database, database


def drop_database(database):
    if database:
        subprocess.run(["psql", ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)
