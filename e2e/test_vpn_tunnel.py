"""The VPN for real: a hub in its own network namespace applies tenant networks and peers with wireguard-go,
and a site in another namespace joins with the config the API hands out. Everything lives in namespaces
this test makes (addresses in 198.18.0.0/15) and removes."""
import json
import os
import subprocess
import time
import urllib.request
import uuid

import pytest

from conftest import Hub, free_port

CAN_RUN = os.geteuid() == 0 and os.path.exists("/dev/net/tun") and os.path.exists("/usr/bin/wireguard-go")


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=30)


def in_ns(ns, *args, check=True):
    return sh("ip", "netns", "exec", ns, *args, check=check)


class Api:
    def __init__(self, url):
        self.url = url
        self.token = None

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": "Bearer " + self.token} if self.token else {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text and response.headers.get_content_subtype() == "json" else text)


def reaches(ns, host, port, timeout):
    """Whether a TCP connection from namespace `ns` to host:port succeeds within `timeout` seconds."""
    code = f"import socket; socket.create_connection(({host!r}, {port}), timeout={timeout}).close()"
    return in_ns(ns, "python3", "-c", code, check=False).returncode == 0


@pytest.fixture
def namespaces():
    suffix = uuid.uuid4().hex[:6]
    hub, site = f"bq-hub-{suffix}", f"bq-site-{suffix}"
    made = []
    try:
        for ns in (hub, site):
            sh("ip", "netns", "add", ns)
            made.append(ns)
            in_ns(ns, "ip", "link", "set", "lo", "up")
        # root <-> hub (the API), hub <-> site (the "internet" the tunnel crosses)
        sh("ip", "link", "add", f"bqa{suffix}", "type", "veth", "peer", "name", "api0", "netns", hub)
        sh("ip", "address", "add", "198.18.0.1/30", "dev", f"bqa{suffix}")
        sh("ip", "link", "set", f"bqa{suffix}", "up")
        in_ns(hub, "ip", "address", "add", "198.18.0.2/30", "dev", "api0")
        in_ns(hub, "ip", "link", "set", "api0", "up")
        in_ns(hub, "ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan0", "netns", site)
        in_ns(hub, "ip", "address", "add", "198.18.1.1/24", "dev", "wan0")
        in_ns(hub, "ip", "link", "set", "wan0", "up")
        in_ns(site, "ip", "address", "add", "198.18.1.2/24", "dev", "wan0")
        in_ns(site, "ip", "link", "set", "wan0", "up")
        yield hub, site
    finally:
        for ns in made:
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                sh("kill", "-9", pid, check=False)
            sh("ip", "netns", "delete", ns, check=False)
        sh("ip", "link", "delete", f"bqa{suffix}", check=False)


@pytest.mark.skipif(not CAN_RUN, reason="needs root, /dev/net/tun and wireguard-go: the VPN tunnel test is SKIPPED")
def test_a_site_joins_through_the_handed_out_config_and_leaves_when_revoked(tmp_path, namespaces):
    hub_ns, site_ns = namespaces
    port = free_port()
    hub = Hub(tmp_path / "data", port, prefix=["ip", "netns", "exec", hub_ns], host="198.18.0.2",
              extra_env={"BERQENAS_HOST": "198.18.0.2", "BERQENAS_ADMIN_PASSWORD": "tunnel-test-password",
                         "BERQENAS_VPN_POOL": "198.19.0.0/16", "BERQENAS_VPN_BACKEND": "wireguard-go",
                         "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1", "BERQENAS_VPN_PORTS": "51820-51829"})
    hub.start()
    try:
        api = Api(hub.url)
        _, login = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "tunnel-test-password"})
        api.token = login["access_token"]
        api.call("POST", "/api/v1/tenants", {"name": "stores"})
        # Something to reach on the hub's tunnel address once it exists (any TCP listener will do).
        listener = subprocess.Popen(["ip", "netns", "exec", hub_ns, "python3", "-c",
                                     "import socket, time\n"
                                     "while True:\n"
                                     "    try:\n"
                                     "        s = socket.create_server(('198.19.0.1', 8099)); break\n"
                                     "    except OSError: time.sleep(0.05)\n"
                                     "while True: s.accept()[0].close()\n"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status, vpn = api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": True})
        assert status == 200 and vpn["state"] == "up" and vpn["backend"] == "wireguard-go", vpn
        assert vpn["network"] == "198.19.0.0/24" and vpn["hub_address"] == "198.19.0.1"
        assert vpn["endpoint"] == f"198.18.1.1:{vpn['listen_port']}"
        dump = in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()
        assert dump[0].split("\t")[1] == vpn["public_key"] and len(dump) == 1

        status, peer = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-1", "persistent_keepalive": 5})
        assert status == 201
        hub_peers = [line.split("\t") for line in in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()[1:]]
        assert [(fields[0], fields[3]) for fields in hub_peers] == [(peer["public_key"], peer["address"] + "/32")]

        # The site brings the tunnel up with exactly the file the API handed out.
        conf = tmp_path / "bqs.conf"
        conf.write_text(peer["config"])
        conf.chmod(0o600)
        stripped = tmp_path / "bqs.stripped"
        stripped.write_text(sh("wg-quick", "strip", str(conf)).stdout)
        site_daemon = subprocess.Popen(["ip", "netns", "exec", site_ns, "wireguard-go", "-f", "bqs"],
                         env={**os.environ, "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD": "1"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(250):
            if in_ns(site_ns, "ip", "link", "show", "bqs", check=False).returncode == 0:
                break
            subprocess.run(["sleep", "0.02"])  # waiting for the daemon's interface, bounded
        in_ns(site_ns, "wg", "setconf", "bqs", str(stripped))
        in_ns(site_ns, "ip", "address", "add", peer["address"] + "/24", "dev", "bqs")
        in_ns(site_ns, "ip", "link", "set", "bqs", "up")
        assert reaches(site_ns, vpn["hub_address"], 8099, 10), "the site reaches the hub through the tunnel"
        handshake = in_ns(hub_ns, "wg", "show", vpn["interface"], "latest-handshakes").stdout.split()
        assert len(handshake) == 2 and int(handshake[1]) > 0
        # The status poller (every 5 s) shows it through the API.
        deadline = time.monotonic() + 20
        while True:
            _, shown = api.call("GET", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")
            if shown["connected"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)  # polling the API, bounded by the deadline
        assert shown["connected"] and shown["latest_handshake"] and shown["rx_bytes"] > 0, shown
        assert shown["endpoint"].startswith("198.18.1.2:")

        # A second peer joins without disturbing the first's session.
        status, _ = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-2"})
        assert status == 201
        assert reaches(site_ns, vpn["hub_address"], 8099, 5)

        # Revoked: the peer leaves the hub's interface at once and the tunnel stops carrying traffic.
        status, _ = api.call("DELETE", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")
        assert status == 204
        keys = [line.split("\t")[0] for line in in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()[1:]]
        assert peer["public_key"] not in keys and len(keys) == 1
        assert not reaches(site_ns, vpn["hub_address"], 8099, 2)

        # Disabled: the interface goes; the allocation stays.
        status, off = api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": False})
        assert status == 200 and off["state"] == "down" and off["network"] == vpn["network"]
        assert in_ns(hub_ns, "ip", "link", "show", vpn["interface"], check=False).returncode != 0
    finally:
        for process in (locals().get("listener"), locals().get("site_daemon")):
            if process:
                process.kill()
                process.wait()
        assert hub.stop() == 0, hub.log()
