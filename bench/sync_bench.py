"""Drives bench/sync.sh: a hub on the cloud cluster, a local cluster, and three measurements, each next to
a baseline measured in the same run. Prints a Markdown table per measurement."""
import argparse
import json
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request


def psql(url, sql):
    return subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)  # polling a condition, bounded by the deadline
    raise SystemExit(f"timed out waiting for {what}")


class Hub:
    def __init__(self, url):
        self.url = url
        self.token = None

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": "Bearer " + self.token} if self.token else {})})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return json.loads(text) if text else None

    def login(self):
        def healthy():
            try:
                return self.call("GET", "/health")
            except OSError:
                return None
        wait_for(healthy, 60, "the hub to start")
        self.token = self.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "bench-password"})["access_token"]

    def run_job(self, tenant, remote, body):
        job = self.call("POST", f"/api/v1/tenants/{tenant}/remote-databases/{remote}/sync", body)["job_id"]
        return self.wait_job(tenant, job)

    def wait_job(self, tenant, job):
        done = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            self.call("GET", f"/api/v1/tenants/{tenant}/sync-jobs/{job}")), 1800, "a sync job")
        if done["status"] != "succeeded":
            raise SystemExit(f"job failed: {done}")
        return done


def percentiles(url, table, after_id):
    row = psql(url, f"""SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                               round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1)
                        FROM (SELECT extract(epoch FROM arrived_at - written_at) * 1000 AS ms FROM {table} WHERE id > {after_id}) s""")
    return row.split("|")


def pgbench(binary, url, table, rate, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(f"INSERT INTO {table} (payload) VALUES ('event');\n")
    subprocess.run([binary, "-n", "-f", script.name, "-R", str(rate), "-T", str(seconds), "-c", "4", "-j", "2", url],
                   capture_output=True, text=True, check=True)


def main():
    parser = argparse.ArgumentParser()
    for name in ("hub", "local", "cloud", "pgbench", "rates"):
        parser.add_argument("--" + name, required=True)
    for name in ("seconds", "changes", "rows"):
        parser.add_argument("--" + name, type=int, required=True)
    args = parser.parse_args()
    local, cloud = args.local, args.cloud
    parts = urllib.parse.urlparse(local)
    tenant, schema = "bench", "tenant_bench"

    psql(local, """
        CREATE TABLE latency_sync (id bigserial PRIMARY KEY, payload text, written_at timestamptz DEFAULT clock_timestamp());
        CREATE TABLE latency_lr (id bigserial PRIMARY KEY, payload text, written_at timestamptz DEFAULT clock_timestamp());
        CREATE TABLE changes (id bigint PRIMARY KEY, v int, note text);
        CREATE TABLE changes_lr (id bigint PRIMARY KEY, v int, note text);
        CREATE TABLE bidir (id int PRIMARY KEY, v int, note text);""")
    psql(local, f"INSERT INTO bidir SELECT g, g, 'row ' || g FROM generate_series(1, {args.rows}) g")
    hub = Hub(args.hub)
    hub.login()
    hub.call("POST", "/api/v1/tenants", {"name": tenant})
    remote = hub.call("POST", f"/api/v1/tenants/{tenant}/remote-databases", {
        "name": "site", "engine": "postgresql", "host": parts.hostname, "port": parts.port, "database": parts.path.lstrip("/"),
        "username": parts.username, "password": parts.password, "tls": "disable"})["id"]
    hub.run_job(tenant, remote, {"mode": "full", "tables": ["latency_sync", "changes"]})
    hub.run_job(tenant, remote, {"mode": "bidirectional", "tables": ["bidir"]})
    psql(cloud, f"ALTER TABLE {schema}.latency_sync ADD COLUMN arrived_at timestamptz DEFAULT clock_timestamp()")

    # Logical replication between the same clusters, into tables with the same arrival stamp.
    psql(local, "CREATE PUBLICATION bench_pub FOR TABLE latency_lr, changes_lr")
    psql(cloud, """CREATE TABLE latency_lr (id bigint PRIMARY KEY, payload text, written_at timestamptz,
                                           arrived_at timestamptz DEFAULT clock_timestamp());
                   CREATE TABLE changes_lr (id bigint PRIMARY KEY, v int, note text)""")
    connection = f"host={parts.hostname} port={parts.port} dbname={parts.path.lstrip('/')} user={parts.username} password={parts.password}"
    psql(cloud, f"CREATE SUBSCRIPTION bench_sub CONNECTION '{connection}' PUBLICATION bench_pub")
    wait_for(lambda: psql(cloud, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") == "0", 120, "the subscription")

    # 1. Latency.
    hub.call("PATCH", f"/api/v1/tenants/{tenant}/remote-databases/{remote}",
             {"continuous": True, "continuous_mode": "incremental", "poll_interval_ms": 1000})
    psql(local, "INSERT INTO latency_sync (payload) VALUES ('probe')")
    wait_for(lambda: psql(cloud, f"SELECT count(*) FROM {schema}.latency_sync") == "1", 60, "continuous sync to start")
    latency = []
    for rate in [int(r) for r in args.rates.split()]:
        for name, table, seen in (("Berqenas continuous sync", "latency_sync", f"{schema}.latency_sync"),
                                  ("PostgreSQL logical replication", "latency_lr", "public.latency_lr")):
            start = psql(local, f"SELECT coalesce(max(id), 0) FROM {table}")
            pgbench(args.pgbench, local, table, rate, args.seconds)
            total = psql(local, f"SELECT count(*) FROM {table}")
            wait_for(lambda: psql(cloud, f"SELECT count(*) FROM {seen}") == total, 600, f"{name} to catch up")
            latency.append((name, rate, *percentiles(cloud, seen, start)))
    hub.call("PATCH", f"/api/v1/tenants/{tenant}/remote-databases/{remote}", {"continuous": False})
    wait_for(lambda: psql(cloud, f"SELECT count(*) FROM public.remote_databases WHERE continuous_owner IS NOT NULL") == "0",
             60, "continuous sync to stop")

    # 2. Throughput: the same change set carried by one incremental job, and by logical replication catching
    # up; first inserts, then an update of every row. Then both jobs rolled back from their undo images, newest
    # first: the updates are put back, then the inserted rows deleted.
    def throughput(label, statement, lr_done):
        batch = 10000
        psql(cloud, "ALTER SUBSCRIPTION bench_sub DISABLE")
        for table in ("changes", "changes_lr"):
            for first in range(1, args.changes + 1, batch):
                psql(local, statement.format(table=table, first=first, last=min(first + batch - 1, args.changes)))
        job = hub.run_job(tenant, remote, {"mode": "incremental", "tables": ["changes"]})
        started = time.monotonic()
        psql(cloud, "ALTER SUBSCRIPTION bench_sub ENABLE")
        wait_for(lambda: psql(cloud, lr_done) == str(args.changes), 600, "logical replication to catch up")
        return label, job, time.monotonic() - started

    undo_before = int(psql(cloud, "SELECT pg_total_relation_size('sync_undo_batches')"))
    jobs = [throughput("inserts", "INSERT INTO {table} SELECT g, g, 'change ' || g FROM generate_series({first}, {last}) g",
                       "SELECT count(*) FROM changes_lr")]
    undo_bytes = int(psql(cloud, "SELECT pg_total_relation_size('sync_undo_batches')")) - undo_before
    jobs.append(throughput("updates", "UPDATE {table} SET v = v + 1, note = 'updated ' || id WHERE id BETWEEN {first} AND {last}",
                           "SELECT count(*) FROM changes_lr WHERE v = id + 1"))
    rollbacks = []
    for (label, job, _), check in zip(reversed(jobs), (f"SELECT count(*) FROM {schema}.changes WHERE v = id AND note = 'change ' || id",
                                                      f"SELECT {args.changes} - count(*) FROM {schema}.changes")):
        rollback_id = hub.call("POST", f"/api/v1/tenants/{tenant}/sync-jobs/{job['id']}/rollback")["job_id"]
        rollback = hub.wait_job(tenant, rollback_id)
        carried = job["results"][0]["local_to_cloud"]
        if psql(cloud, check) != str(args.changes) or rollback["restored"] != carried:
            raise SystemExit(f"the rollback of the {label} restored {rollback['restored']} of {carried} rows: {psql(cloud, check)}")
        rollbacks.append((label, rollback))

    # 3. Bidirectional with 1% of keys changed on both sides (plus 1% changed on each side alone).
    psql(local, "UPDATE bidir SET v = v + 1, note = 'local ' || id WHERE id % 100 IN (0, 1)")
    psql(cloud, f"UPDATE {schema}.bidir SET v = v + 2, note = 'cloud ' || id WHERE id % 100 IN (0, 2)")
    injected = args.rows // 100
    bidir = hub.run_job(tenant, remote, {"mode": "bidirectional", "tables": ["bidir"], "conflict_strategy": "latest_wins"})
    result = bidir["results"][0]
    digest = "SELECT md5(string_agg(id || ':' || v || ':' || note, ',' ORDER BY id)) FROM {}"
    converged = psql(local, digest.format("bidir")) == psql(cloud, digest.format(f"{schema}.bidir"))

    print("### Propagation latency (commit to visible), continuous mode, PostgreSQL -> PostgreSQL")
    print("| what | changes/s | rows | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name, rate, rows, p50, p99, worst in latency:
        print(f"| {name} | {rate} | {rows} | {p50} | {p99} | {worst} |")
    print()
    print("### Sustained incremental throughput")
    print("| what | changes | seconds | changes/s |")
    print("|---|---|---|---|")
    for label, job, lr_seconds in jobs:
        carried, seconds = job["results"][0]["local_to_cloud"], job["duration_ms"] / 1000
        print(f"| Berqenas incremental job, {label} | {carried} | {seconds:.2f} | {carried / seconds:,.0f} |")
        print(f"| PostgreSQL logical replication catch-up, {label} | {args.changes} | {lr_seconds:.2f} | {args.changes / lr_seconds:,.0f} |")
    for label, rollback in rollbacks:
        seconds = rollback["duration_ms"] / 1000
        print(f"| Berqenas rollback of the job of {label} | {rollback['restored']} | {seconds:.2f} | {rollback['restored'] / seconds:,.0f} |")
    print()
    print(f"Undo images of the job of inserts in the system database: {undo_bytes / 1e6:.1f} MB ({undo_bytes / args.changes:.0f} bytes a row).")
    print()
    print("### Bidirectional run, 1% of keys changed on both sides")
    print("| rows | injected conflicts | detected | resolved | open | local -> cloud | cloud -> local | seconds | converged |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.rows} | {injected} | {result['conflicts_detected']} | {result['conflicts_resolved']} | {result['conflicts_open']} | "
          f"{result['local_to_cloud']} | {result['cloud_to_local']} | {bidir['duration_ms'] / 1000:.2f} | {'yes' if converged else 'NO'} |")


if __name__ == "__main__":
    main()
