"""Dashboard figures on a hub with history: how long `GET /api/v1/dashboard/stats` takes for the platform and
for one tenant, with 40 tenants, each with a remote database, and JOBS sync jobs and a day of five-minute
buckets in the system database. The baseline, in the same run: `GET /api/v1/auth/me`, the cheapest signed-in
request (the floor of any management call).
"""
import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from conftest import Hub, free_port  # noqa: E402
from hubclient import admin_token, call  # noqa: E402


def timed(url, token, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call(url, token=token)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--jobs", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    import conftest
    conftest.BINARY = args.binary
    work = Path(tempfile.mkdtemp(prefix="berqenas-dashboard-"))
    hub = Hub(work / "data", free_port())
    hub.start()
    try:
        token = admin_token(hub)
        site = work / "site.sqlite"
        with sqlite3.connect(site) as db:
            db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
            db.execute("INSERT INTO items VALUES (1, 'one')")
        for index in range(40):
            name = f"store{index:02d}"
            call(hub.url + "/api/v1/tenants", "POST", {"name": name}, token)
            remote = call(hub.url + f"/api/v1/tenants/{name}/remote-databases", "POST",
                          {"name": "till", "engine": "sqlite", "database": str(site)}, token)
            job = call(hub.url + f"/api/v1/tenants/{name}/remote-databases/{remote['id']}/sync", "POST", {"mode": "full"}, token)
            while call(hub.url + f"/api/v1/tenants/{name}/sync-jobs/{job['job_id']}", token=token)["status"] in ("queued", "running"):
                time.sleep(0.05)  # waiting for the job, bounded by the hub's own job timeout
        # History: copies of the real jobs (ended, spread over a month) and a day of buckets per tenant.
        with sqlite3.connect(hub.data_dir / "berqenas.sqlite", timeout=60) as db:
            columns = [row[1] for row in db.execute("PRAGMA table_info(sync_jobs)")]
            originals = db.execute(f"SELECT {', '.join(columns)} FROM sync_jobs").fetchall()
            blob_ids = isinstance(originals[0][0], bytes)
            rows = []
            for number in range(args.jobs):
                row = list(originals[number % len(originals)])
                row[0] = uuid.uuid4().bytes if blob_ids else str(uuid.uuid4()).upper()
                row[columns.index("status")] = "failed" if number % 10 == 0 else "succeeded"
                rows.append(row)
            db.executemany(f"INSERT INTO sync_jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
        platform = timed(hub.url + "/api/v1/dashboard/stats", token, args.runs)
        tenant = timed(hub.url + "/api/v1/dashboard/stats?tenant=store07", token, args.runs)
        floor = timed(hub.url + "/api/v1/auth/me", token, args.runs)
    finally:
        hub.stop()
    print(f"sync_jobs rows: {args.jobs + 40}; {args.runs} requests each, one at a time")
    for name, (p50, p99) in [("dashboard, platform", platform), ("dashboard, one tenant", tenant), ("baseline: /auth/me", floor)]:
        print(f"{name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
