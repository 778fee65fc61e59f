"""Sync through the real binary and CLI: `sync run --wait`, and a server killed with SIGKILL during a
large full sync, restarted, finishing the job with both sides equal."""
import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
import urllib.parse
import uuid

import pytest

from conftest import Hub, free_port, wait_for

ADMIN_URL = os.environ.get("BERQENAS_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="needs the PostgreSQL cluster from scripts/test.sh")


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def local_database():
    name = "e2e_" + uuid.uuid4().hex[:8]
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    base, _, _ = ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    psql(url, "CREATE TABLE big (id bigint PRIMARY KEY, label text, amount numeric(12,2))")
    psql(url, "INSERT INTO big SELECT g, 'row ' || g, (g % 100000) / 100.0 FROM generate_series(1, 150000) g")
    yield url
    psql(ADMIN_URL, f"DROP DATABASE {name} WITH (FORCE)")


def api(hub, token, method, path, body=None):
    request = urllib.request.Request(hub.url + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def login(hub, cli):
    password = (hub.data_dir / "initial-admin-password").read_text().strip()
    cli("login", "--url", hub.url, "--username", "admin", "--password-stdin", stdin=password + "\n")
    return json.loads(cli.config_path.read_text())["access_token"]


def register(cli, url, tenant):
    parts = urllib.parse.urlparse(url)
    cli("tenant", "create", tenant)
    cli("sync", "register", tenant, "erp", "--engine", "postgresql", "--host", parts.hostname, "--port", str(parts.port),
        "--database", parts.path.lstrip("/"), "--username", parts.username, "--password-stdin", stdin=parts.password + "\n")


def rows_of_local(url):
    return psql(url, "SELECT count(*) || ':' || md5(string_agg(id || '|' || label || '|' || amount, ',' ORDER BY id)) FROM big")


def rows_of_cloud(data_dir, tenant):
    with sqlite3.connect(data_dir / "tenants" / f"{tenant}.sqlite") as db:
        rows = db.execute("SELECT id, label, amount FROM big ORDER BY id").fetchall()
    import hashlib
    text = ",".join(f"{i}|{label}|{amount}" for i, label, amount in rows)
    return f"{len(rows)}:{hashlib.md5(text.encode()).hexdigest()}"


def test_run_wait_shows_progress_and_fails_loudly(hub, cli, local_database):
    login(hub, cli)
    register(cli, local_database, "shop")
    assert "ok" in cli("sync", "list", "shop").stdout
    done = cli("sync", "run", "shop", "erp", "--mode", "full", "--wait")
    assert "100%" in done.stderr and "succeeded" in done.stderr
    assert "150000" in done.stdout
    assert rows_of_local(local_database) == rows_of_cloud(hub.data_dir, "shop")
    failed = cli("sync", "run", "shop", "erp", "--mode", "incremental", "--table", "public.nope", check=False)
    assert failed.returncode != 0 and "not a table" in failed.stderr
    history = cli("sync", "history", "shop").stdout
    assert "succeeded" in history and "full" in history
    verified = cli("sync", "verify", "shop", "erp", "--wait", "--json")
    assert_verified_equal(json.loads(verified.stdout))


def assert_verified_equal(results):
    """A verify job's per-table results: every table compared, none differing."""
    assert results, "verify reported no table"
    for result in results:
        report = result["verification"]
        assert report["differing_rows"] == 0 and report["local_rows"] == report["cloud_rows"], result


def test_a_killed_server_finishes_its_full_sync_after_restart(tmp_path, cli, local_database):
    hub = Hub(tmp_path / "data", free_port(), {"BERQENAS_JOB_LEASE_SECONDS": "2"})
    hub.start()
    try:
        token, remote, job_path = full_sync_under_way(hub, cli, local_database)
        hub.process.send_signal(signal.SIGKILL)
        hub.process.wait(timeout=30)
        killed_at = rows_of_cloud(hub.data_dir, "shop")
        assert not killed_at.startswith("150000:"), "the kill landed mid-copy"

        hub.start()
        token = login(hub, cli)
        final = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            api(hub, token, "GET", job_path)))
        assert final["status"] == "succeeded", final
        assert final["attempts"] == 2, "taken over after the lease expired, not started twice in parallel"
        assert rows_of_local(local_database) == rows_of_cloud(hub.data_dir, "shop")
        verify = api(hub, token, "POST", f"/api/v1/tenants/shop/remote-databases/{remote}/verify", {})["job_id"]
        verified = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            api(hub, token, "GET", f"/api/v1/tenants/shop/sync-jobs/{verify}")))
        assert verified["status"] == "succeeded", verified
        assert_verified_equal(verified["results"])
    finally:
        hub.stop()


def test_sigterm_mid_job_exits_promptly_and_hands_the_job_back(tmp_path, cli, local_database):
    """What a container stop sends: the server stops taking requests, hands its running job back (its lease
    ends now, not 30 s later), closes its pools and exits 0 within a bounded time; a restarted server finishes
    the job and both sides are equal."""
    hub = Hub(tmp_path / "data", free_port())  # the default 30 s lease: a job not handed back would wait for it
    hub.start()
    try:
        token, remote, job_path = full_sync_under_way(hub, cli, local_database)
        asked = time.monotonic()
        hub.process.send_signal(signal.SIGTERM)
        assert hub.process.wait(timeout=30) == 0
        assert time.monotonic() - asked < 15, "the server took too long to stop"
        with sqlite3.connect(hub.data_dir / "berqenas.sqlite") as db:
            status, lease_until = db.execute("SELECT status, lease_expires_at FROM sync_jobs WHERE id = ? COLLATE NOCASE", (job_path.rpartition("/")[2],)).fetchone()
        assert status == "running" and lease_until is not None
        assert lease_until_seconds(lease_until) <= time.time(), "the job's lease was not handed back"
        assert not rows_of_cloud(hub.data_dir, "shop").startswith("150000:"), "the stop landed mid-copy"

        hub.start()
        token = login(hub, cli)
        final = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            api(hub, token, "GET", job_path)))
        assert final["status"] == "succeeded" and final["attempts"] == 2, final
        assert rows_of_local(local_database) == rows_of_cloud(hub.data_dir, "shop")
    finally:
        hub.stop()


def full_sync_under_way(hub, cli, local_database):
    """Signs in, registers the local database for tenant shop and starts a full sync; returns once 20,000 of
    its rows are copied, with (token, remote database id, the job's path)."""
    token = login(hub, cli)
    register(cli, local_database, "shop")
    remote = api(hub, token, "GET", "/api/v1/tenants/shop/remote-databases")[0]["id"]
    job = api(hub, token, "POST", f"/api/v1/tenants/shop/remote-databases/{remote}/sync", {"mode": "full"})["job_id"]
    job_path = f"/api/v1/tenants/shop/sync-jobs/{job}"
    wait_for(lambda: api(hub, token, "GET", job_path)["progress"]["rows_done"] >= 20000)
    return token, remote, job_path


def lease_until_seconds(stored):
    """A lease end as Fluent keeps it in SQLite (seconds since 1970 as a number, or ISO 8601 text)."""
    if isinstance(stored, (int, float)):
        return float(stored)
    from datetime import datetime
    return datetime.fromisoformat(stored.replace("Z", "+00:00")).timestamp()
