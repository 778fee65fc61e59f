"""The realtime WebSocket against the real binary: sign-in by the first message, a real sync job's events in
order, tenant scoping, replay with `since` at the seam, and a slow consumer cut off while a fast one keeps up.
"""
import base64
import json
import os
import socket
import subprocess
import sqlite3
import time
import urllib.parse
import uuid

import pytest
from conftest import BINARY, Hub, free_port
from test_auto_api import call
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

RECEIVE = 20  # seconds a message may take before the test fails (a bound, not a sleep)


class Site:
    """A hub with tenant `shop`, an SQLite remote database `till` with one table, and tenant `other` with a
    tenant admin of its own."""

    def __init__(self, tmp_path):
        self.hub = Hub(tmp_path / "data", free_port())
        self.hub.start()
        password = (self.hub.data_dir / "initial-admin-password").read_text().strip()
        self.token = self.login("admin", password)
        lite = tmp_path / "till.sqlite"
        with sqlite3.connect(lite) as db:
            db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
            db.executemany("INSERT INTO items VALUES (?, ?)", [(i, f"item {i}") for i in range(1, 2001)])
        self.manage("POST", "/api/v1/tenants", {"name": "shop"})
        self.manage("POST", "/api/v1/tenants", {"name": "other"})
        self.remote = self.manage("POST", "/api/v1/tenants/shop/remote-databases", {"name": "till", "engine": "sqlite", "database": str(lite)})
        self.manage("POST", "/api/v1/users", {"username": "otto", "password": "otto-password-1", "role": "tenant_admin", "tenant": "other"})
        self.other_token = self.login("otto", "otto-password-1")

    def login(self, username, password):
        status, _, text = call(self.hub.url + "/api/v1/auth/login", "POST", {"username": username, "password": password})
        assert status == 200, text
        return json.loads(text)["access_token"]

    def manage(self, method, path, body=None):
        status, _, text = call(self.hub.url + path, method, body, {"Authorization": "Bearer " + self.token})
        assert status < 300, f"{method} {path}: {status} {text}"
        return json.loads(text) if text else None

    def socket_url(self):
        return self.hub.url.replace("http://", "ws://") + "/api/v1/realtime"

    def signed_in(self, token=None, **options):
        ws = connect(self.socket_url(), **options)
        ws.send(json.dumps({"action": "auth", "token": token or self.token}))
        assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "authenticated"
        return ws


@pytest.fixture
def site(tmp_path):
    instance = Site(tmp_path)
    yield instance
    instance.hub.stop()


def subscribe(ws, topic, **extra):
    ws.send(json.dumps({"action": "subscribe", "topic": topic, **extra}))


ENDS = {"sync.job.succeeded", "sync.job.failed", "sync.job.cancelled"}


def events_until(ws, last_kinds=ENDS):
    """Event messages until one of `last_kinds` (the others, `subscribed` and the like, are returned apart)."""
    events, others = [], []
    while True:
        message = json.loads(ws.recv(timeout=RECEIVE))
        if message["type"] != "event":
            others.append(message)
            continue
        events.append(message)
        if message["event"]["kind"] in last_kinds:
            return events, others


def close_code(ws):
    """Reads until the hub closes; returns (code, reason)."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=RECEIVE)
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_the_first_message_signs_in_or_the_socket_closes_with_4401(site):
    with connect(site.socket_url()) as ws:
        ws.send(json.dumps({"action": "auth", "token": "not-a-token"}))
        code, reason = close_code(ws)
        assert code == 4401 and "token" in reason
    with connect(site.socket_url()) as ws:
        subscribe(ws, "tenant:shop")
        code, reason = close_code(ws)
        assert code == 4401 and "auth" in reason
    with site.signed_in() as ws:
        subscribe(ws, "tenant:nowhere/else")
        answer = json.loads(ws.recv(timeout=RECEIVE))
        assert answer["type"] == "error" and answer["code"] == "bad_topic" and answer["topic"] == "tenant:nowhere/else"


def test_a_stopping_hub_tells_its_clients_to_go_and_does_not_wait_for_them(site):
    import signal
    with site.signed_in() as ws:
        subscribe(ws, "tenant:shop")
        assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "subscribed"
        started = time.monotonic()
        site.hub.process.send_signal(signal.SIGTERM)
        code, reason = close_code(ws)
        assert code == 1001 and "shutting down" in reason, (code, reason)
        site.hub.process.wait(timeout=30)
        # Vapor's server waits up to 10 s for open sockets; told to go, the client closed, so it did not wait.
        assert time.monotonic() - started < 8, time.monotonic() - started


def test_a_sync_job_is_followed_live_in_order_scoped_to_its_tenant_and_replayed_at_the_seam(site):
    with site.signed_in() as watcher, site.signed_in(site.other_token) as outsider:
        subscribe(watcher, "tenant:shop/sync")
        assert json.loads(watcher.recv(timeout=RECEIVE)) == {"type": "subscribed", "topic": "tenant:shop/sync", "replayed": 0}
        subscribe(outsider, "tenant:shop")
        refused = json.loads(outsider.recv(timeout=RECEIVE))
        assert refused["type"] == "error" and refused["code"] == "forbidden" and refused["topic"] == "tenant:shop"
        subscribe(outsider, "job:" + site.remote["id"])
        assert json.loads(outsider.recv(timeout=RECEIVE))["code"] == "not_found"

        job = site.manage("POST", f"/api/v1/tenants/shop/remote-databases/{site.remote['id']}/sync", {"mode": "full"})
        live, _ = events_until(watcher)
        kinds = [m["event"]["kind"] for m in live]
        assert kinds[:2] == ["sync.job.queued", "sync.job.started"] and kinds[-1] == "sync.job.succeeded", kinds
        assert set(kinds[2:-1]) <= {"sync.job.progress"} and "sync.job.progress" in kinds, kinds
        assert all(m["event"]["data"]["job_id"] == job["job_id"] and m["topic"] == "tenant:shop/sync" for m in live)
        numbers = [m["event"]["id"] for m in live]
        assert numbers == sorted(numbers)
        assert live[-1]["event"]["data"]["local_to_cloud"] == 2000

        # The outsider heard nothing of it.
        with pytest.raises(TimeoutError):
            outsider.recv(timeout=1)

        # A client that saw only the first event catches up: the rest replayed once, then live events.
        with site.signed_in() as late:
            subscribe(late, "job:" + job["job_id"], since=numbers[0])
            replayed, others = events_until(late)
            assert [m["event"]["id"] for m in replayed] == numbers[1:]
            site.manage("POST", f"/api/v1/tenants/shop/remote-databases/{site.remote['id']}/sync", {"mode": "incremental"})
            subscribed = json.loads(late.recv(timeout=RECEIVE))
            assert subscribed == {"type": "subscribed", "topic": "job:" + job["job_id"], "replayed": len(numbers) - 1}
            following, _ = events_until(watcher)
            assert following[0]["event"]["kind"] == "sync.job.queued" and following[0]["event"]["id"] > numbers[-1]
            with pytest.raises(TimeoutError):
                late.recv(timeout=1)  # the next job is not this topic's


def log_bulk_events(site, count):
    """Writes `count` events of tenant shop (400 bytes of padding each) straight into the hub's log."""
    with sqlite3.connect(site.hub.data_dir / "berqenas.sqlite", timeout=30) as db:
        tenant_id = db.execute("SELECT id FROM tenants WHERE name = 'shop'").fetchone()[0]
        padding = "x" * 400
        db.executemany(
            "INSERT INTO event_log (tenant_id, tenant, kind, subject, message, data, occurred_at) VALUES (?, 'shop', 'api.changed', ?, 'bulk', ?, ?)",
            [(tenant_id, f"bulk:{i}", json.dumps({"api": f"a{i}", "action": "updated", "pad": padding}), time.time()) for i in range(count)])


def read_events(ws, count):
    """Reads `count` event messages; returns their numbers."""
    numbers = []
    while len(numbers) < count:
        message = json.loads(ws.recv(timeout=RECEIVE))
        assert message["type"] == "event", message
        numbers.append(message["event"]["id"])
    return numbers


def test_a_consumer_that_does_not_read_is_cut_off_while_a_fast_one_gets_everything(site):
    raw = socket.create_connection(("127.0.0.1", site.hub.port))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    with site.signed_in() as fast, site.signed_in(sock=raw, ping_interval=None) as slow:
        for ws in (fast, slow):
            subscribe(ws, "tenant:shop")
            assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "subscribed"
        count = 20000
        log_bulk_events(site, count)
        read_events(fast, count)
        # It reads again, fast: what was queued for it, then the close the hub sent when it fell behind.
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        code, reason = close_code(slow)
        assert code == 4408 and "slow" in reason
        # The hub still serves the fast one.
        subscribe(fast, "tenant:other")
        assert json.loads(fast.recv(timeout=RECEIVE))["type"] == "subscribed"

def test_a_replay_goes_at_the_pace_of_a_client_that_reads_slowly(site):
    """A replay of many more events than the slow-consumer limit (512 unwritten) to a client with a small
    receive window that pauses: the hub waits for each page to be read instead of cutting the client off."""
    count = 20000
    with site.signed_in() as fast:
        subscribe(fast, "tenant:shop")
        assert json.loads(fast.recv(timeout=RECEIVE))["type"] == "subscribed"
        log_bulk_events(site, count)
        live = read_events(fast, count)  # the feed has taken them: a session opened now replays them
    raw = socket.create_connection(("127.0.0.1", site.hub.port))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    # No keepalive pings: their answers queue behind the replay, whose pace this client sets.
    with site.signed_in(sock=raw, ping_interval=None) as reader:
        subscribe(reader, "tenant:shop", since=live[0] - 1)
        # The client stops reading for two seconds (the pause is what is tested, not a wait for something):
        # the hub's writes back up past the limit a live consumer may fall behind by.
        time.sleep(2)
        replayed = read_events(reader, count)
        assert replayed == live
        done = json.loads(reader.recv(timeout=RECEIVE))
        assert done["type"] == "subscribed" and done["replayed"] == count


def test_a_client_cannot_pile_up_messages_behind_its_own_slow_replay(site):
    """Attack: while its replay waits for it to read, a client sends message after message (each up to 16 KiB);
    the hub holds at most 32 of them, then closes the connection instead of buffering them all."""
    count = 20000
    with site.signed_in() as fast:
        subscribe(fast, "tenant:shop")
        assert json.loads(fast.recv(timeout=RECEIVE))["type"] == "subscribed"
        log_bulk_events(site, count)
        live = read_events(fast, count)
    raw = socket.create_connection(("127.0.0.1", site.hub.port))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    with site.signed_in(sock=raw, ping_interval=None) as reader:
        subscribe(reader, "tenant:shop", since=live[0] - 1)
        for _ in range(40):
            reader.send(json.dumps({"action": "unsubscribe", "topic": "x" * 15000}))
        code, reason = close_code(reader)
        assert code == 4408 and "too many messages" in reason, (code, reason)


def test_the_cli_prints_the_log_and_follows_it(site, cli):
    password = (site.hub.data_dir / "initial-admin-password").read_text().strip()
    cli("login", "--url", site.hub.url, "--username", "admin", "--password-stdin", stdin=password + "\n")
    # Following from the log's last number: whatever happens from here on is printed, however soon it happens.
    last = site.manage("GET", "/api/v1/tenants/shop/events?limit=1000")["last_id"]
    follower = subprocess.Popen([BINARY, "events", "shop", "--follow", "--after", str(last), "--kind", "sync.job.", "--json"],
                                env={**os.environ, "BERQENAS_CONFIG": str(cli.config_path)}, stdout=subprocess.PIPE, text=True)
    try:
        job = site.manage("POST", f"/api/v1/tenants/shop/remote-databases/{site.remote['id']}/sync", {"mode": "full"})
        kinds = []
        while not kinds or kinds[-1] not in ENDS:
            line = follower.stdout.readline()
            assert line, "the follower stopped"
            event = json.loads(line)
            assert event["data"]["job_id"] == job["job_id"], event
            kinds.append(event["kind"])
        assert kinds[0] == "sync.job.queued" and kinds[-1] == "sync.job.succeeded", kinds
    finally:
        follower.terminate()
        follower.wait(timeout=30)
    printed = cli("events", "shop", "--kind", "sync.job.s").stdout.splitlines()
    assert [line.split()[2] for line in printed] == ["sync.job.started", "sync.job.succeeded"], printed


def test_a_disabled_user_is_signed_out_within_seconds(site):
    site.manage("POST", "/api/v1/users", {"username": "vera", "password": "vera-password-1", "role": "tenant_viewer", "tenant": "shop"})
    users = site.manage("GET", "/api/v1/users?limit=500")["items"]
    vera = next(user for user in users if user["username"] == "vera")
    with site.signed_in(site.login("vera", "vera-password-1")) as ws:
        subscribe(ws, "tenant:shop")
        assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "subscribed"
        subscribe(ws, "platform")
        assert json.loads(ws.recv(timeout=RECEIVE))["code"] == "forbidden"
        site.manage("PATCH", f"/api/v1/users/{vera['id']}", {"disabled": True})
        started = time.monotonic()
        code, reason = close_code(ws)
        assert code == 4401 and "disabled" in reason
        assert time.monotonic() - started < 10


@pytest.mark.skipif(not os.environ.get("BERQENAS_TEST_POSTGRES_URL"), reason="needs the test PostgreSQL cluster")
def test_an_event_raised_on_one_server_reaches_a_client_of_another(tmp_path):
    admin_url = os.environ["BERQENAS_TEST_POSTGRES_URL"]
    name = "rt_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base, _, _ = admin_url.rpartition("/")
    shared = {"BERQENAS_DATABASE_URL": f"{base}/{name}", "BERQENAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Hub(tmp_path / "a" / "data", free_port(), shared)
    second = Hub(tmp_path / "b" / "data", free_port(), shared)
    first.start()
    second.start()
    try:
        password = (first.data_dir / "initial-admin-password").read_text().strip()
        status, _, text = call(first.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": password})
        token = json.loads(text)["access_token"]
        tenant = "t" + name
        assert call(first.url + "/api/v1/tenants", "POST", {"name": tenant}, {"Authorization": "Bearer " + token})[0] == 201
        with connect(second.url.replace("http://", "ws://") + "/api/v1/realtime") as ws:
            ws.send(json.dumps({"action": "auth", "token": token}))
            assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "authenticated"
            subscribe(ws, f"tenant:{tenant}")
            assert json.loads(ws.recv(timeout=RECEIVE))["type"] == "subscribed"
            status, _, text = call(first.url + f"/api/v1/tenants/{tenant}", "DELETE", None, {"Authorization": "Bearer " + token})
            assert status == 200, text
            message = json.loads(ws.recv(timeout=RECEIVE))
            assert message["type"] == "event" and message["event"]["kind"] == "tenant.suspended", message
    finally:
        first.stop()
        second.stop()
