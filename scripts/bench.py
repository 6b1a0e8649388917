"""Throughput of Hearth's pages under gunicorn at state scale, with figures.

    DATABASE_URL=postgres://hearth@127.0.0.1:5432/hearth_bench make bench

Builds (once) a state-scale database: the state organisation, its families and 100,000
Ombudsman inquiries from `manage.py seed --scale state`, and --rows notifications spread
over every member of staff; then serves Hearth with gunicorn under production settings
and loads each page with concurrent clients logged in as the user who works there.
Prints requests per second and latency percentiles per page against the target: half
of what a bare authenticated Django list page serves on the same machine
(scripts/bench_baseline.py, measured first; about 300 requests/s on 2 cores), and at
most 150 requests/s.
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RPS = 150
# (page, who loads it)
PAGES = [
    ("/casework/", "caseworker"),
    ("/casework/?scope=unit&sort=name", "supervisor"),
    ("/notifications/", "caseworker"),
    ("/calendar/", "caseworker"),
    ("/api/casework/cases/?mine=1", "caseworker"),
    ("/api/notifications/", "caseworker"),
    ("/ombudsman/?view=all", "ombudsmanlead"),
    ("/ombudsman/?view=all&sla=overdue&sort=received", "ombudsmanlead"),
    ("/ombudsman/?view=all&q=placement", "ombudsmanlead"),
    ("/api/ombudsman/inquiries/", "ombudsmanlead"),
    ("/quality/?scope=state", "reviewer"),
    ("/quality/indicators/visits_children/?scope=state", "reviewer"),
    ("/api/quality/indicators/?scope=state", "reviewer"),
    ("/quality/equity/?scope=state", "reviewer"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="notifications in all")
    parser.add_argument("--seconds", type=float, default=10, help="load time per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8899, help="the bare page's; Hearth's +1")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each page keeps its best")
    parser.add_argument("--only", default="", help="measure only pages whose path holds this")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a Postgres database (benchmarks mean nothing on SQLite).")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    prepare_data(env, manage, args.rows)
    # Bulk-loaded tables have no statistics or visibility map until autovacuum gets to
    # them; without them the planner picks sequential scans a live database would not.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    cookies = {user: session_cookie(user) for user in {user for _, user in PAGES}}
    pages = [*PAGES, (f"/casework/cases/{first_case('caseworker')}/", "caseworker")]
    pages = [(page, user) for page, user in pages if args.only in page]

    print(
        f"\ngunicorn: {args.workers} workers; {args.clients} clients; {args.seconds:g}s a page; "
        f"best of {args.rounds} rounds"
    )
    bare_label = "/bare/ (bare Django list, 25 rows)"
    rows = [(bare_label, "/bare/", "caseworker")] + [(page, page, user) for page, user in pages]
    best: dict[str, tuple] = {}
    # Both apps served at once and measured in turn, round after round, each page keeping
    # its best round: a machine whose speed drifts (shared cores) then judges every page
    # and the yardstick under the same conditions.
    with (
        serve("scripts.bench_baseline:application", env, args, args.port),
        serve("config.wsgi", env, args, args.port + 1),
    ):
        for round_number in range(1, args.rounds + 1):
            print(f"  round {round_number} ...", flush=True)
            for label, page, user in rows:
                port = args.port if page == "/bare/" else args.port + 1
                result = measure(port, page, cookies[user], args)
                # The best round: no errors first, then the most requests.
                if label not in best or (result[3], -result[0]) < (best[label][3], -best[label][0]):
                    best[label] = result
    header = f"{'page':<50}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
    bare = best[bare_label][0]
    target = min(TARGET_RPS, bare / 2)
    print(f"\n{header}")
    below = 0
    for label, _page, _user in rows:
        rps, p50, p95, errors = best[label]
        verdict = ""
        if label != bare_label:
            ok = rps >= target and not errors
            below += not ok
            verdict = "  ok" if ok else "  BELOW"
        print(f"{label:<50}{rps:>8.0f}{p50:>9.1f}{p95:>9.1f}{errors:>8}{verdict}")
    print(
        f"\nTarget: half the bare page ({bare / 2:.0f}/s), at most {TARGET_RPS}/s: {target:.0f}/s"
    )
    return 1 if below else 0


@contextlib.contextmanager
def serve(app: str, env: dict, args, port: int):
    """Run `app` under gunicorn with the benchmark's workers on `port` until the block
    ends."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        wait_for(port)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(port: int, page: str, cookie: str, args) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p95 ms, errors) of `page` on `port` under the clients."""
    load(port, page, cookie, 1.0, 1)  # warm the workers' connections
    return load(port, page, cookie, args.seconds, args.clients)


def prepare_data(env: dict, manage: list[str], rows: int) -> None:
    from django.db import connection

    from agency.models import Notification, Region

    if not Region.objects.exists():
        print("Seeding the state-scale agency and its families (a few minutes) ...")
        subprocess.run(
            [*manage, "seed", "--scale", "state", "--force"], cwd=ROOT, env=env, check=True
        )
    from ombudsman.models import Inquiry

    if not Inquiry.objects.exists():
        # A database seeded before the Ombudsman's queue existed: add its 100,000.
        import random

        from django.db import transaction

        from ombudsman import demo

        print("Adding 100,000 Ombudsman inquiries (a minute) ...")
        with transaction.atomic():
            demo.build(random.Random(1), "state")
    have = Notification.objects.count()
    if have >= rows:
        print(f"{have:,} notifications already in place.")
        return
    started = time.monotonic()
    # One INSERT ... SELECT: a million rows in seconds, spread round-robin over staff.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO agency_notification
                (recipient_id, kind, subject, body, link, dedupe_key, created_at, read_at,
                 emailed_at)
            SELECT u.ids[1 + (n %% array_length(u.ids, 1))], 'bench',
                   'Reminder ' || n, 'Generated for the benchmark.', '/calendar/', '',
                   now() - (n || ' minutes')::interval,
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE now() END, now()
            FROM generate_series(%s, %s) AS n,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM auth_user) AS u
            """,
            [have + 1, rows],
        )
    print(f"Inserted {rows - have:,} notifications in {time.monotonic() - started:.1f}s.")


def first_case(username: str) -> int:
    from casework.models import Case

    return Case.objects.filter(primary_worker__username=username).order_by("pk")[0].pk


def session_cookie(username: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not answer /healthz/")


def _client(port: int, path: str, cookie: str, seconds: float, queue) -> None:
    latencies, errors = [], 0
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    while time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        latencies.append(time.monotonic() - started)
        errors += response.status != 200
    queue.put((latencies, errors))


def load(port: int, path: str, cookie: str, seconds: float, clients: int):
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_client, args=(port, path, cookie, seconds, queue))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(latency for result in results for latency in result[0])
    errors = sum(result[1] for result in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
    return (
        len(latencies) / seconds,
        statistics.median(latencies) * 1000 if latencies else 0,
        p95 * 1000,
        errors,
    )


if __name__ == "__main__":
    sys.exit(main())
