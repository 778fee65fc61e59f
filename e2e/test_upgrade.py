"""Upgrades: a data directory (SQLite) and a PostgreSQL system database written by an earlier release
(e2e/fixtures/upgrade, made by its make_fixtures.py with the binary of the commit in expected.json) open with
this build, migrate at start and serve what they held: sign-ins with the old password hashes, the tenant and
its user, the sync history, the synced rows through the generated API with its old key, the VPN peer's
config (its sealed private key opened), the alert channel (its secret kept, never shown) and the old events,
numbered on from where they stopped."""
import base64
import json
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import Hub, free_port
from test_auto_api import call
from test_sync_cli_and_crash import ADMIN_URL

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "upgrade"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
TENANT = EXPECTED["tenant"]


class Reader:
    def __init__(self, hub):
        self.hub = hub
        self.token = self.login("admin", EXPECTED["admin_password"])

    def login(self, username, password):
        status, _, text = call(self.hub.url + "/api/v1/auth/login", "POST", {"username": username, "password": password})
        assert status == 200, f"{username}: {status} {text}"
        return json.loads(text)["access_token"]

    def get(self, path, token=None, text=False):
        status, _, body = call(self.hub.url + path, headers={"Authorization": "Bearer " + (token or self.token)})
        assert status == 200, f"{path}: {status} {body}"
        return body if text else json.loads(body)

    def check(self, facts):
        assert call(self.hub.url + "/ready")[0] == 200  # migrations current, every role running
        clerk = self.login("clerk", EXPECTED["user_password"])
        assert [t["name"] for t in self.get("/api/v1/tenants", clerk)["items"]] == [TENANT]
        job = self.get(f"/api/v1/tenants/{TENANT}/sync-jobs/{facts['job_id']}")
        assert job["status"] == "succeeded" and job["results"][0]["local_to_cloud"] == EXPECTED["rows"], job
        status, _, text = call(self.hub.url + f"/rest/v1/{TENANT}/legacyapi/items?order=id", headers={"apikey": facts["api_key"]})
        rows = json.loads(text)
        assert status == 200 and len(rows) == EXPECTED["rows"] and rows[0]["name"] == "item 1", text[:300]
        config = self.get(f"/api/v1/tenants/{TENANT}/vpn/peers/{facts['peer_id']}/config", text=True)
        assert "PrivateKey = " in config and "Endpoint = 198.18.1.1:" in config, config
        channels = self.get(f"/api/v1/tenants/{TENANT}/alert-channels")
        assert [c["id"] for c in channels] == [facts["channel_id"]] and "whsec-upgrade-fixture" not in json.dumps(channels)
        events = self.get(f"/api/v1/tenants/{TENANT}/events?limit=500")["items"]
        ids = sorted(e["id"] for e in events)
        assert ids[:len(facts["event_ids"])] == facts["event_ids"], "the old events are all there"
        # A new event after the upgrade is numbered after the old ones.
        status, _, _ = call(self.hub.url + f"/api/v1/tenants/{TENANT}/apis/legacyapi/refresh", "POST", None,
                            {"Authorization": "Bearer " + self.token})
        assert status == 200
        newer = self.get(f"/api/v1/tenants/{TENANT}/events?limit=500")["items"]
        assert max(e["id"] for e in newer) > max(facts["event_ids"])


def test_a_data_directory_of_the_earlier_release_opens_migrates_and_serves(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "sqlite-data", data)
    before = sqlite_migrations(data / "berqenas.sqlite")
    hub = Hub(data, free_port(), {"BERQENAS_VPN_BACKEND": "none", "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1"})
    hub.start()
    try:
        Reader(hub).check(EXPECTED["sqlite"])
    finally:
        assert hub.stop() == 0, hub.log()
    after = sqlite_migrations(data / "berqenas.sqlite")
    assert before < after, "the fixture predates this build's newest migration, which ran at start"


@pytest.mark.skipif(not ADMIN_URL, reason="needs the PostgreSQL cluster from scripts/test.sh")
def test_a_postgresql_system_database_of_the_earlier_release_opens_migrates_and_serves(tmp_path):
    name = "upgraded_" + uuid.uuid4().hex[:8]
    base = ADMIN_URL.rpartition("/")[0]
    role = f"tenant_{TENANT}_user"
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    try:
        psql(ADMIN_URL, file=FIXTURES / "postgres" / "tenant-roles.sql")
        psql(f"{base}/{name}", file=FIXTURES / "postgres" / "system-database.sql")
        key = (FIXTURES / "postgres" / "master-key").read_text().strip()
        assert len(base64.b64decode(key)) == 32
        (tmp_path / "data").mkdir()
        hub = Hub(tmp_path / "data", free_port(), {"BERQENAS_DATABASE_URL": f"{base}/{name}", "BERQENAS_MASTER_KEY": key,
                                                   "BERQENAS_VPN_BACKEND": "none", "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1"})
        before = set(psql(f"{base}/{name}", "SELECT name FROM _fluent_migrations").split())
        hub.start(timeout=60)
        try:
            Reader(hub).check(EXPECTED["postgresql"])
        finally:
            assert hub.stop() == 0, hub.log()
        after = set(psql(f"{base}/{name}", "SELECT name FROM _fluent_migrations").split())
        assert before < after, "the fixture predates this build's newest migration, which ran at start"
    finally:
        psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(ADMIN_URL, f"DROP ROLE IF EXISTS {role}")


def psql(url, sql=None, file=None):
    command = ["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url] + (["-c", sql] if sql else ["-f", str(file)])
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def sqlite_migrations(path):
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM _fluent_migrations")}
