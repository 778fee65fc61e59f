"""The web panel in a real headless Chromium, against `berqenas serve` on a PostgreSQL system database, with a
second PostgreSQL cluster as a store's remote database: an operator's day, a viewer's read-only view, and
every screen checked for accessibility, console errors and a 375 px width."""
import base64
import json
import os
import secrets
import subprocess
import tempfile
import urllib.parse
import urllib.request

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By

from conftest import Hub, free_port
from panel_browser import Panel, start_chromium

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_URL = os.environ.get("BERQENAS_TEST_POSTGRES_URL")
ADMIN_PASSWORD = "panel-admin-password-1"

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="needs the cluster from scripts/test.sh")


def psql(url, sql):
    result = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def with_database(url, name):
    parts = urllib.parse.urlparse(url)
    return urllib.parse.urlunparse(parts._replace(path="/" + name))


@pytest.fixture(scope="module")
def site_cluster():
    """A second PostgreSQL cluster: a store's own server, with its orders. (Under /tmp itself: the cluster runs
    as `postgres`, which cannot enter pytest's private directories.)"""
    directory = tempfile.mkdtemp(prefix="berqenas-site-pg.")
    url = subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "start", directory], check=True,
                         capture_output=True, text=True).stdout.strip()
    psql(url, "CREATE DATABASE store")
    store = with_database(url, "store")
    psql(store, "CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, qty int NOT NULL)")
    psql(store, "INSERT INTO orders SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 500) g")
    yield store
    subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "stop", directory], check=True)


@pytest.fixture(scope="module")
def panel_hub(tmp_path_factory):
    """A hub on a PostgreSQL system database of the test cluster."""
    name = "panel_" + secrets.token_hex(4)
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    data = tmp_path_factory.mktemp("panel-hub") / "data"
    hub = Hub(data, free_port(), extra_env={
        "BERQENAS_DATABASE_URL": with_database(ADMIN_URL, name),
        "BERQENAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "BERQENAS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "BERQENAS_VPN_BACKEND": "none",
        "BERQENAS_ACCESS_TOKEN_TTL": "120",
    })
    hub.start()
    hub.system_url = with_database(ADMIN_URL, name)
    yield hub
    hub.stop()
    psql(ADMIN_URL, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def panel(panel_hub):
    driver = start_chromium()
    yield Panel(driver, panel_hub.url)
    driver.quit()


def call(hub, method, path, token=None, body=None):
    request = urllib.request.Request(hub.url + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def admin_token(hub):
    status, body = call(hub, "POST", "/api/v1/auth/login", body={"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 200, body
    return body["access_token"]


def sign_in(panel, username="admin", password=ADMIN_PASSWORD):
    panel.sign_in(username, password)


def table_rows(url, table):
    return psql(url, f"SELECT coalesce(string_agg(id || '|' || item || '|' || qty, ',' ORDER BY id), '') FROM {table}")


def test_an_operator_wires_a_store_syncs_it_settles_a_conflict_and_signs_out(panel, panel_hub, site_cluster):
    tenant = "shop" + secrets.token_hex(3)
    cloud_orders = f"tenant_{tenant}.orders"
    site_port = urllib.parse.urlparse(site_cluster).port
    site_password = urllib.parse.urlparse(site_cluster).password

    with panel.step("sign in"):
        sign_in(panel)
        assert panel.heading() == "Dashboard"
        panel.text_appears("Sync jobs, 24 h")

    with panel.step("create a tenant"):
        panel.go("/tenants")
        panel.fill("Name", tenant, "Create tenant")
        panel.click("Create tenant", panel.scope("Create tenant"))
        panel.wait(lambda d: d.find_elements(By.XPATH, f"//main//a[normalize-space()='{tenant}']"), message="tenant not listed")

    with panel.step("register the store with a wrong password first"):
        panel.go(f"/tenants/{tenant}/remote-databases")
        form = "Register a remote database"
        panel.fill("Name", "store-1", form)
        panel.fill("Host", "127.0.0.1", form)
        panel.fill("Port", site_port, form)
        panel.fill("Database", "store", form)
        panel.fill("Username", "postgres", form)
        panel.fill("Password", "not-the-password", form)
        panel.fill("TLS", "disable", form)
        panel.allowed_console.append("status of 422")
        panel.click("Register and test", panel.scope(form))
        error = panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, '.field.invalid input[name="password"]'),
                           message="the wrong password was not shown at the password field")
        message = error.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".field-error").text
        assert "auth_failed" in message, message
        panel.console_errors()
        panel.allowed_console.clear()

    with panel.step("fix the password and register"):
        panel.fill("Password", site_password, form)
        panel.click("Register and test", panel.scope(form))
        panel.wait(lambda d: "/remote-databases/" in d.current_url and d.find_elements(By.XPATH, "//main//h2[contains(., 'store-1')]"),
                   message="did not open the registered store")
        panel.settled()
        panel.text_appears("Reachable", scope="main")

    with panel.step("a full sync reaches 100 % and shows in the history"):
        panel.fill("Mode", "full", "Sync now")
        panel.click("Sync now", panel.scope("Sync now"))
        progress = panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, '.current-job .job-progress[data-status="succeeded"]'), 120,
                              "the job did not succeed")
        assert progress.find_element(By.CSS_SELECTOR, "progress").get_attribute("value") == "100"
        panel.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'main [data-status="succeeded"]') and "full" in d.find_element(By.XPATH, "//section[h2[normalize-space()='History']]").text,
                   message="the history does not show the job")
        assert table_rows(site_cluster, "orders") == table_rows(panel_hub.system_url, cloud_orders)

    with panel.step("a row changed on both sides is parked as a conflict"):
        psql(site_cluster, "UPDATE orders SET qty = 41, item = 'site edit' WHERE id = 7")
        psql(panel_hub.system_url, f"UPDATE {cloud_orders} SET qty = 42 WHERE id = 7")
        panel.fill("Mode", "bidirectional", "Sync now")
        panel.fill("When a row changed on both sides", "manual", "Sync now")
        panel.click("Sync now", panel.scope("Sync now"))
        panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, '.current-job .job-progress[data-status="succeeded"]'), 120,
                   "the bidirectional job did not succeed")

    with panel.step("the conflict is shown side by side and resolved for the site"):
        panel.go(f"/tenants/{tenant}/conflicts")
        card = panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, "article.conflict"), message="no conflict shown")
        marked = [m.text for m in card.find_elements(By.CSS_SELECTOR, "td.changed mark")]
        assert "41" in marked and "42" in marked and "site edit" in marked, marked
        panel.click("Keep site", card)
        panel.text_appears("No open conflicts", scope="main")
        assert psql(panel_hub.system_url, f"SELECT item || '|' || qty FROM {cloud_orders} WHERE id = 7") == "site edit|41"
        assert table_rows(site_cluster, "orders") == table_rows(panel_hub.system_url, cloud_orders)

    with panel.step("a schedule shows its next five runs"):
        panel.go(f"/tenants/{tenant}/schedules")
        panel.fill("Runs", "cron", "Set schedule")
        panel.wait(lambda d: d.find_elements(By.XPATH, "//form[@aria-label='Set schedule']//label[normalize-space()='Cron expression']"),
                   message="no cron field")
        panel.fill("Cron expression", "*/10 * * * *", "Set schedule")
        panel.click("Set schedule", panel.scope("Set schedule"))
        panel.wait(lambda d: any(len(runs.find_elements(By.TAG_NAME, "li")) == 5 for runs in d.find_elements(By.CSS_SELECTOR, "main .card .next-runs")),
                   message="no five next runs")
        token = admin_token(panel_hub)
        status, remotes = call(panel_hub, "GET", f"/api/v1/tenants/{tenant}/remote-databases", token)
        status, schedule = call(panel_hub, "GET", f"/api/v1/tenants/{tenant}/remote-databases/{remotes[0]['id']}/schedule", token)
        assert status == 200 and schedule["cron"] == "*/10 * * * *", schedule

    with panel.step("an API with a key, its docs and a try-it request"):
        panel.go(f"/tenants/{tenant}/apis")
        panel.fill("Name", "shop", "Create API")
        panel.fill("All tables and views of the source", True, "Create API")
        panel.click("Create API", panel.scope("Create API"))
        panel.link("shop").click()
        panel.settled()
        panel.fill("Key name", "till", "Create key")
        panel.click("Create key", panel.scope("Create key"))
        dialog = panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the new key was not shown")
        key = dialog.find_element(By.CSS_SELECTOR, "input[readonly]").get_attribute("value")
        assert len(key) > 20
        panel.click("Close", dialog)
        panel.fill("Table", "orders", "Try it")
        panel.click("Send", panel.scope("Try it"))
        answer = panel.wait(lambda d: d.find_element(By.XPATH, "//section[.//form[@aria-label='Try it']]//dl[contains(., 'Time')]"),
                            message="no answer to try it")
        assert f"/rest/v1/{tenant}/shop/orders" in answer.text and "200" in answer.text, answer.text
        body = panel.driver.find_element(By.CSS_SELECTOR, 'pre[aria-label="Response body"]').text
        assert '"item"' in body, body[:200]

    with panel.step("the VPN is enabled and a new peer's QR code shown"):
        panel.go(f"/tenants/{tenant}/vpn")
        panel.click("Enable VPN")
        panel.fill("Name", "till-9", "Add peer")
        panel.click("Add peer", panel.scope("Add peer"))
        dialog = panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, "dialog[open]"), message="no new peer dialog")
        panel.click("Show QR code", dialog)
        panel.wait(lambda d: d.execute_script(
            "const i = document.querySelector('dialog[open] img.qr'); return i && i.complete && i.naturalWidth > 0"),
            message="the QR code did not load")
        panel.click("Close", dialog)

    with panel.step("the job's page has its per-table figures"):
        panel.go(f"/tenants/{tenant}/remote-databases")
        panel.link("store-1").click()
        panel.settled()
        panel.wait(lambda d: d.find_elements(By.XPATH, "//section[h2[normalize-space()='History']]//a"), message="no history")
        panel.driver.find_element(By.XPATH, "(//section[h2[normalize-space()='History']]//a)[last()]").click()
        panel.settled()
        assert panel.heading() == "Sync job"
        panel.text_appears("public.orders", scope="main")
        assert panel.buttons("Roll back"), "a succeeded job can be rolled back"
        if os.environ.get("BERQENAS_PANEL_SCREENSHOTS"):
            panel.driver.execute_script("document.querySelectorAll('.toast').forEach((t) => t.remove())")
            panel.driver.save_screenshot(os.path.join(os.environ["BERQENAS_PANEL_SCREENSHOTS"], "panel-job.png"))

    with panel.step("sign out, and a reload stays signed out"):
        panel.click("Sign out")
        panel.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]'), message="not signed out")
        panel.driver.refresh()
        panel.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]'), message="a reload signed back in")
        assert panel.console_errors() == []


def wait_for_job(hub, token, tenant, job_id):
    for _ in range(600):
        status, job = call(hub, "GET", f"/api/v1/tenants/{tenant}/sync-jobs/{job_id}", token)
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        subprocess.run(["sleep", "0.2"])  # polling a job's state through the API, bounded by the loop
    raise AssertionError("the job did not end")


@pytest.fixture(scope="module")
def furnished(panel_hub, site_cluster):
    """A tenant with something on every screen, made through the API: a VPN and a peer, a registered store
    synced once, a schedule, an API with a key, an alert channel and rule, and a viewer."""
    token = admin_token(panel_hub)
    tenant = "deli" + secrets.token_hex(3)
    site = urllib.parse.urlparse(site_cluster)

    def ok(status_body, *expected):
        status, body = status_body
        assert status in (expected or (200, 201, 202)), body
        return body

    ok(call(panel_hub, "POST", "/api/v1/tenants", token, {"name": tenant}))
    ok(call(panel_hub, "PUT", f"/api/v1/tenants/{tenant}/vpn", token, {"enabled": True}))
    peer = ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/vpn/peers", token, {"name": "till-1"}))
    remote = ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/remote-databases", token, {
        "name": "store-2", "engine": "postgresql", "host": "127.0.0.1", "port": site.port, "database": "store",
        "username": "postgres", "password": site.password, "tls": "disable", "target_prefix": "s2_"}))
    job = ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/remote-databases/{remote['id']}/sync", token, {"mode": "full"}))
    assert wait_for_job(panel_hub, token, tenant, job["job_id"])["status"] == "succeeded"
    ok(call(panel_hub, "PUT", f"/api/v1/tenants/{tenant}/remote-databases/{remote['id']}/schedule", token,
            {"cron": "*/15 * * * *", "mode": "incremental"}))
    ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/apis", token, {"name": "shop", "source": {"kind": "remote_database", "id": remote["id"]}, "tables": ["*"], "auth": "api_key"}))
    channel = ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/alert-channels", token, {
        "name": "ops hook", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/hook", "secret": "a-signing-secret-of-32-chars-xx"}}))
    ok(call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/alert-rules", token, {
        "name": "sync fails", "condition": "job_failed", "channel_ids": [channel["id"]]}))
    ok(call(panel_hub, "POST", "/api/v1/users", token, {
        "username": f"viewer_{tenant}", "password": "viewer-password-1", "role": "tenant_viewer", "tenant": tenant}))
    return {"tenant": tenant, "peer": peer["id"], "remote": remote["id"],
            "job": job["job_id"], "viewer": f"viewer_{tenant}"}


def screens(furnished):
    t = furnished["tenant"]
    return ["/", "/tenants", f"/tenants/{t}", f"/tenants/{t}/vpn", f"/tenants/{t}/vpn/peers/{furnished['peer']}",
            f"/tenants/{t}/publications", f"/tenants/{t}/remote-databases",
            f"/tenants/{t}/remote-databases/{furnished['remote']}", f"/tenants/{t}/remote-databases/{furnished['remote']}/conflicts",
            f"/tenants/{t}/jobs/{furnished['job']}", f"/tenants/{t}/conflicts", f"/tenants/{t}/schedules",
            f"/tenants/{t}/apis", f"/tenants/{t}/apis/shop", f"/tenants/{t}/alerts", f"/tenants/{t}/events",
            f"/tenants/{t}/users", "/alerts", "/events", "/users", "/audit", "/account"]


def test_every_screen_is_accessible_in_both_themes_fits_375_px_and_logs_no_error(panel, furnished):
    sign_in(panel)
    problems = []
    for path in screens(furnished):
        with panel.step("screen " + path.replace("/", "_")):
            panel.driver.set_window_size(1280, 900)
            panel.go(path)
            # Both themes: the panel follows the system's, and contrast is checked in each.
            for scheme in ("light", "dark"):
                panel.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
                axe = Axe(panel.driver)
                axe.inject()
                results = axe.run(options={"resultTypes": ["violations"]})
                for violation in results["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        shown = [node["html"][:160] for node in violation["nodes"][:2]]
                        problems.append(f"{path} ({scheme}): {violation['id']} ({violation['impact']}) at {shown}")
            panel.driver.set_window_size(375, 812)
            panel.settled()
            if not panel.fits():
                wide = panel.driver.execute_script(
                    "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
                    ".slice(0, 3).map(e => e.tagName + '.' + e.className)")
                problems.append(f"{path}: scrolls sideways at 375 px ({wide})")
            problems += [f"{path}: console: {error}" for error in panel.console_errors()]
    if os.environ.get("BERQENAS_PANEL_SCREENSHOTS"):
        panel.driver.set_window_size(1280, 900)
        panel.go("/")
        panel.driver.save_screenshot(os.path.join(os.environ["BERQENAS_PANEL_SCREENSHOTS"], "panel-dashboard.png"))
    assert problems == [], "\n".join(problems)


def test_a_viewer_sees_the_tenant_read_only_and_the_api_refuses_writes(panel, panel_hub, furnished):
    tenant = furnished["tenant"]
    sign_in(panel, furnished["viewer"], "viewer-password-1")
    for path, writes in [
        (f"/tenants/{tenant}", ["Save changes"]),
        (f"/tenants/{tenant}/remote-databases/{furnished['remote']}", ["Sync now", "Test connection", "Unregister", "Save continuous sync"]),
        (f"/tenants/{tenant}/remote-databases", ["Register and test"]),
        (f"/tenants/{tenant}/jobs/{furnished['job']}", ["Roll back", "Cancel job"]),
        (f"/tenants/{tenant}/vpn", ["Add peer", "Revoke", "Disable VPN", "Check port"]),
        (f"/tenants/{tenant}/vpn/peers/{furnished['peer']}", ["Revoke", "Download config", "Show QR code", "Check port"]),
        (f"/tenants/{tenant}/publications", ["Add publication", "Remove", "Edit networks"]),
        (f"/tenants/{tenant}/schedules", ["Set schedule", "Edit schedule", "Remove schedule"]),
        (f"/tenants/{tenant}/apis", ["Create API", "Delete API", "Refresh schema"]),
        (f"/tenants/{tenant}/apis/shop", ["Create key", "Revoke", "Save changes", "Delete API"]),
        (f"/tenants/{tenant}/alerts", ["Add channel", "Add rule", "Send test", "Remove"]),
        (f"/tenants/{tenant}/users", ["Create user", "Delete"]),
    ]:
        panel.go(path)
        panel.text_appears(tenant, scope="main")
        shown = [text for text in writes if panel.buttons(text)]
        assert shown == [], f"{path} shows {shown} to a viewer"
    status, viewer = call(panel_hub, "POST", "/api/v1/auth/login", body={"username": furnished["viewer"], "password": "viewer-password-1"})
    forced, body = call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/remote-databases/{furnished['remote']}/sync",
                        viewer["access_token"], {"mode": "full"})
    assert forced == 403, body
    assert panel.console_errors() == []


def test_live_events_reach_the_open_dashboard_without_a_reload(panel, panel_hub, furnished):
    sign_in(panel)
    panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".live-status").get_attribute("data-status") == "live",
               message="the realtime socket did not go live")
    token = admin_token(panel_hub)
    tenant = furnished["tenant"]
    status, job = call(panel_hub, "POST", f"/api/v1/tenants/{tenant}/remote-databases/{furnished['remote']}/sync", token,
                       {"mode": "incremental"})
    assert status == 202, job
    wait_for_job(panel_hub, token, tenant, job["job_id"])
    # The feed shows the job's events as they came, and the figures were read again: no reload happened.
    panel.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '.event-feed [data-kind="sync.job.succeeded"]'), 30,
               "the job's end did not reach the open dashboard")
    assert panel.driver.execute_script("return performance.getEntriesByType('navigation').length") == 1
    assert panel.console_errors() == []


def test_the_session_refreshes_silently_and_an_ended_one_returns_to_the_same_page(tmp_path):
    """Access tokens of 30 s: the panel refreshes before expiry and stays signed in; once every session of the
    user is revoked elsewhere, the next refresh fails, the sign-in screen shows, and signing in again returns
    to the page that was open. (Embedded SQLite system database: the README's default.)"""
    hub = Hub(tmp_path / "data", free_port(), extra_env={
        "BERQENAS_ADMIN_PASSWORD": ADMIN_PASSWORD, "BERQENAS_VPN_BACKEND": "none", "BERQENAS_ACCESS_TOKEN_TTL": "30"})
    hub.start()
    driver = start_chromium()
    panel = Panel(driver, hub.url)
    try:
        with panel.step("sign in and open the users page"):
            sign_in(panel)
            panel.go("/users")
            assert panel.heading() == "Users"
        with panel.step("a silent refresh before the token expires"):
            refreshes = "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/v1/auth/refresh')).length"
            panel.wait(lambda d: d.execute_script(refreshes) >= 1, 40, "no refresh within the token's lifetime")
            panel.go("/audit")
            panel.go("/users")
            assert panel.heading() == "Users" and not driver.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]')
        with panel.step("every session revoked elsewhere: back to sign-in, then to the same page"):
            status, _ = call(hub, "POST", "/api/v1/auth/logout", admin_token(hub), {"everywhere": True})
            assert status == 204
            panel.allowed_console.append("status of 401")
            panel.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]'), 45,
                       "the ended session did not return to sign-in")
            assert "next=%2Fusers" in driver.current_url or "next=/users" in driver.current_url, driver.current_url
            panel.fill("Username", "admin", "Sign in")
            panel.fill("Password", ADMIN_PASSWORD, "Sign in")
            panel.click("Sign in", panel.scope("Sign in"))
            panel.wait(lambda d: d.current_url.endswith("#/users"), message="signing in again did not return to the page")
            panel.settled()
            assert panel.heading() == "Users"
            assert panel.console_errors() == []
    finally:
        driver.quit()
        hub.stop()
