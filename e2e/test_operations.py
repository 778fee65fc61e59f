"""Operating a hub through the real binary: `/metrics` read by prometheus_client's parser, on the main listener
(with its token) and on a listener of its own; and JSON logs, one object per line, that hold no secret used."""
import base64
import json
import os
import sqlite3
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

from conftest import BINARY, Hub, free_port, wait_for
from test_auto_api import call

METRICS_TOKEN = "metrics-" + base64.b32encode(os.urandom(20)).decode().lower()


class Site:
    """A hub with tenant `shop` and an SQLite remote database `till` (2,000 rows)."""

    def __init__(self, tmp_path, extra_env=None):
        self.tmp_path = tmp_path
        self.hub = Hub(tmp_path / "data", free_port(), extra_env)
        self.hub.start()
        self.admin_password = (extra_env or {}).get("BERQENAS_ADMIN_PASSWORD") or \
            (self.hub.data_dir / "initial-admin-password").read_text().strip()
        self.token = self.login("admin", self.admin_password)
        self.lite = tmp_path / "till.sqlite"
        with sqlite3.connect(self.lite) as db:
            db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
            db.executemany("INSERT INTO items VALUES (?, ?)", [(i, f"item {i}") for i in range(1, 2001)])
        self.manage("POST", "/api/v1/tenants", {"name": "shop"})
        self.remote = self.manage("POST", "/api/v1/tenants/shop/remote-databases",
                                  {"name": "till", "engine": "sqlite", "database": str(self.lite)})

    def login(self, username, password):
        status, _, text = call(self.hub.url + "/api/v1/auth/login", "POST", {"username": username, "password": password})
        assert status == 200, text
        return json.loads(text)["access_token"]

    def manage(self, method, path, body=None, expect=300):
        status, _, text = call(self.hub.url + path, method, body, {"Authorization": "Bearer " + self.token})
        assert status < expect, f"{method} {path}: {status} {text}"
        return json.loads(text) if text else None

    def sync(self, mode="full"):
        job = self.manage("POST", f"/api/v1/tenants/shop/remote-databases/{self.remote['id']}/sync", {"mode": mode})
        path = f"/api/v1/tenants/shop/sync-jobs/{job['job_id']}"
        return wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed", "cancelled") else None)(
            self.manage("GET", path)), what="the job ends")

    def sides_equal(self):
        with sqlite3.connect(self.lite) as local, sqlite3.connect(self.hub.data_dir / "tenants" / "shop.sqlite") as cloud:
            query = "SELECT id, name FROM items ORDER BY id"
            return local.execute(query).fetchall() == cloud.execute(query).fetchall()


@pytest.fixture
def site(tmp_path):
    metrics_port = free_port()
    instance = Site(tmp_path, {"BERQENAS_METRICS_TOKEN": METRICS_TOKEN, "BERQENAS_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}"})
    instance.metrics_url = f"http://127.0.0.1:{metrics_port}"
    yield instance
    instance.hub.stop()


def scrape(url, token=METRICS_TOKEN):
    status, headers, text = call(url + "/metrics", headers={"Authorization": "Bearer " + token} if token else {})
    assert status == 200, f"{status} {text}"
    content_type = {k.lower(): v for k, v in headers.items()}["content-type"]
    assert content_type == "text/plain; version=0.0.4; charset=utf-8", content_type
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_metrics_are_off_unless_enabled(tmp_path):
    hub = Hub(tmp_path / "data", free_port())
    hub.start()
    try:
        status, _, text = call(hub.url + "/metrics")
        assert status == 404 and json.loads(text)["error"]["code"] == "not_found"
    finally:
        hub.stop()


def test_metrics_ask_for_their_token_and_count_what_the_hub_does(site):
    for token in (None, "wrong-" + METRICS_TOKEN):
        status, _, text = call(site.hub.url + "/metrics", headers={"Authorization": "Bearer " + token} if token else {})
        assert status == 401 and json.loads(text)["error"]["code"] == "unauthorized"
    before = scrape(site.hub.url)

    # A sync job: its outcome, and the rows it moved by direction.
    job = site.sync()
    assert job["status"] == "succeeded" and site.sides_equal()
    # Generated-API requests by API and status: labels only for an API that exists.
    site.manage("POST", "/api/v1/tenants/shop/apis", {"name": "shopapi", "source": {"kind": "tenant_store"}, "tables": ["*"], "auth": "api_key"})
    assert call(site.hub.url + "/rest/v1/shop/shopapi/items")[0] == 401
    assert call(site.hub.url + "/rest/v1/shop/nothing-here/items")[0] == 404
    # An alert delivery that fails (nothing listens on the port).
    closed = free_port()
    channel = site.manage("POST", "/api/v1/alert-channels", {"name": "hook", "type": "webhook", "settings": {
        "url": f"http://127.0.0.1:{closed}/hook", "secret": "whsec-" + os.urandom(8).hex()}})
    assert site.manage("POST", f"/api/v1/alert-channels/{channel['id']}/test")["status"] == "failed"

    with connect(site.hub.url.replace("http://", "ws://") + "/api/v1/realtime") as ws:
        ws.send(json.dumps({"action": "auth", "token": site.token}))
        assert json.loads(ws.recv(timeout=20))["type"] == "authenticated"
        after = scrape(site.hub.url)
        assert value(after, "berqenas_realtime_clients") == 1

    grew = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert grew("berqenas_sync_jobs_total", outcome="succeeded") == 1
    assert grew("berqenas_sync_rows_total", direction="local_to_cloud") == 2000
    assert grew("berqenas_api_requests_total", tenant="shop", api="shopapi", status="401") == 1
    assert grew("berqenas_api_requests_total", tenant="-", api="-", status="404") == 1
    assert grew("berqenas_api_request_duration_seconds_count", tenant="shop", api="shopapi") == 1
    assert grew("berqenas_alert_deliveries_total", outcome="failed") == 1
    assert value(after, "berqenas_conflicts_open", tenant="shop") == 0
    assert ("berqenas_conflicts_open", (("tenant", "shop"),)) in after
    assert value(after, "berqenas_vpn_peers_connected", tenant="shop") == 0
    # Vapor's own request metrics, by route template (never the path as sent) and status, with a histogram.
    sync_route = "/api/v1/tenants/:name/remote-databases/:id/sync"
    assert grew("http_requests_total", method="POST", path=sync_route, status="202") == 1, [k for k in after if k[0] == "http_requests_total"]
    assert any(name == "http_request_duration_seconds_bucket" and ("path", sync_route) in labels for name, labels in after)
    assert not any(site.remote["id"] in str(labels) for _, labels in after)


def test_continuous_sync_shows_its_lag(site):
    assert site.sync()["status"] == "succeeded"
    site.manage("PATCH", f"/api/v1/tenants/shop/remote-databases/{site.remote['id']}",
                {"continuous": True, "continuous_mode": "incremental"})
    lag = ("berqenas_sync_lag_seconds", (("remote_database", "till"), ("tenant", "shop")))
    wait_for(lambda: lag in scrape(site.hub.url), what="the loop's series appears")
    with sqlite3.connect(site.lite) as db:
        db.execute("INSERT INTO items VALUES (5000, 'new while continuous')")
    wait_for(site.sides_equal, what="the new row reaches the cloud")
    caught_up = wait_for(lambda: (lambda s: s if s.get(lag) == 0 else None)(scrape(site.hub.url)), what="the loop catches up")
    assert caught_up[lag] == 0 and site.sides_equal()
    site.manage("PATCH", f"/api/v1/tenants/shop/remote-databases/{site.remote['id']}", {"continuous": False})
    wait_for(lambda: lag not in scrape(site.hub.url), what="the stopped loop's series goes")


def test_the_metrics_listener_answers_metrics_only(site):
    assert value(scrape(site.metrics_url), "berqenas_realtime_clients") == 0
    status, _, _ = call(site.metrics_url + "/metrics")
    assert status == 401
    status, _, _ = call(site.metrics_url + "/health")
    assert status == 404
    status, _, _ = call(site.metrics_url + "/api/v1/auth/login", "POST", {"username": "admin", "password": site.admin_password})
    assert status == 404


def test_json_logs_are_one_object_per_line_with_ids_and_hold_no_secret(tmp_path):
    admin_password = "Admin-" + os.urandom(12).hex()
    master_key = base64.b64encode(os.urandom(32)).decode()
    site = Site(tmp_path, {"BERQENAS_LOG_FORMAT": "json", "LOG_LEVEL": "debug", "BERQENAS_ADMIN_PASSWORD": admin_password,
                           "BERQENAS_MASTER_KEY": master_key, "BERQENAS_METRICS_TOKEN": METRICS_TOKEN})
    try:
        secrets = {"admin password": admin_password, "master key": master_key, "metrics token": METRICS_TOKEN,
                   "access token": site.token}
        status, _, text = call(site.hub.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": admin_password})
        secrets["refresh token"] = json.loads(text)["refresh_token"]
        user_password = "user-" + os.urandom(10).hex()
        site.manage("POST", "/api/v1/users", {"username": "clerk", "password": user_password, "role": "tenant_viewer", "tenant": "shop"})
        secrets["user password"] = user_password
        assert call(site.hub.url + "/api/v1/auth/login", "POST", {"username": "clerk", "password": "wrong-" + user_password})[0] == 401
        store = site.manage("GET", "/api/v1/tenants/shop/connection?reveal=true")
        if store.get("password"):
            secrets["store password"] = store["password"]
        site.manage("POST", "/api/v1/tenants/shop/apis", {"name": "shopapi", "source": {"kind": "tenant_store"}, "tables": ["*"], "auth": "api_key"})
        key = site.manage("POST", "/api/v1/tenants/shop/apis/shopapi/keys", {"name": "till", "permissions": "read"})
        secrets["api key"] = key["key"]
        webhook_secret = "whsec-" + os.urandom(12).hex()
        channel = site.manage("POST", "/api/v1/tenants/shop/alert-channels", {"name": "hook", "type": "webhook", "settings": {
            "url": f"http://127.0.0.1:{free_port()}/hook", "secret": webhook_secret}})
        site.manage("POST", f"/api/v1/tenants/shop/alert-channels/{channel['id']}/test")
        secrets["webhook secret"] = webhook_secret
        assert call(site.hub.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN})[0] == 200
        job = site.sync()
        assert job["status"] == "succeeded" and site.sides_equal()
        # A PostgreSQL remote's password (registered even though nothing answers there).
        remote_password = "pg-" + os.urandom(10).hex()
        secrets["remote password"] = remote_password
        site.manage("POST", "/api/v1/tenants/shop/remote-databases", {
            "name": "closed", "engine": "postgresql", "host": "127.0.0.1", "port": free_port(), "database": "erp",
            "username": "erp", "password": remote_password})
    finally:
        site.hub.stop()
    lines = [line for line in site.hub.log().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any("request-id" in entry for entry in entries)
    # The worker's line for the job's end carries the job's id as a field.
    assert any(entry.get("job_id") == job["id"] and "succeeded" in entry["message"] for entry in entries), job["id"]
    text = "\n".join(lines)
    for what, secret in secrets.items():
        assert secret not in text, f"the {what} is in the log"


def test_a_system_database_it_cannot_open_stops_the_server_at_once_with_the_reason(tmp_path):
    """Not a minute of a pool retrying and an opaque error: the address and the cause, and no password."""
    closed_port = free_port()  # nothing listens there
    env = {**os.environ, "BERQENAS_DATA_DIR": str(tmp_path), "BERQENAS_PORT": str(free_port()),
           "BERQENAS_DATABASE_URL": f"postgres://hub:not-logged-9f2c@127.0.0.1:{closed_port}/hub",
           "BERQENAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    result = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"cannot open the system database (BERQENAS_DATABASE_URL) at 127.0.0.1:{closed_port}" in output, output
    assert "refused" in output.lower() and "not-logged-9f2c" not in output, output
