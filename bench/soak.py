"""Soak (issue 19): one hub on one machine under everything at once for DURATION seconds (30 minutes by
default), sampled every 10 s, then checked: both sides equal.

- continuous sync of a PostgreSQL site at 500 changes/s (updates, inserts and deletes through one psql
  session, 50 every 100 ms), captured by its triggers and carried to the tenant's SQLite store;
- the generated API over that site at about half its measured capacity (wrk, by key, paced by a delay);
- a VPN peer added and the previous one revoked every second (the `none` backend: stored and rendered);
- WebSocket clients connecting, subscribing, listening a few seconds and leaving, one a second.

Every 10 s: the hub's RSS, open file descriptors and threads, its PostgreSQL connections to the site, the
errors so far (HTTP 5xx by /metrics, failed calls by the drivers, failed sync jobs) and the sync lag. Writes
a CSV and a PNG (memory, descriptors, connections, errors over time) and prints a JSON summary.
    bench/soak.sh   (DURATION=1800 RATE=500 API_RATE=2800 by default)
"""
import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from conftest import Hub, free_port  # noqa: E402
from hubclient import call, rss_kib  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

ADMIN_PASSWORD = "soak-admin-password-1"
METRICS_TOKEN = "soak-metrics-token-0123456789abcdef"
ROWS = 10_000


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {}

    def add(self, name, amount=1):
        with self.lock:
            self.values[name] = self.values.get(name, 0) + amount

    def snapshot(self):
        with self.lock:
            return dict(self.values)


def psql(url, sql):
    return subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def writer(site_url, rate, stop, counters):
    """`rate` changes a second through one psql session: every 100 ms a tenth of them."""
    session = subprocess.Popen(["psql", "-qAtX", site_url], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    per_tick, next_id, tick = rate // 10, ROWS + 1, time.monotonic()
    while not stop.is_set():
        statements = []
        for index in range(per_tick):
            kind = index % 10
            if kind < 6:
                statements.append(f"UPDATE items SET qty = qty + 1, note = 'u{tick:.1f}' WHERE id = {random.randint(1, next_id - 1)};")
            elif kind < 9:
                statements.append(f"INSERT INTO items (id, name, qty) VALUES ({next_id}, 'new {next_id}', 0);")
                next_id += 1
            else:
                statements.append(f"DELETE FROM items WHERE id = {random.randint(1, next_id - 1)};")
        session.stdin.write("BEGIN;\n" + "\n".join(statements) + "\nCOMMIT;\n")
        session.stdin.flush()
        counters.add("changes", per_tick)
        tick += 0.1
        stop.wait(max(0.0, tick - time.monotonic()))
    session.stdin.close()
    if session.wait(timeout=60) != 0:
        counters.add("writer_errors")


class Session:
    """The admin's access token, signed in again every 5 minutes (a token lives 15 by default)."""

    def __init__(self, hub):
        self.hub, self.lock, self.token, self.signed_in = hub, threading.Lock(), None, 0.0

    def current(self):
        with self.lock:
            if time.monotonic() - self.signed_in > 300:
                self.token = call(self.hub.url + "/api/v1/auth/login", "POST",
                                  {"username": "admin", "password": ADMIN_PASSWORD})["access_token"]
                self.signed_in = time.monotonic()
            return self.token


def peers(hub, session, stop, counters):
    previous = None
    while not stop.wait(1.0):
        try:
            peer = call(hub.url + "/api/v1/tenants/soak/vpn/peers", "POST", {"name": f"p{time.monotonic_ns()}"}, session.current())
            counters.add("peers_added")
            if previous:
                call(hub.url + f"/api/v1/tenants/soak/vpn/peers/{previous}", "DELETE", None, session.current())
                counters.add("peers_revoked")
            previous = peer["id"]
        except (urllib.error.URLError, OSError):
            counters.add("peer_errors")


def realtime(hub, session, stop, counters):
    def one():
        try:
            with connect(hub.url.replace("http://", "ws://") + "/api/v1/realtime", open_timeout=10) as ws:
                ws.send(json.dumps({"action": "auth", "token": session.current()}))
                assert json.loads(ws.recv(timeout=10))["type"] == "authenticated"
                ws.send(json.dumps({"action": "subscribe", "topic": "tenant:soak"}))
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    try:
                        if json.loads(ws.recv(timeout=deadline - time.monotonic())).get("type") == "event":
                            counters.add("events_received")
                    except TimeoutError:
                        break
            counters.add("sockets_closed")
        except Exception:  # any failure of a client counts as an error of the hub's
            counters.add("socket_errors")

    threads = []
    while not stop.wait(1.0):
        threads = [thread for thread in threads if thread.is_alive()]
        thread = threading.Thread(target=one, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=15)


def scrape(hub):
    request = urllib.request.Request(hub.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    server_errors, lag, failed_jobs = 0, 0.0, 0
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        if (name.startswith("http_requests_total") or name.startswith("berqenas_api_requests_total")) and 'status="5' in name:
            server_errors += float(value)
        elif name.startswith("berqenas_sync_lag_seconds"):
            lag = max(lag, float(value))
        elif name.startswith("berqenas_sync_jobs_total") and 'outcome="failed"' in name:
            failed_jobs += float(value)
    return int(server_errors), lag, int(failed_jobs)


def sample(hub, site_url, started, counters):
    pid = hub.process.pid
    errors, lag, failed = scrape(hub)
    drivers = counters.snapshot()
    return {
        "seconds": round(time.monotonic() - started),
        "rss_mib": round(rss_kib(pid) / 1024, 1),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": rss_kib(pid, "Threads"),
        "pg_connections": int(psql(site_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas'")),
        "http_5xx": errors,
        "driver_errors": sum(v for k, v in drivers.items() if k.endswith("_errors")),
        "errors_by_kind": {k: v for k, v in drivers.items() if k.endswith("_errors")},
        "failed_jobs": failed,
        "sync_lag_s": lag,
        "changes": drivers.get("changes", 0),
    }


def sides(site_url, store):
    local = psql(site_url, "SELECT count(*), coalesce(sum(qty), 0), coalesce(sum(id), 0) FROM items")
    with sqlite3.connect(store) as db:
        cloud = db.execute("SELECT count(*), coalesce(sum(qty), 0), coalesce(sum(id), 0) FROM items").fetchone()
    return local, "|".join(str(v) for v in cloud)


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    minutes = [row["seconds"] / 60 for row in rows]
    figure, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    for axis, (keys, label) in zip(axes, [(["rss_mib"], "RSS (MiB)"), (["fds", "threads"], "descriptors, threads"),
                                           (["pg_connections"], "connections to the site"),
                                           (["http_5xx", "driver_errors", "failed_jobs"], "errors (cumulative)")]):
        for key in keys:
            axis.plot(minutes, [row[key] for row in rows], label=key)
        axis.set_ylabel(label)
        axis.set_ylim(bottom=0)
        axis.legend(loc="upper left", fontsize=8)
        axis.grid(alpha=0.3)
    axes[-1].set_xlabel("minutes")
    figure.suptitle("Berqenas soak: continuous sync 500 changes/s, auto-API, peers, WebSocket clients")
    figure.tight_layout()
    figure.savefig(path, dpi=80)


def main():
    parser = argparse.ArgumentParser(description="soak")
    parser.add_argument("--binary", required=True)
    parser.add_argument("--site", required=True, help="a superuser URL of the site's PostgreSQL cluster")
    parser.add_argument("--duration", type=int, default=1800)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--api-rate", type=int, default=2800)
    parser.add_argument("--out", default="docs/soak")
    arguments = parser.parse_args()

    base = arguments.site.rpartition("/")[0]
    psql(arguments.site, "CREATE DATABASE site")
    site_url = f"{base}/site"
    psql(site_url, "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty integer NOT NULL, note text)")
    psql(site_url, f"INSERT INTO items SELECT g, 'item ' || g, 0, NULL FROM generate_series(1, {ROWS}) g")

    work = Path(tempfile.mkdtemp(prefix="bq-soak-"))
    (work / "data").mkdir()
    import conftest
    conftest.BINARY = arguments.binary
    hub = Hub(work / "data", free_port(), {
        "BERQENAS_ADMIN_PASSWORD": ADMIN_PASSWORD, "BERQENAS_METRICS_TOKEN": METRICS_TOKEN, "BERQENAS_VPN_BACKEND": "none",
        "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1", "LOG_LEVEL": "warning", "BERQENAS_BCRYPT_COST": "10",
        # A revoked peer's address is held a day by default; a peer a second would use up the network's 253.
        "BERQENAS_VPN_ADDRESS_GRACE_SECONDS": "60"})
    hub.start(timeout=60)
    counters, stop, rows = Counters(), threading.Event(), []
    try:
        session = Session(hub)
        token = session.current()
        call(hub.url + "/api/v1/tenants", "POST", {"name": "soak"}, token)
        parts = urllib.parse.urlparse(site_url)
        remote = call(hub.url + "/api/v1/tenants/soak/remote-databases", "POST", {
            "name": "site", "engine": "postgresql", "host": parts.hostname, "port": parts.port, "database": "site",
            "username": parts.username, "password": parts.password}, token)
        job = call(hub.url + f"/api/v1/tenants/soak/remote-databases/{remote['id']}/sync", "POST", {"mode": "full"}, token)
        while call(hub.url + f"/api/v1/tenants/soak/sync-jobs/{job['job_id']}", token=token)["status"] not in ("succeeded", "failed"):
            time.sleep(0.5)  # polling the first sync, before the soak starts
        call(hub.url + f"/api/v1/tenants/soak/remote-databases/{remote['id']}", "PATCH",
             {"continuous": True, "continuous_mode": "incremental"}, token)
        call(hub.url + "/api/v1/tenants/soak/vpn", "PUT", {"enabled": True}, token)
        call(hub.url + "/api/v1/tenants/soak/apis", "POST", {
            "name": "siteapi", "source": {"kind": "remote_database", "id": remote["id"]}, "tables": ["*"], "auth": "api_key"}, token)
        key = call(hub.url + "/api/v1/tenants/soak/apis/siteapi/keys", "POST", {"name": "load", "permissions": "read"}, token)["key"]

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(site_url, arguments.rate, stop, counters)),
                   threading.Thread(target=peers, args=(hub, session, stop, counters)),
                   threading.Thread(target=realtime, args=(hub, session, stop, counters))]
        for thread in threads:
            thread.start()
        connections = 8
        wrk = subprocess.Popen(
            ["wrk", "-t1", f"-c{connections}", f"-d{arguments.duration}s", "-s", "bench/lua/paced_by_key.lua",
             "-H", f"apikey: {key}", hub.url],
            env={**os.environ, "BENCH_PATH": "/rest/v1/soak/siteapi/items", "BENCH_ROWS": str(ROWS),
                 # A connection's request takes about a millisecond besides its pause.
                 "BENCH_DELAY_MS": str(round(max(0.0, 1000 * connections / arguments.api_rate - 1.0), 2))},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while time.monotonic() - started < arguments.duration:
            rows.append(sample(hub, site_url, started, counters))
            print(json.dumps(rows[-1]), flush=True)
            time.sleep(max(0.0, started + 10 * len(rows) - time.monotonic()))  # the 10 s sampling period
        stop.set()
        for thread in threads:
            thread.join()
        wrk_output = wrk.communicate(timeout=120)[0]
        store = work / "data" / "tenants" / "soak.sqlite"
        deadline = time.monotonic() + 300
        while sides(site_url, store)[0] != sides(site_url, store)[1] and time.monotonic() < deadline:
            time.sleep(1)  # waiting for the continuous loop to carry the last changes
        local, cloud = sides(site_url, store)
        rows.append(sample(hub, site_url, started, counters))
    finally:
        stop.set()
        hub.stop()
    out = Path(arguments.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{out}.csv", "w", newline="") as handle:
        table = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        table.writeheader()
        table.writerows(rows)
    plot(rows, f"{out}.png")
    requests = next((line for line in wrk_output.splitlines() if line.startswith("Requests/sec")), "")
    non_2xx = next((line for line in wrk_output.splitlines() if "Non-2xx" in line), "Non-2xx or 3xx responses: 0")
    first, last = rows[1] if len(rows) > 1 else rows[0], rows[-1]
    print(json.dumps({
        "duration_s": arguments.duration, "changes": counters.snapshot().get("changes", 0),
        "api": requests.strip(), "api_non_2xx": non_2xx.strip(), "drivers": counters.snapshot(),
        "rss_mib_first_last_max": [first["rss_mib"], last["rss_mib"], max(r["rss_mib"] for r in rows)],
        "fds_first_last_max": [first["fds"], last["fds"], max(r["fds"] for r in rows)],
        "pg_connections_max": max(r["pg_connections"] for r in rows),
        "errors": {"http_5xx": last["http_5xx"], "driver_errors": last["driver_errors"], "failed_jobs": last["failed_jobs"]},
        "sides_equal": local == cloud, "local": local, "cloud": cloud}, indent=1))


if __name__ == "__main__":
    main()
