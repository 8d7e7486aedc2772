"""`make bench`: a psychologist's pages over HTTP, as ratios to the framework's floor, at two sizes.

For each data set (`load_national --small`, and the national size) it loads its own database, or
reuses it, and starts gunicorn on a loopback port with DEBUG off. Both servers run at once and the
requests are interleaved round after round, so that both tables see the same machine: the floor is
the login page served by the same server (the cheapest page Django serves here: no SQL), timed in
the same rounds. Then each page at 4 concurrent clients, for requests per second. Then, in-process
against the same databases (bench/pages.py), each page's SQL query count and its queries' plans.

Plain HTTP from the standard library (no load tool in the app's requirements); loopback only;
every loop is bounded in count and time. Recording a session posts a real follow-up, reimbursed
while the patient is under the cap and out of scheme after, so the data keeps the scheme's rules.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from base64 import b32decode
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from django_otp.oath import totp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config.prepared import PREPARE_THRESHOLD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USERS = ("bench-large", "bench-average")
NOTE = "benchmark"  # bench/pages.py's NOTE: the private notes it removes start with it
PASSWORD = "bench-soutien-psy"  # pathway.national_data.BENCH_PASSWORD
TOTP_SECRET = "BENCHSOUTIENPSYBENCHSOUTIENPSY23"  # pathway.national_data.BENCH_TOTP_SECRET
TWO_STEP_URL = "/connexion/deux-etapes/"
PAGES = ("dashboard", "patient list", "patient search", "pathway page", "record a session")
FLOOR = "login page (floor)"
TARGET_RATIO = 2.0
GROWTH_TOLERANCE = 1.25  # full/small median ratio above which a page is said to grow with the data


@dataclass
class DataSet:
    name: str
    url: str
    load_args: list
    port: int = 0
    server: subprocess.Popen = None
    info: dict = field(default_factory=dict)
    browsers: dict = field(default_factory=dict)
    slots: dict = field(default_factory=dict)

    def env(self):
        return {**os.environ, "DATABASE_URL": self.url, "DEBUG": "false", "SECRET_KEY": SECRET_KEY,
                "ALLOWED_HOSTS": "127.0.0.1,testserver", "CONN_MAX_AGE": "600",
                "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}


SECRET_KEY = secrets.token_urlsafe(40)


def main():
    args = parse_args()
    started = time.monotonic()
    sets = [DataSet("small", args.small_url, ["--small"]), DataSet("full", args.full_url, [])]
    for data_set in sets:
        prepare(data_set)
        pages_json(data_set, "cleanup")  # what an interrupted run may have left
    loaded = time.monotonic()
    with servers(sets, args.workers):
        for data_set in sets:
            connect(data_set)
        latencies = time_rounds(sets, args.rounds, args.warmup)
        throughput = measure_throughput(sets, args.clients, args.seconds)
    for data_set in sets:
        data_set.info["stored"] = pages_json(data_set, "cleanup")["removed"]  # the sessions timed over HTTP
        data_set.info.update(pages_json(data_set, "inspect"))
        pages_json(data_set, "cleanup")
        data_set.info["stored_counts"] = stored_counts_check(data_set)
    report(sets, latencies, throughput, args)
    say(f"Load or reuse: {loaded - started:.0f} s; measurements: {time.monotonic() - loaded:.0f} s.")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-url", default="postgres://postgres@127.0.0.1:5432/msp_bench_small")
    parser.add_argument("--full-url", default="postgres://postgres@127.0.0.1:5432/msp_bench")
    parser.add_argument("--rounds", type=int, default=60, help="timed requests per page and size")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed rounds first (default: 10 per gunicorn worker, see warmup_rounds)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0, help="per page, for requests per second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers per server")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = warmup_rounds(args.workers)
    return args


def warmup_rounds(workers):
    """psycopg prepares a statement from its PREPARE_THRESHOLD-th run on a connection, and each gunicorn
    worker has its own connection, reached by whichever request it accepts. Twice the threshold per
    worker lets every worker run each page's statements past it before the timing starts: the timed
    rounds see the statements prepared, as a server that has been up for a while runs them."""
    return 2 * PREPARE_THRESHOLD * workers


def say(text=""):
    print(text, flush=True)


# --- Data sets and servers ---------------------------------------------------------------------


def prepare(data_set):
    say(f"[{data_set.name}] database {urlsplit(data_set.url).path.lstrip('/')}: migrate, load or reuse…")
    database_create(data_set.url)
    manage(data_set, "migrate", "--verbosity", "0")
    manage(data_set, "load_national", *data_set.load_args)


def database_create(url):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def manage(data_set, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=data_set.env(), check=True)


def stored_counts_check(data_set):
    """The dashboard's stored counts against the rows, once the run's sessions (written by up to 4
    clients at once, then removed) went through the triggers: `manage.py stored_counts`'s verdict."""
    result = subprocess.run([PYTHON, "manage.py", "stored_counts"], cwd=ROOT, env=data_set.env(),
                            capture_output=True, text=True)
    return {"match": result.returncode == 0, "said": (result.stdout + result.stderr).strip().splitlines()[-1]}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def servers(sets, workers):
    try:
        for data_set in sets:
            data_set.port = free_port()
            data_set.server = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{data_set.port}",
                 "--workers", str(workers), "--log-level", "warning", "--no-control-socket"],
                cwd=ROOT, env=data_set.env())
        for data_set in sets:
            wait_until_up(data_set)
        yield
    finally:
        for data_set in sets:
            if data_set.server:
                data_set.server.terminate()
                data_set.server.wait(timeout=30)


def wait_until_up(data_set, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Browser(data_set.port).request("GET", "/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn for {data_set.name} did not answer within {timeout} s")


def pages_json(data_set, action):
    output = subprocess.run([PYTHON, "bench/pages.py", action], cwd=ROOT, env=data_set.env(), check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


def connect(data_set):
    data_set.info.update(pages_json(data_set, "targets"))
    for username in USERS:
        browser = Browser(data_set.port)
        browser.login(username, PASSWORD)
        data_set.browsers[username] = browser
        data_set.slots[username] = Slots(data_set.info["targets"][username]["record_slots"])


# --- HTTP ----------------------------------------------------------------------------------------


class Browser:
    """One HTTP/1.1 request per connection, as gunicorn's sync workers serve them; cookies kept."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, content, elapsed

    def login(self, username, password):
        _status, page, _elapsed = self.request("GET", "/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _page, _elapsed = self.request(
            "POST", "/", {"username": username, "password": password, "csrfmiddlewaretoken": token})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Could not log in as {username} (HTTP {status}).")
        self.second_factor(username)

    def second_factor(self, username):
        """The two-step login's code, computed from the bench key for the current 30-second step."""
        for _attempt in range(2):
            code = f"{totp(b32decode(TOTP_SECRET)):06d}"
            status, _page, _elapsed = self.request(
                "POST", TWO_STEP_URL, {"code": code, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
            if status == 302:
                return
            time.sleep(30 - time.time() % 30 + 0.5)  # this step's code was used already (a login just before)
        raise SystemExit(f"The two-step login refused the bench key's code for {username} (HTTP {status}).")


class Slots:
    """Where the next session is recorded: round-robin over in-care pathways, reimbursed while the
    patient has sessions left this year (counted before sending, so never over the cap).

    Each session gets a note of its own: the same form sent twice to one pathway would be taken for a
    double submission and answered from the first one's record (integrity/idempotency.py), which
    records nothing and would time a replay, not a recording."""

    def __init__(self, slots):
        self.lock = threading.Lock()
        self.slots = [dict(slot) for slot in slots]
        self.turn = cycle(range(len(self.slots)))
        self.sent = 0
        self.recorded = 0

    def next(self):
        with self.lock:
            slot = self.slots[next(self.turn)]
            reimbursed = slot["reimbursed_left"] > 0
            slot["reimbursed_left"] -= reimbursed
            self.sent += 1
            return slot["url"], reimbursed, f"{NOTE} #{self.sent}"

    def count_recorded(self, ok):
        with self.lock:
            self.recorded += ok


def hit(data_set, username, page, browser=None):
    """One request of `page`; returns (seconds, ok)."""
    if page == FLOOR:
        status, _content, elapsed = Browser(data_set.port).request("GET", "/")
        return elapsed, status == 200
    browser = browser or data_set.browsers[username]
    if page == "record a session":
        url, reimbursed, note = data_set.slots[username].next()
        form = dict(data_set.info["form"], private_note=note, csrfmiddlewaretoken=browser.cookies["csrftoken"])
        if not reimbursed:
            form.update(billing="out_of_scheme", out_of_scheme_fee=data_set.info["out_of_scheme_fee"])
        status, _content, elapsed = browser.request("POST", url, form)
        data_set.slots[username].count_recorded(status == 302)
        return elapsed, status == 302
    status, _content, elapsed = browser.request("GET", data_set.info["targets"][username]["pages"][page])
    return elapsed, status == 200


# --- Measurements --------------------------------------------------------------------------------


def time_rounds(sets, rounds, warmup):
    """Every page of both sizes in each round, the floor first for each psychologist."""
    say(f"Timing {rounds} rounds (after {warmup} warm-up rounds), both sizes interleaved…")
    samples, errors = {}, {}
    for index in range(warmup + rounds):
        for data_set in sets:
            for username in USERS:
                for page in (FLOOR, *PAGES):
                    elapsed, ok = hit(data_set, username, page)
                    key = (data_set.name, "—" if page == FLOOR else username, page)
                    if index >= warmup:
                        samples.setdefault(key, []).append(elapsed)
                    errors[key] = errors.get(key, 0) + (not ok)
    return {"samples": samples, "errors": errors}


def measure_throughput(sets, clients, seconds):
    say(f"Requests per second at {clients} concurrent clients, {seconds:g} s per page…")
    results = {}
    for data_set in sets:
        for username, page in [("—", FLOOR)] + [(u, p) for u in USERS for p in PAGES]:
            results[(data_set.name, username, page)] = concurrent_rate(data_set, username, page, clients, seconds)
    return results


def concurrent_rate(data_set, username, page, clients, seconds):
    done = [0] * clients
    deadline = time.monotonic() + seconds

    def client(slot):
        browser = None if page == FLOOR else Browser(data_set.port, data_set.browsers[username].cookies)
        while time.monotonic() < deadline:
            _elapsed, ok = hit(data_set, username, page, browser)
            done[slot] += ok

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


# --- Report --------------------------------------------------------------------------------------


def p95(values):
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def report(sets, latencies, throughput, args):
    samples, errors = latencies["samples"], latencies["errors"]
    floors = {s.name: statistics.median(samples[(s.name, "—", FLOOR)]) for s in sets}
    say()
    say(f"Mon soutien psy — benchmark: gunicorn ({args.workers} sync workers, DEBUG off, persistent "
        f"connections), loopback HTTP, {args.rounds} timed rounds, medians and p95 in ms.")
    for data_set in sets:
        sizes = data_set.info["sizes"]
        say(f"  {data_set.name:5}: {sizes['psychologists']:,} psychologists, ≈{sizes['patients']:,} patients, "
            f"≈{sizes['sessions']:,} sessions, database {sizes['database']}")
    say()
    header = f"{'page':20} {'psychologist':14}"
    for data_set in sets:
        header += f" | {data_set.name + ': median':>13} {'p95':>6} {'×floor':>6} {'req/s':>6} {'SQL':>4}"
    say(header + f" | {'full/small':>10}")
    say("-" * len(header + " | full/small"))
    rows = [("—", FLOOR)] + [(u, p) for p in PAGES for u in USERS]
    verdicts = {"over": [], "growing": [], "errors": []}
    for username, page in rows:
        line = f"{page:20} {username:14}"
        medians = []
        for data_set in sets:
            key = (data_set.name, username, page)
            values = samples[key]
            median = statistics.median(values)
            medians.append(median)
            ratio = median / floors[data_set.name]
            queries = 0 if page == FLOOR else data_set.info["counts"][username][page]
            line += (f" | {1000 * median:13.2f} {1000 * p95(values):6.2f} {ratio:6.2f} "
                     f"{throughput[key]:6.0f} {queries:4}")
            if ratio > TARGET_RATIO:
                verdicts["over"].append(f"{page} ({username}, {data_set.name}): {ratio:.2f}× the floor")
            if errors[key]:
                verdicts["errors"].append(f"{page} ({username}, {data_set.name}): {errors[key]} failed requests")
        growth = medians[-1] / medians[0]
        if page != FLOOR and growth > GROWTH_TOLERANCE * (floors["full"] / floors["small"]):
            verdicts["growing"].append(f"{page} ({username}): full/small {growth:.2f}")
        say(line + f" | {growth:10.2f}")
    verdicts["errors"] += data_errors(sets)
    say_verdicts(verdicts)
    say("Sessions recorded over HTTP, each one stored (not a replay of a double submission): "
        + ", ".join(f"{s.name} {s.info['stored']:,}" for s in sets) + ".")
    say("The dashboard's stored counts after those sessions came and went (manage.py stored_counts): "
        + "; ".join(f"{s.name}: {s.info['stored_counts']['said'].rstrip('.')}" for s in sets) + ".")
    say_plans(sets[-1])


def data_errors(sets):
    """What the run wrote that is not as it should be: a recording answered without its session stored,
    stored counts that differ from the rows."""
    errors = []
    for data_set in sets:
        answered = sum(slots.recorded for slots in data_set.slots.values())
        if answered != data_set.info["stored"]:
            errors.append(f"record a session ({data_set.name}): {answered} recordings answered, "
                          f"{data_set.info['stored']} sessions stored")
        if not data_set.info["stored_counts"]["match"]:
            errors.append(f"stored counts ({data_set.name}): {data_set.info['stored_counts']['said']}")
    return errors


def say_verdicts(verdicts):
    say()
    say(f"Target: every page within {TARGET_RATIO:g}× the floor of its own server and size: "
        + ("met." if not verdicts["over"] else "NOT met for:"))
    for line in verdicts["over"]:
        say(f"  - {line}")
    say(f"Target: no page slower on the full data set than on the small one (full/small within "
        f"{GROWTH_TOLERANCE:g}× the floors' own ratio): " + ("met." if not verdicts["growing"] else "NOT met for:"))
    for line in verdicts["growing"]:
        say(f"  - {line}")
    for line in verdicts["errors"]:
        say(f"  ! {line}")


def say_plans(data_set):
    """Every query of every page, for the largest psychologist at full size: time and scans."""
    say()
    say(f"Plans at {data_set.name} size, {USERS[0]} (EXPLAIN ANALYZE of each captured SELECT):")
    big, scans_of_big_tables = set(data_set.info["big_tables"]), []
    for page, queries in data_set.info["plans"].items():
        say(f"  {page}:")
        for query in queries:
            reads = ", ".join(f"{s['type']} {s['table']}" + (f" via {s['index']}" if s["index"] else "")
                              + f" ({s['rows']:,} rows)" for s in query["scans"])
            say(f"    {query['ms']:7.3f} ms  {reads}")
            scans_of_big_tables += [f"{page}: {s['table']}" for s in query["scans"]
                                    if s["type"] == "Seq Scan" and s["table"] in big]
    say("Sequential scans of a table over 10,000 rows: " + (", ".join(scans_of_big_tables) or "none."))
    say()
    say(f"The patient search of {USERS[0]} at {data_set.name} size (EXPLAIN ANALYZE):")
    for line in data_set.info["search_plan"]:
        say(f"    {line}")


if __name__ == "__main__":
    main()
