"""Benchmark: the web tier under load on loopback, as learners see it.

One gunicorn (production settings: bench/load_settings.py) serves a fresh database: PostgreSQL
when DATABASE_URL points there (a throwaway database beside it), else SQLite on /dev/shm. With
REDIS_URL set, code runs through Redis and one Celery worker with two processes; without it they
run eagerly inside gunicorn. Then, in one run:

1. the floor: the login page, fetched by a few clients, for CPU per request (again right before
   and right after each loaded phase);
2. a class logging in at once (every simulated learner);
3. one learner alone pressing Check on a code card again and again (the verdict as they see it);
4. learners studying the shipped deck, alone;
5. the same learners while others press Check on a code card again and again;
   in both, two more clients fetch the login page now and then: the floor in the same seconds;
6. nothing lost: every answer the clients saw accepted has exactly one review, every run they
   started has finished, and no request failed.

Learners follow the pages as a browser with htmx does: they fill the form they are shown, press
its button, poll a running verdict after the delay the page asks for, and pick a rating. Latency
is from pressing the button to the fragment that shows the result. The clients share the two
cores with the server, so the figures are for this machine as a whole, not gunicorn alone.

CPU per request is counted twice: gunicorn's processes' CPU over a phase by its requests, against
the floor of step 1 and against the mean of the floors right before and after the phase; and each
response's own thread CPU (gunicorn serves `bench/timed_wsgi.py`, which says it in a header),
against the login page's in the same seconds, and by kind of request. The second leaves out
gunicorn's own work around each request, but does not drift with the machine's speed between
steps, which on a shared VM moves the first floor by a third from run to run.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.code_bench import DECK, SEQUENTIAL  # noqa: E402
from bench.runner_bench import PROGRAM  # noqa: E402

PASSWORD = "load-bench-" + "x" * 8
# The response header in which the server (bench/timed_wsgi.py) says its thread's CPU, in ms.
CPU_HEADER = "X-Bench-CPU-Ms"
CODE_DECK = "bench"
STUDY_DECK = "asyncio"


# --- the server side: database, gunicorn, worker ------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(directory: Path) -> tuple[str, str | None]:
    """The URL the server uses, and the PostgreSQL database to drop afterwards (if any)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        return f"sqlite:///{directory / 'load.sqlite3'}", None
    import psycopg

    name = f"loopdeck_load_{os.getpid()}"
    with psycopg.connect(given, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(given)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(usernames: list[str], directory: Path) -> None:
    """(In the server's environment.) Migrate, load the decks, create the learners."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from quiz.decks.loader import load_decks
    from quiz.models import Deck

    call_command("migrate", verbosity=0)
    code_deck = directory / f"{CODE_DECK}.en.md"
    code_deck.write_text(DECK.format(starter=SEQUENTIAL, solution=PROGRAM), encoding="utf-8")
    load_decks([*sorted((ROOT / "content").glob("*.*.md")), code_deck])
    # Learners who never run out of new cards within the benchmark.
    Deck.objects.update(new_per_day=10_000)
    hashed = make_password(PASSWORD)  # one hash for all: creating them is not what is measured
    User = get_user_model()
    User.objects.bulk_create([User(username=name, password=hashed) for name in usernames])


def verify(expected: dict[str, Any]) -> dict[str, Any]:
    """(In the server's environment.) What the database holds against what clients saw."""
    import django

    django.setup()
    from django.db.models import Count

    from quiz.models import Review, Run

    reviews = dict(Review.objects.values_list("user__username").annotate(n=Count("id")).order_by())
    runs = Run.objects.filter(user__username__in=expected["runs"])
    return {
        "answers_missing_or_doubled": sum(
            1 for user, answered in expected["answers"].items() if reviews.get(user, 0) != answered
        ),
        "runs_started": runs.count(),
        "runs_unfinished": runs.filter(finished_at__isnull=True).count(),
        "runs_expected": sum(expected["runs"].values()),
    }


def server_environment(database: str, directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database,
        PYTHONPATH=str(ROOT),
        CODE_RUNS_PER_MINUTE=str(10**6),
        CODE_RUNS_IN_FLIGHT="1",
    )
    if os.environ.get("REDIS_URL"):
        env["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
    return env


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        stack.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


# --- the client side: a learner as a browser with htmx ------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    ratings: list[tuple[str, bool]] = field(default_factory=list)  # (value, is the default)


class Page(HTMLParser):
    """The forms of a page or fragment, and the verdict poll an htmx element asks for."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.poll: tuple[str, float] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._chosen: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        trigger = a.get("hx-trigger", "")
        if "hx-get" in a and trigger.startswith(("load", "every")):
            delay = re.search(r"(?:delay:|every )(\d+)(ms|s)", trigger)
            seconds = int(delay.group(1)) / (1000 if delay.group(2) == "ms" else 1) if delay else 0
            self.poll = (a["hx-get"], seconds)
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if name not in self._chosen:  # the first option: what a hurried learner picks
                    self._chosen.add(name)
                    form.fields.append((name, a.get("value", "")))
            elif kind == "hidden":
                form.fields.append((name, a.get("value", "")))
            else:
                form.fields.append((name, "x"))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            form.fields.append((self._select, a.get("value", "")))
        elif tag == "button" and name == "rating":
            form.ratings.append((a.get("value", ""), "primary" in a.get("class", "")))
        elif tag == "button" and name == "action" and a.get("value") == "check":
            form.fields.append(("action", "check"))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea and self.forms:
            name, text = self._textarea
            self.forms[-1].fields.append((name, "".join(text) or "x"))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def form(self, pattern: str) -> Form | None:
        return next((f for f in self.forms if re.search(pattern, f.action)), None)


class Failed(Exception):
    pass


@dataclass
class Learner:
    port: int
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # every request, seconds
    cpu: list[float] = field(default_factory=list)  # every request, the server thread's CPU, s
    kinds: list[str] = field(default_factory=list)  # every request's kind ("POST answer")
    verdicts: list[float] = field(default_factory=list)  # Check pressed to verdict shown
    answered: int = 0
    runs: int = 0
    errors: Counter = field(default_factory=Counter)

    def request(
        self, method: str, path: str, data: list[tuple[str, str]] | None = None, htmx: bool = False
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        self.latencies.append(time.perf_counter() - started)
        self.cpu.append(float(response.headers.get(CPU_HEADER, "nan")) / 1000)
        self.kinds.append(f"{method} {kind_of(path)}")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({k: m.value for k, m in cookie.items()})
        if response.status >= 500:
            self.errors[f"{response.status} {method} {path.split('/')[1]}"] += 1
            raise Failed(response.status)
        return response.status, response.headers.get("Location", ""), text

    def forget(self) -> None:
        """Start a new step: what was measured so far is not its."""
        for measured in (self.latencies, self.cpu, self.kinds, self.verdicts):
            measured.clear()

    def login(self) -> float:
        self.request("GET", "/accounts/login/")
        started = time.perf_counter()
        status, location, _ = self.request(
            "POST", "/accounts/login/", [("username", self.username), ("password", PASSWORD)]
        )
        if status != 302:
            raise Failed(f"login refused for {self.username}")
        return time.perf_counter() - started

    def see_verdict(self, text: str, started: float) -> str:
        """Poll as htmx does until the fragment no longer asks to be polled."""
        page = Page(text)
        while page.poll:
            url, delay = page.poll
            time.sleep(delay)
            _, _, text = self.request("GET", url, htmx=True)
            page = Page(text)
        self.verdicts.append(time.perf_counter() - started)
        return text

    def study(self, until: float) -> None:
        """Answer cards of the shipped deck until the deadline."""
        _, _, text = self.request("GET", f"/decks/{STUDY_DECK}/study/")
        while time.perf_counter() < until:
            try:
                text = self.study_step(text)
            except Failed:  # counted; go on from the study page as a learner would reload
                _, _, text = self.request("GET", f"/decks/{STUDY_DECK}/study/")

    def study_step(self, text: str) -> str:
        """One step of studying from what the learner sees; what they see next."""
        page = Page(text)
        ratings, check, code = (page.form(rf"/{x}/$") for x in ("answer", "check", "code"))
        if ratings and ratings.ratings:
            value = next((v for v, default in ratings.ratings if default), ratings.ratings[0][0])
            status, _, text = self.request(
                "POST", ratings.action, [*ratings.fields, ("rating", value)], htmx=True
            )
            self.answered += status == 200
            return text
        if code:
            started = time.perf_counter()
            _, _, text = self.request("POST", code.action, code.fields, htmx=True)
            self.runs += 1
            text = self.see_verdict(text, started)
            if Page(text).form(r"/answer/$"):
                return text
        elif check:
            return self.request("POST", check.action, check.fields, htmx=True)[2]
        else:  # nothing due: come back a little later
            time.sleep(1)
        return self.request("GET", f"/decks/{STUDY_DECK}/study/")[2]

    def check_code(self, until: float) -> None:
        """Press Check on the code card again and again, each time waiting for the verdict."""
        _, _, text = self.request("GET", f"/decks/{CODE_DECK}/study/")
        code = Page(text).form(r"/code/$")
        if code is None:
            raise Failed("no code card on the bench deck")
        fields = [(k, PROGRAM if k == "code" else v) for k, v in code.fields]
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                status, _, text = self.request("POST", code.action, fields, htmx=True)
                if status != 200:
                    self.errors[f"check refused {status}"] += 1
                    time.sleep(0.5)
                    continue
                self.runs += 1
                self.see_verdict(text, started)
            except Failed:  # counted; press Check again
                pass


def run_all(learners: list[Learner], work: str, *args: Any) -> float:
    """Every learner's `work` in its own thread at once; the wall time it took."""

    def body(learner: Learner) -> None:
        try:
            getattr(learner, work)(*args)
        except Failed as failure:
            learner.errors[f"stopped: {failure}"] += 1
        except (OSError, http.client.HTTPException) as error:
            learner.errors[f"stopped: {type(error).__name__}"] += 1

    threads = [threading.Thread(target=body, args=(learner,)) for learner in learners]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def kind_of(path: str) -> str:
    """A request's kind for the CPU breakdown: the last word of its path that is not an id
    (`/study/<token>/answer/` is "answer", `/runs/<id>/` "runs")."""
    words = [w for w in path.split("?")[0].split("/") if w]
    named = [w for w in words if not re.fullmatch(r"[0-9a-f-]{32,36}|\d+", w)]
    return named[-1] if named else "/"


def cpu_by_kind(clients: list[Learner]) -> str:
    """The server's mean CPU per request of each kind of these clients' requests, most first."""
    spent: dict[str, list[float]] = {}
    for client in clients:
        for kind, cpu in zip(client.kinds, client.cpu, strict=True):
            spent.setdefault(kind, []).append(cpu)
    ordered = sorted(spent.items(), key=lambda item: -len(item[1]))
    return ", ".join(f"{k} {len(v)}× {statistics.fmean(v) * 1000:.1f}" for k, v in ordered)


def mean_cpu(clients: list[Learner]) -> float:
    """The server's mean CPU per request of these clients' requests (as its responses say)."""
    return statistics.fmean(t for x in clients for t in x.cpu)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "   (too few)"
    cuts = statistics.quantiles(values, n=100)
    return "  ".join(f"{v * 1000:6.0f}" for v in (statistics.median(values), cuts[94], cuts[98]))


# --- the benchmark ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="each loaded phase (60)")
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--verify", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        setup = json.loads(args.prepare)
        prepare(setup["usernames"], Path(setup["directory"]))
        return 0
    if args.verify:
        print(json.dumps(verify(json.loads(args.verify))))
        return 0

    shm = Path("/dev/shm")
    directory = Path(tempfile.mkdtemp(prefix="loopdeck-load-", dir=shm if shm.is_dir() else None))
    database, dropped = database_url(directory)
    env = server_environment(database, directory)
    usernames = [f"learner{i}" for i in range(args.learners)]
    usernames += [f"coder{i}" for i in range(args.coders)]
    me = [sys.executable, __file__]
    processes: list[subprocess.Popen] = []
    try:
        setup = json.dumps({"usernames": usernames, "directory": str(directory)})
        subprocess.run([*me, "--prepare", setup], env=env, cwd=ROOT, check=True)
        port = free_port()
        log = (directory / "server.log").open("wb")
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.timed_wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(gunicorn)
        worker = None
        if "CELERY_BROKER_URL" in env:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "quiz",
                    "worker",
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(worker)
        probe = Learner(port, "probe")
        for _ in range(600):
            try:
                probe.request("GET", "/accounts/login/")
                break
            except (OSError, Failed):
                time.sleep(0.1)
        database_kind = "PostgreSQL" if dropped else "SQLite"
        print(
            f"gunicorn, {args.workers} workers × 4 threads, {database_kind}, "
            + ("Redis + one Celery worker (2 processes)" if worker else "code run eagerly")
            + f"; {os.cpu_count()} cores shared with the clients; load average "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
        )

        # 1. The floor: the login page.
        floor: list[Learner] = []

        def fetch_login_page(learner: Learner, until: float, pause: float = 0.0) -> None:
            while time.perf_counter() < until:
                learner.request("GET", "/accounts/login/")
                time.sleep(pause)

        def floor_now(seconds: float) -> tuple[int, float, float]:
            """The login page fetched by 4 clients for `seconds`: requests, gunicorn's CPU each,
            and the app's threads' CPU each (as the responses say)."""
            clients = [Learner(port, f"floor{len(floor) + i}") for i in range(4)]
            floor.extend(clients)
            before = tree_cpu_seconds(gunicorn.pid)
            deadline = time.perf_counter() + seconds
            threads = [
                threading.Thread(target=fetch_login_page, args=(f, deadline)) for f in clients
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            requests = sum(len(f.latencies) for f in clients)
            spent = (tree_cpu_seconds(gunicorn.pid) - before) / requests
            return requests, spent, mean_cpu(clients)

        floor_requests, floor_cpu, floor_app_cpu = floor_now(min(10.0, args.seconds))

        # 2. A class logging in together.
        learners = [Learner(port, name) for name in usernames if name.startswith("learner")]
        coders = [Learner(port, name) for name in usernames if name.startswith("coder")]
        logins: list[float] = []
        lock = threading.Lock()

        def log_in(learner: Learner) -> None:
            took = learner.login()
            with lock:
                logins.append(took)

        everyone = learners + coders
        login_threads = [threading.Thread(target=log_in, args=(x,)) for x in everyone]
        started = time.perf_counter()
        for thread in login_threads:
            thread.start()
        for thread in login_threads:
            thread.join()
        login_wall = time.perf_counter() - started
        for learner in everyone:
            learner.forget()

        # 3. One learner alone pressing Check again and again: the verdict as they see it.
        alone = coders[0] if coders else learners[0]
        run_all([alone], "check_code", time.perf_counter() + min(10.0, args.seconds))
        alone_verdicts = list(alone.verdicts)

        # 4. Studying alone, then 5. studying while others check code.
        rows = []
        for phase, group in (("study", learners), ("study + code", learners + coders)):
            for learner in group:
                learner.forget()
            answered_before = sum(x.answered for x in learners)
            # The floor right before and right after the phase too: their mean is the phase's.
            floor_before = floor_now(min(5.0, args.seconds))[1]
            cpu_before = tree_cpu_seconds(gunicorn.pid)
            until = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=run_all, args=([x], "study", until)) for x in learners
            ]
            if phase != "study":
                threads += [
                    threading.Thread(target=run_all, args=([x], "check_code", until))
                    for x in coders
                ]
            # The login page again, fetched in the same seconds by two clients that pause between
            # requests: the floor as the machine runs now (a VM's speed drifts between phases).
            live_floor = [Learner(port, f"live-floor{i}") for i in range(2)]
            threads += [
                threading.Thread(target=fetch_login_page, args=(f, until, 0.05)) for f in live_floor
            ]
            wall_started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall_started
            requests = [t for x in group for t in x.latencies]
            # The live floor's requests are not the phase's: their CPU (as they say) is taken out.
            live_floor_cpu = sum(t for f in live_floor for t in f.cpu)
            cpu = (tree_cpu_seconds(gunicorn.pid) - cpu_before - live_floor_cpu) / max(
                1, len(requests)
            )
            bracket = (floor_before + floor_now(min(5.0, args.seconds))[1]) / 2
            verdicts = [t for x in group for t in x.verdicts]
            rows.append(
                (
                    phase,
                    wall,
                    sum(x.answered for x in learners) - answered_before,
                    len(verdicts),
                    requests,
                    verdicts,
                    cpu,
                    bracket,
                    mean_cpu(group),
                    mean_cpu(live_floor),
                    cpu_by_kind(group),
                )
            )
            floor.extend(live_floor)

        # 6. Nothing lost.
        expected = {
            "answers": {x.username: x.answered for x in everyone},
            "runs": {x.username: x.runs for x in everyone},
        }
        done = subprocess.run(
            [*me, "--verify", json.dumps(expected)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        errors = sum((x.errors for x in everyone + floor), Counter())
        if errors:
            server_log = (directory / "server.log").read_text(errors="replace")
            print("server log (end):\n" + server_log[-3000:])
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        if dropped:
            drop_database(dropped)
        shutil.rmtree(directory, ignore_errors=True)

    print(
        f"\nfloor: login page, {floor_requests} requests by 4 clients: "
        f"{floor_cpu * 1000:.1f} ms gunicorn CPU per request ({floor_app_cpu * 1000:.1f} ms in the "
        "app's threads)"
    )
    print(
        f"a class of {len(everyone)} logging in at once: {login_wall:.1f} s in all, "
        f"login p50/p95/p99 ms {percentiles(logins)}"
    )
    print(
        f"a learner alone pressing Check {len(alone_verdicts)} times: verdict seen p50/p95/p99 ms "
        f"{percentiles(alone_verdicts)}"
    )
    print(
        f"\n{'phase':<14}{'answers/s':>10}{'verdicts/s':>11}   request p50/p95/p99 ms"
        f"   verdict seen p50/p95/p99 ms   CPU ms/request (× the first floor; × the floor right"
        " before and after the phase)"
    )
    for phase, wall, answers, verdicts, requests, seen, cpu, bracket, *_ in rows:
        print(
            f"{phase:<14}{answers / wall:>10.1f}{verdicts / wall:>11.1f}   "
            f"{percentiles(requests):<24}   {percentiles(seen):<27}   "
            f"{cpu * 1000:.1f} ({cpu / floor_cpu:.1f}×; {cpu / bracket:.1f}× {bracket * 1000:.1f})"
        )
    print(
        "\nthe same, in the app's own threads (each response's CPU, as it says), against the login"
        " page fetched in the same seconds:"
    )
    for phase, *_, app_cpu, live, by_kind in rows:
        print(
            f"{phase:<14}{app_cpu * 1000:.1f} ms per request, "
            f"login page {live * 1000:.1f} ms: {app_cpu / live:.1f}×\n"
            f"{'':<14}by kind (requests, ms each): {by_kind}"
        )
    lost = found["answers_missing_or_doubled"] + found["runs_unfinished"]
    lost += abs(found["runs_started"] - found["runs_expected"])
    print(
        f"\nnothing lost: answers missing or doubled {found['answers_missing_or_doubled']}, "
        f"runs {found['runs_started']} started / {found['runs_expected']} seen by clients, "
        f"{found['runs_unfinished']} unfinished; failed requests: {dict(errors) or 'none'}"
    )
    return 1 if lost or errors else 0


if __name__ == "__main__":
    sys.exit(main())
