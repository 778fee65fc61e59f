"""The real binary end to end: the embedded default, the CLI, restarts and graceful stops."""
import base64
import json
import os
import sqlite3
import stat
import subprocess
import urllib.request

from conftest import BINARY, Hub, free_port


def admin_password(hub):
    return (hub.data_dir / "initial-admin-password").read_text().strip()


def login(cli, hub):
    return cli("login", "--url", hub.url, "--username", "admin", "--password-stdin", stdin=admin_password(hub) + "\n")


def test_serves_health_on_the_embedded_default_and_writes_private_files(hub):
    with urllib.request.urlopen(hub.url + "/health") as response:
        health = json.load(response)
    assert health["status"] == "ok" and health["database"] == "sqlite" and health["version"]
    for name in ("initial-admin-password", "master.key"):
        mode = stat.S_IMODE(os.stat(hub.data_dir / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert (hub.data_dir / "berqenas.sqlite").exists()
    log = hub.log()
    assert str(hub.data_dir / "initial-admin-password") in log
    assert admin_password(hub) not in log


def test_cli_login_stores_a_private_session_and_manages_tenants(hub, cli):
    out = login(cli, hub)
    assert "logged in" in out.stdout
    assert stat.S_IMODE(os.stat(cli.config_path).st_mode) == 0o600

    created = json.loads(cli("tenant", "create", "acme", "--display-name", "Acme Retail", "--json").stdout)
    assert created["name"] == "acme" and created["status"] == "active"
    table = cli("tenant", "list").stdout
    assert "NAME" in table.splitlines()[0] and "acme" in table and "Acme Retail" in table

    listed = json.loads(cli("tenant", "list", "--json").stdout)
    assert listed["total"] == 1

    session = json.loads(cli.config_path.read_text())
    request = urllib.request.Request(hub.url + "/api/v1/audit?action=tenants.create",
                                     headers={"Authorization": "Bearer " + session["access_token"]})
    with urllib.request.urlopen(request) as response:
        entries = json.load(response)["items"]
    assert [(e["actor"], e["tenant"], e["outcome"], e["client_address"]) for e in entries] == [
        ("admin", "acme", "success", "127.0.0.1")]

    duplicate = cli("tenant", "create", "acme", check=False)
    assert duplicate.returncode != 0
    assert "tenant_exists" in duplicate.stderr

    bad = cli("tenant", "create", "Bad-Name", check=False)
    assert bad.returncode != 0 and "name:" in bad.stderr

    cli("user", "create", "ada", "--role", "tenant_admin", "--tenant", "acme", stdin="long-password-1\n")
    users = json.loads(cli("user", "list", "--json").stdout)
    assert {u["username"] for u in users["items"]} == {"admin", "ada"}

    suspended = json.loads(cli("tenant", "delete", "acme", "--json").stdout)
    assert suspended["status"] == "suspended"
    cli("tenant", "delete", "acme", "--permanent")
    gone = cli("tenant", "show", "acme", check=False)
    assert gone.returncode != 0 and "not_found" in gone.stderr
    assert not (hub.data_dir / "tenants" / "acme.sqlite").exists()


def test_a_tenant_survives_a_graceful_restart(hub, cli):
    login(cli, hub)
    cli("tenant", "create", "durable")
    assert hub.stop() == 0  # SIGTERM is a graceful stop
    hub.start()
    shown = json.loads(cli("tenant", "show", "durable", "--json").stdout)  # the stored session still works
    assert shown["name"] == "durable"
    assert (hub.data_dir / "tenants" / "durable.sqlite").exists()


def test_cli_without_a_session_says_how_to_log_in(cli):
    result = cli("tenant", "list", check=False)
    assert result.returncode != 0
    assert "berqenas login" in result.stderr


def test_a_wrong_master_key_stops_the_start_with_a_clear_message(hub):
    hub.stop()
    hub.env["BERQENAS_MASTER_KEY"] = "A" * 43 + "="
    try:
        hub.start(timeout=20)
        raise AssertionError("the hub started with a wrong master key")
    except RuntimeError as error:
        assert "master key" in str(error)


def test_migrate_prepares_a_data_directory_without_serving(tmp_path):
    data = tmp_path / "fresh"
    env = {**os.environ, "BERQENAS_DATA_DIR": str(data)}
    result = subprocess.run([BINARY, "migrate"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "migrations applied (sqlite)" in result.stdout
    assert (data / "berqenas.sqlite").stat().st_size > 0


def test_rotate_master_key_reseals_every_secret_and_replaces_the_key_file(tmp_path, cli):
    hub = Hub(tmp_path / "data", free_port(), {"BERQENAS_VPN_BACKEND": "none"})
    hub.start()
    login(cli, hub)
    token = json.loads(cli.config_path.read_text())["access_token"]
    cli("tenant", "create", "keys")
    site = tmp_path / "till.sqlite"
    sqlite3.connect(site).close()
    manage(hub, token, "POST", "/api/v1/tenants/keys/remote-databases", {"name": "till", "engine": "sqlite", "database": str(site)})
    manage(hub, token, "PUT", "/api/v1/tenants/keys/vpn", {"enabled": True})
    peer = manage(hub, token, "POST", "/api/v1/tenants/keys/vpn/peers", {"name": "till"})
    config_before = manage(hub, token, "GET", f"/api/v1/tenants/keys/vpn/peers/{peer['id']}/config", raw=True)
    assert hub.stop() == 0
    old_key = (hub.data_dir / "master.key").read_text()
    env = {**os.environ, "BERQENAS_DATA_DIR": str(hub.data_dir)}

    # A wrong current key changes nothing.
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    wrong = subprocess.run([BINARY, "rotate-master-key", "--new-key-file", str(new_key_file)],
                           env={**env, "BERQENAS_MASTER_KEY": "A" * 43 + "="}, capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0 and "master_key_mismatch" in wrong.stderr, wrong.stderr
    assert (hub.data_dir / "master.key").read_text() == old_key
    # A key staged by an earlier run that sealed nothing is dropped, not used.
    stale = base64.b64encode(os.urandom(32)).decode()
    (hub.data_dir / "master.key.new").write_text(stale + "\n")
    rotated = subprocess.run([BINARY, "rotate-master-key"], env=env, capture_output=True, text=True, timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    assert stale not in (hub.data_dir / "master.key").read_text()
    assert "1 peer key(s)" in rotated.stdout and "1 remote database password(s)" in rotated.stdout, rotated.stdout
    new_key = (hub.data_dir / "master.key").read_text()
    assert new_key != old_key and not (hub.data_dir / "master.key.new").exists()
    assert stat.S_IMODE(os.stat(hub.data_dir / "master.key").st_mode) == 0o600
    assert new_key.strip() not in rotated.stdout + rotated.stderr
    # A run interrupted after its commit and before its move (the old key back in master.key, the new one
    # staged) is finished by running the command again.
    (hub.data_dir / "master.key.new").write_text(new_key)
    (hub.data_dir / "master.key").write_text(old_key)
    finished = subprocess.run([BINARY, "rotate-master-key"], env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0 and "finished an earlier rotation" in finished.stdout, finished.stdout + finished.stderr
    assert (hub.data_dir / "master.key").read_text() == new_key and not (hub.data_dir / "master.key.new").exists()

    hub.start()
    try:
        login(cli, hub)  # access tokens are signed with a key derived from the master key: sign in again
        token = json.loads(cli.config_path.read_text())["access_token"]
        assert manage(hub, token, "GET", f"/api/v1/tenants/keys/vpn/peers/{peer['id']}/config", raw=True) == config_before
    finally:
        hub.stop()


def manage(hub, token, method, path, body=None, raw=False):
    request = urllib.request.Request(hub.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return text if raw else json.loads(text)
