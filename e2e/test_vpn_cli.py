"""`berqenas vpn …` against a hub that stores and renders only (backend none), so nothing touches this
machine's network."""
import json
import os
import stat
import subprocess

from conftest import Hub, free_port


def test_vpn_commands_enable_add_download_and_revoke(tmp_path, cli):
    hub = Hub(tmp_path / "data", free_port(), extra_env={"BERQENAS_VPN_BACKEND": "none",
                                                          "BERQENAS_PUBLIC_ENDPOINT": "hub.example.test"})
    hub.start()
    try:
        password = (hub.data_dir / "initial-admin-password").read_text().strip()
        cli("login", "--url", hub.url, "--username", "admin", "--password-stdin", stdin=password + "\n")
        cli("tenant", "create", "stores")
        enabled = json.loads(cli("vpn", "enable", "stores", "--json").stdout)
        assert enabled["enabled"] and enabled["state"] == "not_applied" and enabled["backend"] == "none"
        assert "not_applied" in cli("vpn", "status", "stores").stdout

        out = tmp_path / "store-1.conf"
        added = cli("vpn", "peer", "add", "stores", "store-1", "--keepalive", "25", "--config-out", str(out)).stdout
        assert "store-1" in added and "PrivateKey" not in added, "the key goes to the file, not the screen"
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
        config = out.read_text()
        assert "[Interface]" in config and f"Endpoint = hub.example.test:{enabled['listen_port']}" in config
        assert cli("vpn", "peer", "config", "stores", "store-1").stdout == config
        qr = tmp_path / "store-1.png"
        cli("vpn", "peer", "config", "stores", "store-1", "--qr", "--out", str(qr))
        assert stat.S_IMODE(os.stat(qr).st_mode) == 0o600
        decoded = subprocess.run(["zbarimg", "--raw", "-q", "-Sbinary", str(qr)], capture_output=True, text=True, check=True).stdout
        assert decoded.rstrip("\n") == config.rstrip("\n"), "a phone scanning the QR code gets the same file"
        assert "--out" in cli("vpn", "peer", "config", "stores", "store-1", "--qr", check=False).stderr

        published = json.loads(cli("publish", "add", "stores", "store-1", "--target-port", "5432", "--public-port", "25432",
                                   "--allow", "198.18.20.0/26", "--allow", "10.9.0.0/16", "--json").stdout)
        assert published["allowed_cidrs"] == ["198.18.20.0/26", "10.9.0.0/16"] and published["state"] == "not_applied"
        assert "25432" in cli("publish", "list", "stores").stdout
        assert json.loads(cli("publish", "disable", "stores", "25432", "--json").stdout)["state"] == "disabled"
        assert json.loads(cli("publish", "enable", "stores", published["id"], "--json").stdout)["enabled"] is True
        stats = json.loads(cli("publish", "stats", "stores", "25432", "--json").stdout)
        assert stats["connections"] == 0 and stats["mode"] == "none"
        taken = cli("publish", "add", "stores", "store-1", "--target-port", "22", "--public-port", "25432", check=False)
        assert taken.returncode != 0 and "public_port_in_use" in taken.stderr
        assert "removed 25432" in cli("publish", "remove", "stores", "25432").stdout
        assert "25432" not in cli("publish", "list", "stores").stdout

        listed = cli("vpn", "peer", "list", "stores").stdout
        assert "store-1" in listed and "PrivateKey" not in listed
        assert "revoked store-1" in cli("vpn", "peer", "revoke", "stores", "store-1").stdout
        assert "store-1" not in cli("vpn", "peer", "list", "stores").stdout
        missing = cli("vpn", "peer", "config", "stores", "store-1", check=False)
        assert missing.returncode != 0 and "no peer named 'store-1'" in missing.stderr

        disabled = json.loads(cli("vpn", "disable", "stores", "--json").stdout)
        assert not disabled["enabled"] and disabled["network"] == enabled["network"]
    finally:
        hub.stop()
