"""One hub split across servers on one PostgreSQL system database (`BERQENAS_ROLES`): a sync requested through
an `api` server runs on a `worker` server, and a worker killed mid-job hands the job to a second worker, which
finishes it with both sides equal. (The `gateway` role's part, a peer added through `api` connecting through a
gateway in a network namespace, is in test_split_gateway.py.)"""
import base64
import json
import os
import signal
import uuid

import pytest

from conftest import Hub, free_port, wait_for
from test_sync_cli_and_crash import ADMIN_URL, local_database, psql, rows_of_local  # noqa: F401 (a fixture)
from test_auto_api import call

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="needs the PostgreSQL cluster from scripts/test.sh")
PASSWORD = "split-roles-admin-1"


@pytest.fixture
def system_database():
    name = "hub_" + uuid.uuid4().hex[:8]
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    base, _, _ = ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Servers:
    """Servers of one hub: each its own process, port and data directory, one system database and one key."""

    def __init__(self, tmp_path, database_url):
        self.tmp_path, self.database_url = tmp_path, database_url
        self.key = base64.b64encode(os.urandom(32)).decode()
        self.started = []

    def start(self, name, roles):
        hub = Hub(self.tmp_path / name, free_port(), {
            "BERQENAS_DATABASE_URL": self.database_url, "BERQENAS_MASTER_KEY": self.key, "BERQENAS_ROLES": roles,
            "BERQENAS_ADMIN_PASSWORD": PASSWORD, "BERQENAS_JOB_LEASE_SECONDS": "3", "BERQENAS_VPN_BACKEND": "none"})
        (self.tmp_path / name).mkdir(parents=True, exist_ok=True)
        hub.start()
        wait_for(lambda: call(hub.url + "/ready")[0] == 200, timeout=60)
        self.started.append(hub)
        return hub

    def stop_all(self):
        for hub in self.started:
            hub.stop()


def manage(hub, token, method, path, body=None):
    status, _, text = call(hub.url + path, method, body, {"Authorization": "Bearer " + token})
    assert status < 300, f"{method} {path}: {status} {text}"
    return json.loads(text) if text else None


def worker_of(events, kind):
    return [e["data"]["worker"] for e in events if e["kind"] == kind]


def test_a_sync_through_api_runs_on_a_worker_and_a_killed_worker_hands_it_to_another(tmp_path, system_database, local_database):
    servers = Servers(tmp_path, system_database)
    tenant = "shop" + uuid.uuid4().hex[:6]  # tenant login roles are the cluster's, shared by every database
    try:
        api = servers.start("api", "api")
        first = servers.start("worker-1", "worker")
        assert call(first.url + "/api/v1/tenants")[0] == 404  # a worker serves no API
        status, _, text = call(api.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": PASSWORD})
        token = json.loads(text)["access_token"]
        started = [e for e in manage(api, token, "GET", "/api/v1/events?kind=hub.started")["items"]]
        api_worker_id, first_id = (e["data"]["worker"] for e in started)

        manage(api, token, "POST", "/api/v1/tenants", {"name": tenant})
        parts = local_database.split("@")[1]
        host_port, _, database = parts.partition("/")
        host, _, port = host_port.partition(":")
        user, _, password = local_database.split("//")[1].split("@")[0].partition(":")
        remote = manage(api, token, "POST", f"/api/v1/tenants/{tenant}/remote-databases", {
            "name": "erp", "engine": "postgresql", "host": host, "port": int(port), "database": database,
            "username": user, "password": password})
        job = manage(api, token, "POST", f"/api/v1/tenants/{tenant}/remote-databases/{remote['id']}/sync", {"mode": "full"})["job_id"]
        job_path = f"/api/v1/tenants/{tenant}/sync-jobs/{job}"
        wait_for(lambda: manage(api, token, "GET", job_path)["progress"]["rows_done"] >= 20000)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)

        servers.start("worker-2", "worker")
        final = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            manage(api, token, "GET", job_path)), timeout=300)
        assert final["status"] == "succeeded" and final["attempts"] == 2, final
        events = manage(api, token, "GET", f"/api/v1/tenants/{tenant}/events?kind=sync.job.&limit=1000")["items"]
        second_id = [e for e in manage(api, token, "GET", "/api/v1/events?kind=hub.started")["items"]][-1]["data"]["worker"]
        assert worker_of(events, "sync.job.started") == [first_id, second_id], (first_id, second_id, api_worker_id)
        assert api_worker_id not in worker_of(events, "sync.job.started")
        cloud = psql(system_database, "SELECT count(*) || ':' || md5(string_agg(id || '|' || label || '|' || amount, ',' ORDER BY id)) "
                                      f"FROM tenant_{tenant}.big")
        assert cloud == rows_of_local(local_database)
    finally:
        servers.stop_all()
        psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {system_database.rpartition('/')[2]} WITH (FORCE)")
        psql(ADMIN_URL, f"DROP ROLE IF EXISTS tenant_{tenant}_user")
