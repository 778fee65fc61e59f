"""Alerts against real servers: aiosmtpd receives the mail for a sync job that failed because its remote
PostgreSQL was stopped mid-job (plain SMTP, then STARTTLS with a test certificate and AUTH), a local HTTP
listener receives the Slack message and a signed webhook (retried after two 500s), a rule that fires, holds
and clears sends one alert and one "resolved", and two servers on one PostgreSQL system database deliver once.
"""
import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import Hub, free_port
from test_auto_api import call

RECEIVE = 60  # seconds a message may take to arrive before the test fails (a bound, not a sleep)
ADMIN_URL = os.environ.get("BERQENAS_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not ADMIN_URL, reason="needs the test PostgreSQL cluster")


class Mailbox:
    """An aiosmtpd handler keeping each message it accepts."""

    def __init__(self):
        self.messages = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.messages.put((envelope, session))
        return "250 OK"

    def next(self):
        envelope, session = self.messages.get(timeout=RECEIVE)
        return email.message_from_bytes(envelope.original_content, policy=email.policy.default), envelope, session


class Listener:
    """A local HTTP endpoint that records each POST and answers with the next scripted status (200 when none)."""

    def __init__(self, statuses=(), port=0):
        self.requests = queue.Queue()
        self.statuses = list(statuses)
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = listener.statuses.pop(0) if listener.statuses else 200
                listener.requests.put((self.path, dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self):
        return self.requests.get(timeout=RECEIVE)

    def close(self):
        self.server.shutdown()


class Remote:
    """A PostgreSQL cluster of its own (scripts/pg-cluster.sh) with a table large enough to stop mid-sync."""

    def __init__(self):
        # Outside pytest's private temporary tree, which the cluster's `postgres` user cannot enter.
        parent = tempfile.mkdtemp(prefix="berqenas-alert-pg-")
        os.chmod(parent, 0o755)
        self.parent = parent
        self.directory = parent + "/cluster"
        directory = self.directory
        self.url = subprocess.run(["scripts/pg-cluster.sh", "start", str(directory)], check=True, capture_output=True,
                                  text=True).stdout.strip()
        self.psql("CREATE TABLE big (id bigint PRIMARY KEY, label text)")
        self.psql("INSERT INTO big SELECT g, repeat('x', 200) || g FROM generate_series(1, 100000) g")

    def psql(self, sql):
        return subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql], check=True,
                              capture_output=True, text=True).stdout.strip()

    def halt(self):
        subprocess.run(["scripts/pg-cluster.sh", "halt", str(self.directory)], check=True)

    def resume(self):
        subprocess.run(["scripts/pg-cluster.sh", "resume", str(self.directory)], check=True)

    def stop(self):
        subprocess.run(["scripts/pg-cluster.sh", "stop", str(self.directory)], check=False)
        os.rmdir(self.parent)


class Site:
    """A hub (retries after 1 s) with tenant `acme`, signed in as admin."""

    def __init__(self, tmp_path, extra_env=None, data="data"):
        env = {"BERQENAS_ALERT_RETRY_SECONDS": "1", "BERQENAS_PUBLIC_URL": "https://hub.example.test", **(extra_env or {})}
        self.hub = Hub(tmp_path / data, free_port(), env)
        self.hub.start()

    def sign_in(self, password=None):
        password = password or (self.hub.data_dir / "initial-admin-password").read_text().strip()
        status, _, text = call(self.hub.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": password})
        assert status == 200, text
        self.token = json.loads(text)["access_token"]

    def api(self, method, path, body=None, expect=None):
        status, _, text = call(self.hub.url + path, method, body, {"Authorization": "Bearer " + self.token})
        if expect is not None:
            assert status == expect, f"{method} {path}: {status} {text}"
        else:
            assert status < 300, f"{method} {path}: {status} {text}"
        return json.loads(text) if text else None

    def wait_job(self, tenant, job_id, statuses):
        deadline = time.monotonic() + RECEIVE
        while time.monotonic() < deadline:
            job = self.api("GET", f"/api/v1/tenants/{tenant}/sync-jobs/{job_id}")
            if job["status"] in statuses:
                return job
            time.sleep(0.05)  # polling the job, bounded by the deadline
        raise AssertionError(f"job {job_id} did not reach {statuses}")


def register(site, tenant, remote):
    from urllib.parse import urlparse
    parts = urlparse(remote.url)
    return site.api("POST", f"/api/v1/tenants/{tenant}/remote-databases", {
        "name": "erp", "engine": "postgresql", "host": parts.hostname, "port": parts.port,
        "database": parts.path.lstrip("/"), "username": parts.username, "password": parts.password, "tls": "disable"})


def sync(site, tenant, remote_id):
    return site.api("POST", f"/api/v1/tenants/{tenant}/remote-databases/{remote_id}/sync",
                    {"mode": "full"})["job_id"]


def make_certificate(tmp_path):
    key, cert = tmp_path / "smtp.key", tmp_path / "smtp.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return key, cert


@needs_postgres
def test_a_job_failed_by_a_stopped_remote_mails_once_holds_and_mails_resolved_through_starttls(tmp_path):
    import ssl
    key, cert = make_certificate(tmp_path)
    plain_box, tls_box = Mailbox(), Mailbox()
    plain = Controller(plain_box, hostname="127.0.0.1", port=free_port())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"alerts" and auth_data.password == b"s3cret pw"
        logins.append((mechanism, ok))
        return AuthResult(success=ok)

    secured = Controller(tls_box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                         authenticator=authenticate, auth_require_tls=True)
    plain.start()
    secured.start()
    remote = Remote()
    site = Site(tmp_path)
    try:
        site.sign_in()
        site.api("POST", "/api/v1/tenants", {"name": "acme"})
        erp = register(site, "acme", remote)
        mail = site.api("POST", "/api/v1/tenants/acme/alert-channels", {"name": "ops mail", "type": "email", "settings": {
            "host": "127.0.0.1", "port": plain.port, "tls": "none", "from": "hub@example.test", "to": ["ops@example.test"]}})
        secure_mail = site.api("POST", "/api/v1/tenants/acme/alert-channels", {"name": "ops mail tls", "type": "email", "settings": {
            "host": "localhost", "port": secured.port, "tls": "starttls", "username": "alerts", "password": "s3cret pw",
            "from": "hub@example.test", "to": ["oncall@example.test"], "ca_certificate": cert.read_text()}})
        assert "password" not in secure_mail["settings"] and secure_mail["secret_set"] is True
        site.api("POST", "/api/v1/tenants/acme/alert-rules", {
            "name": "erp sync fails", "condition": "job_failed", "remote_database_id": erp["id"],
            "channel_ids": [mail["id"], secure_mail["id"]]})

        job = sync(site, "acme", erp["id"])
        site.wait_job("acme", job, {"running"})
        remote.halt()  # the remote's PostgreSQL stops mid-job, as a crash would
        failed = site.wait_job("acme", job, {"failed", "succeeded"})
        assert failed["status"] == "failed", failed

        received = {}
        for box in (plain_box, tls_box):
            message, envelope, session = box.next()
            received[envelope.rcpt_tos[0]] = (message, session)
        message, _ = received["ops@example.test"]
        assert message["Subject"].startswith("[Berqenas] sync job failed on 'erp' (acme)"), message["Subject"]
        text = message.get_body(("plain",)).get_content()
        assert job in text and failed["error"]["code"] in text, text
        assert f"https://hub.example.test/#/tenants/acme/jobs/{job}" in text
        assert message["Message-ID"] and message["Date"]
        html = message.get_body(("html",)).get_content()
        assert job in html
        tls_message, tls_session = received["oncall@example.test"]
        assert tls_session.ssl is not None and ("PLAIN", True) in logins, logins
        assert job in tls_message.get_body(("plain",)).get_content()

        # Holding: while the remote is down the rule is looked at again (each event wakes it: the job's end,
        # the remote marked unreachable, the next job queued and started) and sends nothing new.
        # Clearing: the remote is back, a job succeeds, and one "resolved" goes to each channel.
        remote.resume()
        third = sync(site, "acme", erp["id"])
        assert site.wait_job("acme", third, {"failed", "succeeded"})["status"] == "succeeded"
        for box in (plain_box, tls_box):
            resolved, _, _ = box.next()
            assert resolved["Subject"].startswith("[Berqenas] Resolved: sync job failed on 'erp'"), resolved["Subject"]
        assert plain_box.messages.empty() and tls_box.messages.empty()
        deliveries = site.api("GET", "/api/v1/tenants/acme/alert-deliveries")
        assert sorted((d["kind"], d["status"]) for d in deliveries) == [("firing", "delivered")] * 2 + [("resolved", "delivered")] * 2
        assert site.api("GET", "/api/v1/tenants/acme/alert-rules")[0]["firing"] == []
    finally:
        site.hub.stop()
        remote.stop()
        plain.stop()
        secured.stop()


def test_a_non_ascii_subject_decodes_back_exactly_and_a_test_message_reports_its_outcome(tmp_path):
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    site = Site(tmp_path)
    try:
        site.sign_in()
        tenant = "tienda"
        site.api("POST", "/api/v1/tenants", {"name": tenant})
        name = "Überwachung — 東京 ✓ " + "ü" * 40
        channel = site.api("POST", f"/api/v1/tenants/{tenant}/alert-channels", {"name": name, "type": "email", "settings": {
            "host": "127.0.0.1", "port": smtp.port, "tls": "none", "from": "hub@example.test", "to": ["a@example.test"]}})
        delivery = site.api("POST", f"/api/v1/tenants/{tenant}/alert-channels/{channel['id']}/test")
        assert delivery["status"] == "delivered" and delivery["attempts"] == 1, delivery
        message, _, _ = box.next()
        assert message["Subject"] == f"[Berqenas] Test: alert channel '{name}' works"
        raw = message.as_bytes().decode("ascii")  # every header went out as ASCII (RFC 2047 words)
        assert all(len(line) <= 78 for line in raw.split("\n") if line.startswith(("Subject:", " =?UTF-8")))
        # A channel whose server is gone says so at once, with a stable code on the delivery.
        smtp.stop()
        failed = site.api("POST", f"/api/v1/tenants/{tenant}/alert-channels/{channel['id']}/test")
        assert failed["status"] == "failed" and "could not connect" in failed["last_error"], failed
    finally:
        site.hub.stop()


def test_slack_gets_blocks_and_a_webhook_is_signed_and_retried_after_two_500s(tmp_path):
    slack = Listener()
    hook = Listener(statuses=[500, 500])
    site = Site(tmp_path)
    try:
        site.sign_in()
        site.api("POST", "/api/v1/tenants", {"name": "acme"})
        secret = "whsec-" + uuid.uuid4().hex
        slack_channel = site.api("POST", "/api/v1/tenants/acme/alert-channels", {
            "name": "slack", "type": "slack", "settings": {"webhook_url": slack.url + "/services/T0/B0/XYZ"}})
        assert "webhook_url" not in slack_channel["settings"]
        hook_channel = site.api("POST", "/api/v1/tenants/acme/alert-channels", {
            "name": "hook", "type": "webhook", "settings": {"url": hook.url + "/berqenas", "secret": secret}})
        assert "secret" not in hook_channel["settings"] and hook_channel["settings"]["url"] == hook.url + "/berqenas"
        assert site.api("POST", f"/api/v1/tenants/acme/alert-channels/{slack_channel['id']}/test")["status"] == "delivered"
        path, headers, body, _ = slack.next()
        assert path == "/services/T0/B0/XYZ" and headers["Content-Type"] == "application/json"
        payload = json.loads(body)
        assert payload["text"].startswith("Test: alert channel 'slack' works")
        assert [block["type"] for block in payload["blocks"]][:2] == ["header", "section"]
        assert any(block["type"] == "actions" for block in payload["blocks"])

        bad = site.api("POST", "/api/v1/tenants/acme/alert-rules", {
            "name": "x", "condition": "conflicts_open_over", "threshold": -1, "channel_ids": [hook_channel["id"]]}, expect=422)
        assert bad["error"]["details"]["field"] == "threshold"
        # A remote database nobody answers for (its registration's test failed) and a rule that fires at once.
        gone = site.api("POST", "/api/v1/tenants/acme/remote-databases", {
            "name": "gone", "engine": "postgresql", "host": "127.0.0.1", "port": free_port(), "database": "nothing",
            "username": "u", "password": "p", "tls": "disable"})
        site.api("POST", "/api/v1/tenants/acme/alert-rules", {
            "name": "gone unreachable", "condition": "remote_unreachable_for", "threshold": 0,
            "channel_ids": [hook_channel["id"], slack_channel["id"]]})

        attempts = [hook.next() for _ in range(3)]
        assert [status for *_, status in attempts] == [500, 500, 200]
        for path, headers, body, _ in attempts:
            timestamp, signature = (part.split("=", 1)[1] for part in headers["X-Berqenas-Signature"].split(","))
            expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(signature, expected)
            assert abs(int(timestamp) - time.time()) < 120
        event = json.loads(attempts[-1][2])
        assert event["type"] == "alert.firing" and event["details"]["remote_database_id"] == gone["id"] and event["tenant"] == "acme"
        assert attempts[-1][1]["X-Berqenas-Delivery"] == event["id"]
        _, _, slack_body, _ = slack.next()
        assert json.loads(slack_body)["text"].startswith("remote database 'gone' unreachable (acme)")

        deadline = time.monotonic() + RECEIVE
        while True:
            deliveries = {d["channel_id"]: d for d in site.api("GET", "/api/v1/tenants/acme/alert-deliveries") if d["kind"] == "firing"}
            hook_delivery = deliveries.get(hook_channel["id"])
            if hook_delivery and hook_delivery["status"] == "delivered":
                break
            assert time.monotonic() < deadline, deliveries
            time.sleep(0.05)  # polling the delivery's record, bounded by the deadline
        assert hook_delivery["attempts"] == 3 and "500" in hook_delivery["last_error"], hook_delivery
    finally:
        site.hub.stop()
        slack.close()
        hook.close()


def test_a_pending_delivery_survives_a_restart_and_goes_out_once(tmp_path):
    port = free_port()
    site = Site(tmp_path)
    hook = None
    try:
        site.sign_in()
        site.api("POST", "/api/v1/tenants", {"name": "acme"})
        channel = site.api("POST", "/api/v1/tenants/acme/alert-channels", {
            "name": "hook", "type": "webhook", "settings": {"url": f"http://127.0.0.1:{port}/x", "secret": "s" * 24}})
        site.api("POST", "/api/v1/tenants/acme/remote-databases", {
            "name": "gone", "engine": "postgresql", "host": "127.0.0.1", "port": free_port(), "database": "nothing",
            "username": "u", "password": "p", "tls": "disable"})
        site.api("POST", "/api/v1/tenants/acme/alert-rules", {
            "name": "gone", "condition": "remote_unreachable_for", "threshold": 0, "channel_ids": [channel["id"]]})
        deadline = time.monotonic() + RECEIVE
        while True:  # the endpoint is down: the first attempt fails and the delivery waits for its retry
            deliveries = site.api("GET", "/api/v1/tenants/acme/alert-deliveries")
            if deliveries and deliveries[0]["attempts"] >= 1:
                break
            assert time.monotonic() < deadline, deliveries
            time.sleep(0.05)  # polling the delivery's record, bounded by the deadline
        assert deliveries[0]["status"] == "pending" and "could not reach" in deliveries[0]["last_error"], deliveries
        site.hub.stop()
        hook = Listener(port=port)
        site.hub.start()
        _, headers, body, _ = hook.next()
        assert headers["X-Berqenas-Delivery"] == deliveries[0]["id"] and json.loads(body)["type"] == "alert.firing"
        deadline = time.monotonic() + RECEIVE
        while True:
            after = site.api("GET", "/api/v1/tenants/acme/alert-deliveries")
            if after[0]["status"] == "delivered":
                break
            assert time.monotonic() < deadline, after
            time.sleep(0.05)  # polling the delivery's record, bounded by the deadline
        assert len(after) == 1 and after[0]["attempts"] >= 2 and hook.requests.empty(), after
    finally:
        site.hub.stop()
        if hook:
            hook.close()


def test_a_tenant_channel_may_not_reach_the_hub_itself_and_another_tenant_cannot_touch_it(tmp_path):
    site = Site(tmp_path, extra_env={"BERQENAS_REMOTE_ALLOW": ""})
    try:
        site.sign_in()
        site.api("POST", "/api/v1/tenants", {"name": "acme"})
        site.api("POST", "/api/v1/tenants", {"name": "evil"})
        site.api("POST", "/api/v1/users", {"username": "mallory", "password": "mallory-password-1", "role": "tenant_admin", "tenant": "evil"})
        # The attack: a tenant admin points a webhook at the hub's own loopback API (or a metadata service).
        status, _, text = call(site.hub.url + "/api/v1/auth/login", "POST", {"username": "mallory", "password": "mallory-password-1"})
        mallory = json.loads(text)["access_token"]
        headers = {"Authorization": "Bearer " + mallory}
        status, _, text = call(site.hub.url + "/api/v1/tenants/evil/alert-channels", "POST", {
            "name": "probe", "type": "webhook", "settings": {"url": site.hub.url + "/api/v1/tenants", "secret": "s" * 20}}, headers)
        assert status == 201, text
        channel = json.loads(text)
        status, _, text = call(site.hub.url + f"/api/v1/tenants/evil/alert-channels/{channel['id']}/test", "POST", None, headers)
        delivery = json.loads(text)
        assert delivery["status"] == "failed" and "denied by policy" in delivery["last_error"], delivery
        # Another tenant's channels and the platform's are out of reach.
        admin_channel = site.api("POST", "/api/v1/tenants/acme/alert-channels", {
            "name": "acme hook", "type": "webhook", "settings": {"url": "https://hooks.example.test/x", "secret": "t" * 20}})
        for method, path in [("GET", "/api/v1/tenants/acme/alert-channels"), ("GET", f"/api/v1/tenants/acme/alert-channels/{admin_channel['id']}"),
                             ("GET", f"/api/v1/tenants/evil/alert-channels/{admin_channel['id']}"),
                             ("POST", f"/api/v1/tenants/evil/alert-channels/{admin_channel['id']}/test"),
                             ("GET", "/api/v1/alert-channels"), ("POST", "/api/v1/alert-rules"), ("GET", "/api/v1/alert-deliveries")]:
            status, _, _ = call(site.hub.url + path, method, {} if method == "POST" else None, headers)
            assert status in (403, 404), (method, path, status)
        # A secret never comes back, not even to an admin.
        listed = site.api("GET", "/api/v1/tenants/acme/alert-channels")
        assert "t" * 20 not in json.dumps(listed)
    finally:
        site.hub.stop()


@needs_postgres
def test_two_servers_on_one_system_database_deliver_each_alert_once(tmp_path):
    name = "al_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", ADMIN_URL, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base, _, _ = ADMIN_URL.rpartition("/")
    shared = {"BERQENAS_DATABASE_URL": f"{base}/{name}", "BERQENAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    hook = Listener()
    first = Site(tmp_path / "a", shared)
    second = Site(tmp_path / "b", shared)
    try:
        first.sign_in()
        second.token = first.token
        tenant = "t" + name
        first.api("POST", "/api/v1/tenants", {"name": tenant})
        channel = first.api("POST", f"/api/v1/tenants/{tenant}/alert-channels", {
            "name": "hook", "type": "webhook", "settings": {"url": hook.url + "/x", "secret": "s" * 32}})
        gone = first.api("POST", f"/api/v1/tenants/{tenant}/remote-databases", {
            "name": "gone", "engine": "postgresql", "host": "127.0.0.1", "port": free_port(), "database": "nothing",
            "username": "u", "password": "p", "tls": "disable"})
        first.api("POST", f"/api/v1/tenants/{tenant}/alert-rules", {
            "name": "r", "condition": "remote_unreachable_for", "threshold": 0, "channel_ids": [channel["id"]]})
        _, _, body, _ = hook.next()
        assert json.loads(body)["type"] == "alert.firing"
        # Clearing it through the other server: the remote is deleted, the condition no longer holds.
        second.api("DELETE", f"/api/v1/tenants/{tenant}/remote-databases/{gone['id']}")
        _, _, body, _ = hook.next()
        assert json.loads(body)["type"] == "alert.resolved", body
        deadline = time.monotonic() + RECEIVE
        while True:
            deliveries = second.api("GET", f"/api/v1/tenants/{tenant}/alert-deliveries")
            if all(d["status"] == "delivered" for d in deliveries):
                break
            assert time.monotonic() < deadline, deliveries
            time.sleep(0.05)  # polling the deliveries' records, bounded by the deadline
        assert sorted(d["kind"] for d in deliveries) == ["firing", "resolved"], deliveries
        assert all(d["attempts"] == 1 for d in deliveries), deliveries
        assert hook.requests.empty()
    finally:
        first.hub.stop()
        second.hub.stop()
        hook.close()
