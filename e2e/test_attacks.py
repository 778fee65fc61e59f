"""Attacks on the real binary, for what only a real server shows: bodies read before the caller is known,
per-address budgets, and numbers, nesting and names chosen to crash or stall it. Each ends by checking that
the hub still answers.
"""
import http.client
import json
import sqlite3
import urllib.parse

import pytest
from conftest import Hub, free_port
from test_auto_api import call

HUGE = ["9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1e309", "-1"]


class PublicSite:
    """A hub with tenant `shop`, an SQLite remote database and two APIs over it: `open` (public_read) and
    `keyed` (api_key, with a write key)."""

    def __init__(self, tmp_path, extra_env=None):
        self.hub = Hub(tmp_path / "data", free_port(), extra_env)
        self.hub.start()
        password = (self.hub.data_dir / "initial-admin-password").read_text().strip()
        self.token = self.manage("POST", "/api/v1/auth/login", {"username": "admin", "password": password}, token=False)["access_token"]
        lite = tmp_path / "shop.sqlite"
        with sqlite3.connect(lite) as db:
            db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
            db.executemany("INSERT INTO items VALUES (?, ?)", [(1, "pen"), (2, "book")])
        self.manage("POST", "/api/v1/tenants", {"name": "shop"})
        remote = self.manage("POST", "/api/v1/tenants/shop/remote-databases", {"name": "till", "engine": "sqlite", "database": str(lite)})
        for name, auth in [("open", "public_read"), ("keyed", "api_key")]:
            self.manage("POST", "/api/v1/tenants/shop/apis", {
                "name": name, "source": {"kind": "remote_database", "id": remote["id"]}, "tables": ["*"], "auth": auth})
        self.key = self.manage("POST", "/api/v1/tenants/shop/apis/keyed/keys", {"name": "app", "permissions": "write"})["key"]

    def manage(self, method, path, body=None, token=True):
        status, _, text = call(self.hub.url + path, method, body, {"Authorization": "Bearer " + self.token} if token else {})
        assert status < 300, f"{method} {path}: {status} {text}"
        return json.loads(text) if text else None

    def alive(self):
        status, _, _ = call(self.hub.url + "/health")
        return status == 200


@pytest.fixture
def public_site(tmp_path):
    site = PublicSite(tmp_path)
    yield site
    site.hub.stop()


def post_raw(url, body, headers):
    """POST `body` on a raw connection and read the answer even if the server answers before taking it all."""
    parts = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        try:
            connection.request("POST", parts.path, body=body, headers={"Content-Type": "application/json", **headers})
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before the whole body was sent: the answer is still there to read
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_a_body_is_read_only_for_an_admitted_caller(public_site):
    url = public_site.hub.url + "/rest/v1/shop/keyed/items"
    big = ("[" + '{"id":1,"name":"x"},' * 1_000_000 + '{"id":2,"name":"y"}]').encode()
    status, text = post_raw(url, big, {})
    assert status == 401, f"refused as unknown before the body is read to its limit: {status} {text[:200]}"
    status, text = post_raw(url, big, {"apikey": public_site.key})
    assert status == 413 and "payload_too_large" in text, f"{status} {text[:200]}"
    assert public_site.alive()


def test_anonymous_readers_and_sign_ins_have_a_budget_per_address(tmp_path):
    site = PublicSite(tmp_path, {"BERQENAS_ANONYMOUS_RATE_LIMIT": "5", "BERQENAS_LOGIN_RATE_LIMIT": "5"})
    try:
        url = site.hub.url + "/rest/v1/shop/open/items"
        # A forged X-Forwarded-For from an untrusted peer changes nothing.
        answers = [call(url, headers={"X-Forwarded-For": f"198.18.0.{i}"}) for i in range(7)]
        assert [status for status, _, _ in answers[:5]] == [200] * 5, answers
        status, headers, text = answers[5]
        assert status == 429 and int(headers["Retry-After"]) >= 1, (status, text)
        status, _, _ = call(url, headers={"apikey": site.key.replace("bqk_", "bqk_x")})
        assert status in (401, 429)
        keyed = call(site.hub.url + "/rest/v1/shop/keyed/items", headers={"apikey": site.key})
        assert keyed[0] == 200, "a key is not held to the anonymous budget"
        # The admin signed in once above; four more attempts fit the budget, the next does not.
        logins = [call(site.hub.url + "/api/v1/auth/login", "POST", {"username": f"user{i}", "password": "wrong-password"})[0]
                  for i in range(5)]
        assert logins == [401, 401, 401, 401, 429], logins
        assert site.alive()
    finally:
        site.hub.stop()


def test_huge_numbers_in_every_paging_parameter_and_header_are_4xx(public_site):
    hub, auth = public_site.hub, {"Authorization": "Bearer " + public_site.token}
    paged = ["/api/v1/tenants", "/api/v1/users", "/api/v1/audit", "/api/v1/tenants/shop/sync-jobs", "/api/v1/tenants/shop/conflicts"]
    parameters = {path: ["offset", "limit"] for path in paged} | {"/api/v1/tenants/shop/events": ["after", "limit"]}
    for value in HUGE:
        for path, names in parameters.items():
            for name in names:
                status, _, text = call(f"{hub.url}{path}?{name}={urllib.parse.quote(value)}", headers=auth)
                assert status == 422 and name in text, f"{path}?{name}={value}: {status} {text}"
        for name in ["offset", "limit"]:
            status, _, text = call(f"{hub.url}/rest/v1/shop/open/items?{name}={urllib.parse.quote(value)}")
            assert status == 400, f"{name}={value}: {status} {text}"
        for header in [f"0-{value}", f"{value}-{value}", f"{value}-"]:
            status, _, text = call(f"{hub.url}/rest/v1/shop/open/items", headers={"Range": header})
            assert status == 416, f"Range: {header}: {status} {text}"
    assert public_site.alive()


def test_deep_nesting_and_long_names_are_refused_at_once(public_site):
    hub = public_site.hub
    for depth in [9, 1000, 5000]:
        tree = "or(" * (depth - 1) + "id.eq.1" + ")" * (depth - 1)
        status, _, text = call(f"{hub.url}/rest/v1/shop/open/items?or=({tree})")
        assert status == 400 and "nest at most" in text, (depth, status, text[:200])
    deep_select = "items(" * 50 + "id" + ")" * 50
    status, _, _ = call(f"{hub.url}/rest/v1/shop/open/items?select=id,{deep_select}")
    assert status == 400
    for name in ["a" * 10_000, "a" * 100, "é" * 40, "admin\u0000"]:
        status, _, _ = call(hub.url + "/api/v1/auth/login", "POST", {"username": name, "password": "whatever-it-is"})
        assert status in (401, 413), (len(name), status)
    status, _, _ = call(hub.url + "/api/v1/auth/login", "POST", raw=b'{"username": "' + b"a" * 2_000_000 + b'", "password": "x"}')
    assert status == 413
    assert public_site.alive()
