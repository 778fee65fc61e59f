"""The VPN for real: a hub in its own network namespace applies tenant networks, peers and isolation rules
(wireguard-go, nftables), and sites in other namespaces join with the configs the API hands out. Everything
lives in namespaces this test makes (addresses in 198.18.0.0/15) and removes."""
import json
import os
import subprocess
import tempfile
import urllib.parse
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import Hub, free_port, wait_for
from panel_browser import Panel, start_chromium

CAN_RUN = os.geteuid() == 0 and os.path.exists("/dev/net/tun") and os.path.exists("/usr/bin/wireguard-go")
SITES = 3


def sh(*args, check=True):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def in_ns(ns, *args, check=True):
    return sh("ip", "netns", "exec", ns, *args, check=check)


def reaches(ns, host, port, timeout, source=None):
    """Whether a TCP connection from namespace `ns` (from address `source`) to host:port succeeds within
    `timeout` seconds."""
    bind = f", source_address=({source!r}, 0)" if source else ""
    code = f"import socket; socket.create_connection(({host!r}, {port}), timeout={timeout}{bind}).close()"
    return in_ns(ns, "python3", "-c", code, check=False).returncode == 0


# A client that opens a connection, proves it carries bytes (an echo comes back), then waits for a line on
# stdin and tries again on the same connection, printing what happened.
HELD_CONNECTION = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"ping")
print("first:" + s.recv(4).decode(), flush=True)
sys.stdin.readline()
try:
    s.sendall(b"pong")
    print("second:" + repr(s.recv(4)), flush=True)
except OSError as error:
    print("second:" + type(error).__name__, flush=True)
"""

def disable_while_open(api, tenant, publication_id, client_ns, port, processes):
    """Opens a connection from `client_ns` through the hub's port (and sees it echo), disables the publication,
    then uses the connection again: returns what the client saw the second time."""
    held = subprocess.Popen(["ip", "netns", "exec", client_ns, "python3", "-c", HELD_CONNECTION, "198.18.20.1", str(port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    processes.append(held)
    assert held.stdout.readline().strip() == "first:ping"
    status, closed = api.call("PATCH", f"/api/v1/tenants/{tenant}/publications/{publication_id}", {"enabled": False})
    assert status == 200 and closed["state"] == "disabled"
    held.stdin.write("go\n")
    held.stdin.flush()
    return held.stdout.readline().strip()


ECHO_SERVER = """
import socket, sys, threading
def echo(connection):
    with connection:
        while data := connection.recv(4096):
            connection.sendall(data)
server = socket.create_server((sys.argv[1], int(sys.argv[2])))
while True:
    threading.Thread(target=echo, args=(server.accept()[0],), daemon=True).start()
"""


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


@pytest.fixture
def namespaces():
    """`hub`, reachable from here at 198.18.0.2; SITES sites, site i at 198.18.<i+1>.2 behind the hub's
    198.18.<i+1>.1 (their "internet"); and `client`, an outside user at 198.18.20.2 and 198.18.20.66 behind
    the hub's 198.18.20.1."""
    suffix = uuid.uuid4().hex[:6]
    hub = f"bq-hub-{suffix}"
    sites = [f"bq-s{i}-{suffix}" for i in range(SITES)]
    client = f"bq-cl-{suffix}"
    made, processes = [], []
    try:
        for ns in [hub, *sites, client]:
            sh("ip", "netns", "add", ns)
            made.append(ns)
            in_ns(ns, "ip", "link", "set", "lo", "up")
        # Not named bq…: on a gateway that name is the hub's own (its nftables rules match bq*).
        sh("ip", "link", "add", f"tva{suffix}", "type", "veth", "peer", "name", "api0", "netns", hub)
        sh("ip", "address", "add", "198.18.0.1/30", "dev", f"tva{suffix}")
        sh("ip", "link", "set", f"tva{suffix}", "up")
        in_ns(hub, "ip", "address", "add", "198.18.0.2/30", "dev", "api0")
        in_ns(hub, "ip", "link", "set", "api0", "up")
        for index, site in enumerate(sites):
            in_ns(hub, "ip", "link", "add", f"wan{index}", "type", "veth", "peer", "name", "wan0", "netns", site)
            in_ns(hub, "ip", "address", "add", f"198.18.{index + 1}.1/24", "dev", f"wan{index}")
            in_ns(hub, "ip", "link", "set", f"wan{index}", "up")
            in_ns(site, "ip", "address", "add", f"198.18.{index + 1}.2/24", "dev", "wan0")
            in_ns(site, "ip", "link", "set", "wan0", "up")
        in_ns(hub, "ip", "link", "add", "cli0", "type", "veth", "peer", "name", "eth0", "netns", client)
        in_ns(hub, "ip", "address", "add", "198.18.20.1/24", "dev", "cli0")
        in_ns(hub, "ip", "link", "set", "cli0", "up")
        for address in ("198.18.20.2/24", "198.18.20.66/24"):
            in_ns(client, "ip", "address", "add", address, "dev", "eth0")
        in_ns(client, "ip", "link", "set", "eth0", "up")
        # Forwarding starts off: the hub turns it on when spoke-to-spoke or a publication needs it.
        in_ns(hub, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        yield hub, sites, client, processes
    finally:
        for process in processes:
            process.kill()
            process.wait()
        for ns in made:
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                sh("kill", "-9", pid, check=False)
            sh("ip", "netns", "delete", ns, check=False)
        sh("ip", "link", "delete", f"tva{suffix}", check=False)
        for index in range(SITES):  # killed daemons leave their control sockets behind
            sh("rm", "-f", f"/var/run/wireguard/bqss{index}.sock", check=False)


class BrowserCloser:
    """Ends a browser with the test's other processes, however the test ends."""

    def __init__(self, driver):
        self.driver = driver

    def kill(self):
        try:
            self.driver.quit()
        except Exception:  # already quit by the test
            pass

    def wait(self):
        return 0


def join(site, config, tmp_path, processes):
    """Brings up a WireGuard interface in `site` from a wg-quick file and starts a TCP listener on its address.
    Interface names differ per site: wireguard-go's control socket (/var/run/wireguard/<name>.sock) is
    shared by every namespace."""
    name = "bqs" + site.split("-")[1]
    conf = tmp_path / f"{site}.conf"
    conf.write_text(config)
    conf.chmod(0o600)
    stripped = tmp_path / f"{site}.stripped"
    stripped.write_text(sh("wg-quick", "strip", str(conf)).stdout)
    address = next(line.split("=", 1)[1].strip() for line in config.splitlines() if line.startswith("Address"))
    processes.append(subprocess.Popen(["ip", "netns", "exec", site, "wireguard-go", "-f", name],
                                      env={**os.environ, "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD": "1"},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_for(lambda: in_ns(site, "wg", "show", name, check=False).returncode == 0, 20, "the site's interface")
    in_ns(site, "wg", "setconf", name, str(stripped))
    in_ns(site, "ip", "address", "add", address, "dev", name)
    in_ns(site, "ip", "link", "set", name, "up")
    host = address.split("/")[0]
    processes.append(subprocess.Popen(["ip", "netns", "exec", site, "python3", "-c",
                                       "import socket\n"
                                       f"s = socket.create_server(({host!r}, 8099))\n"
                                       "while True: s.accept()[0].close()\n"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return host


@pytest.mark.skipif(not CAN_RUN, reason="needs root, /dev/net/tun and wireguard-go: the VPN tunnel test is SKIPPED")
def test_sites_join_with_handed_out_configs_and_isolation_holds(tmp_path, namespaces):
    hub_ns, sites, client_ns, processes = namespaces
    hub = Hub(tmp_path / "data", free_port(), prefix=["ip", "netns", "exec", hub_ns], host="198.18.0.2",
              extra_env={"BERQENAS_HOST": "198.18.0.2", "BERQENAS_ADMIN_PASSWORD": "tunnel-test-password",
                         "BERQENAS_VPN_POOL": "198.19.0.0/16", "BERQENAS_VPN_BACKEND": "wireguard-go",
                         "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1", "BERQENAS_VPN_PORTS": "51820-51829"})
    hub.start()
    try:
        api = Api(hub.url)
        _, login = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "tunnel-test-password"})
        api.token = login["access_token"]
        for tenant in ("stores", "other"):
            api.call("POST", "/api/v1/tenants", {"name": tenant})
        status, vpn = api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": True})
        assert status == 200 and vpn["state"] == "up" and vpn["backend"] == "wireguard-go", vpn
        assert vpn["network"] == "198.19.0.0/24" and vpn["hub_address"] == "198.19.0.1" and not vpn["spoke_to_spoke"]
        assert vpn["endpoint"] == f"198.18.1.1:{vpn['listen_port']}"
        dump = in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()
        assert dump[0].split("\t")[1] == vpn["public_key"] and len(dump) == 1

        status, peer = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-1", "persistent_keepalive": 5})
        assert status == 201
        hub_peers = [line.split("\t") for line in in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()[1:]]
        assert [(fields[0], fields[3]) for fields in hub_peers] == [(peer["public_key"], peer["address"] + "/32")]

        # The panel's VPN page, open before the site joins, shows the peer come up live (no reload).
        panel = Panel(start_chromium(), hub.url)
        processes.append(BrowserCloser(panel.driver))
        panel.sign_in("admin", "tunnel-test-password")
        panel.go("/tenants/stores/vpn")
        peer_row = f'tr[data-key="{peer["id"]}"]'
        assert "Not connected" in panel.wait(lambda d: d.find_element(By.CSS_SELECTOR, peer_row)).text

        # The site brings the tunnel up with exactly the file the API handed out; the hub reaches it.
        site_address = join(sites[0], peer["config"], tmp_path, processes)
        assert site_address == peer["address"]
        assert wait_for(lambda: reaches(hub_ns, site_address, 8099, 2), 15, "the hub to reach the site through the tunnel")
        _, shown = api.call("GET", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")
        shown = wait_for(lambda: (lambda p: p if p["connected"] else None)(
            api.call("GET", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")[1]), 20, "the API to show the peer connected")
        assert shown["latest_handshake"] and shown["rx_bytes"] > 0 and shown["endpoint"].startswith("198.18.1.2:"), shown
        _, events = api.call("GET", "/api/v1/tenants/stores/events?kind=vpn.peer.")
        connected = [e for e in events["items"] if e["subject"] == f"vpn-peer:{peer['id']}"]
        assert [e["kind"] for e in connected] == ["vpn.peer.connected"] and "198.18.1.2:" in connected[0]["message"], events
        row = panel.wait(lambda d: (lambda r: r if "Not connected" not in r.text and "Connected" in r.text else None)(
            d.find_element(By.CSS_SELECTOR, peer_row)), 30, "the open VPN page did not show the peer connected")
        assert "B" in row.text, row.text  # its traffic, in bytes
        assert panel.driver.execute_script("return performance.getEntriesByType('navigation').length") == 1
        assert panel.console_errors() == []
        panel.driver.quit()

        # A second site of the same tenant joins without disturbing the first; spoke-to-spoke is off by default.
        _, second = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-2", "persistent_keepalive": 5})
        join(sites[1], second["config"].replace("198.18.1.1:", "198.18.2.1:"), tmp_path, processes)
        assert wait_for(lambda: reaches(hub_ns, second["address"], 8099, 2), 15, "the hub to reach the second site")
        assert reaches(hub_ns, site_address, 8099, 2)
        _, check = api.call("POST", f"/api/v1/tenants/stores/vpn/peers/{second['id']}/check", {"port": 8099})
        assert check["reachable"] and check["latency_ms"] >= 0 and check["error"] is None, check
        _, closed = api.call("POST", f"/api/v1/tenants/stores/vpn/peers/{second['id']}/check", {"port": 8100})
        assert not closed["reachable"] and "refused" in closed["error"], closed
        assert not reaches(sites[1], site_address, 8099, 2), "spoke-to-spoke is off"
        api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": True, "spoke_to_spoke": True})
        assert in_ns(hub_ns, "sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1", "the hub turned forwarding on"
        assert reaches(sites[1], site_address, 8099, 5), "the tenant turned spoke-to-spoke on"
        api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": True, "spoke_to_spoke": False})
        assert not reaches(sites[1], site_address, 8099, 2), "spoke-to-spoke off again: nftables drops it, forwarding or not"

        # A PostgreSQL in the second site, listening only on its tunnel address, synced through its peer.
        pg_dir = tempfile.mkdtemp(prefix="bq-site-pg-")  # the cluster's user must be able to reach it
        url = in_ns(sites[1], "env", f"PG_LISTEN={second['address']}", "scripts/pg-cluster.sh", "start", str(pg_dir)).stdout.strip()
        try:
            parsed = urllib.parse.urlparse(url)
            socket_dsn = f"host={pg_dir} port={parsed.port} user=postgres dbname=postgres"
            sh("psql", "-qX", "-v", "ON_ERROR_STOP=1", socket_dsn, "-c",
               "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g")
            status, remote = api.call("POST", "/api/v1/tenants/stores/remote-databases", {
                "name": "erp", "engine": "postgresql", "port": parsed.port, "database": "postgres", "username": "postgres",
                "password": parsed.password, "tls": "disable", "wireguard_peer_id": second["id"]})
            assert status == 201 and remote["status"] == "ok", remote
            _, job = api.call("POST", f"/api/v1/tenants/stores/remote-databases/{remote['id']}/sync",
                              {"mode": "full", "tables": ["items"]})
            done = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed") else None)(
                api.call("GET", f"/api/v1/tenants/stores/sync-jobs/{job['job_id']}")[1]), 60, "the sync through the tunnel")
            assert done["status"] == "succeeded" and done["results"][0]["local_to_cloud"] == 500, done
            _, verify = api.call("POST", f"/api/v1/tenants/stores/remote-databases/{remote['id']}/verify", {"tables": ["items"]})
            verified = wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed") else None)(
                api.call("GET", f"/api/v1/tenants/stores/sync-jobs/{verify['job_id']}")[1]), 60, "the verify through the tunnel")
            report = verified["results"][0]["verification"]
            assert verified["status"] == "succeeded" and report["differing_rows"] == 0 and report["cloud_rows"] == 500, verified

            # Published on the hub: an outside client reaches that PostgreSQL through the hub's address, only
            # from an allowed network; disabled, the path closes at once, open connection included.
            status, published = api.call("POST", "/api/v1/tenants/stores/publications", {
                "peer_id": second["id"], "target_port": parsed.port, "public_port": 25432,
                "allowed_cidrs": ["198.18.20.0/26"]})
            assert status == 201 and published["state"] == "active" and published["mode"] == "nat", published
            client_dsn = f"host=198.18.20.1 port=25432 user=postgres password={parsed.password} dbname=postgres connect_timeout=5"
            count = in_ns(client_ns, "psql", "-qtAX", client_dsn, "-c", "SELECT count(*) FROM items").stdout.strip()
            assert count == "500"
            assert reaches(client_ns, "198.18.20.1", 25432, 3, source="198.18.20.2")
            assert not reaches(client_ns, "198.18.20.1", 25432, 3, source="198.18.20.66"), "outside allowed_cidrs"
            _, stats = api.call("GET", f"/api/v1/tenants/stores/publications/{published['id']}/stats")
            assert stats["connections"] == 2 and stats["bytes_in"] > 0 and stats["bytes_out"] > 0, stats

            # A second publication (an echo service) beside the first; disabling it cuts its open connection.
            processes.append(subprocess.Popen(["ip", "netns", "exec", sites[1], "python3", "-c", ECHO_SERVER, second["address"], "8098"]))
            _, echo = api.call("POST", "/api/v1/tenants/stores/publications",
                               {"peer_id": second["id"], "target_port": 8098, "public_port": 28098})
            after = disable_while_open(api, "stores", echo["id"], client_ns, 28098, processes)
            assert after == "second:ConnectionResetError", "the open connection was cut"
            assert not reaches(client_ns, "198.18.20.1", 28098, 3, source="198.18.20.2"), "disabled: unreachable"
            assert reaches(client_ns, "198.18.20.1", 25432, 3, source="198.18.20.2"), "the other publication is untouched"
            api.call("PATCH", f"/api/v1/tenants/stores/publications/{published['id']}", {"enabled": False})
            assert not reaches(client_ns, "198.18.20.1", 25432, 3, source="198.18.20.2")
        finally:
            sh("scripts/pg-cluster.sh", "stop", str(pg_dir), check=False)

        # A site that routes the hub's other side into its tunnel reaches nothing there, forwarding on or not:
        # the client's network stands for the hub's internal one (its system database, its other servers).
        assert in_ns(hub_ns, "sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1"
        in_ns(client_ns, "ip", "route", "replace", "default", "via", "198.18.20.1")
        processes.append(subprocess.Popen(["ip", "netns", "exec", client_ns, "python3", "-c", ECHO_SERVER, "198.18.20.2", "8097"]))
        assert wait_for(lambda: reaches(hub_ns, "198.18.20.2", 8097, 1), 10, "the internal service to listen")
        in_ns(sites[0], "wg", "set", "bqss0", "peer", vpn["public_key"], "allowed-ips", f"{vpn['network']},198.18.20.0/24")
        in_ns(sites[0], "ip", "route", "replace", "198.18.20.0/24", "dev", "bqss0")
        assert reaches(hub_ns, site_address, 8099, 3), "the tunnel itself still carries traffic"
        assert not reaches(sites[0], "198.18.20.2", 8097, 3), "a site reached the hub's internal network through the hub"

        # Another tenant's site, even routing the whole pool into its tunnel, cannot reach this tenant's site.
        _, other_vpn = api.call("PUT", "/api/v1/tenants/other/vpn", {"enabled": True})
        assert other_vpn["network"] == "198.19.1.0/24" and other_vpn["state"] == "up"
        _, intruder = api.call("POST", "/api/v1/tenants/other/vpn/peers", {"name": "intruder", "persistent_keepalive": 5})
        config = intruder["config"].replace("198.18.1.1:", "198.18.3.1:").replace("AllowedIPs = 198.19.1.0/24",
                                                                                  "AllowedIPs = 198.19.0.0/16")
        join(sites[2], config, tmp_path, processes)
        in_ns(sites[2], "ip", "route", "replace", "198.19.0.0/16", "dev", "bqss2")
        assert wait_for(lambda: reaches(hub_ns, intruder["address"], 8099, 2), 15, "the hub to reach the other tenant's site")
        assert not reaches(sites[2], site_address, 8099, 2), "tenants are isolated"
        assert "berqenas" in in_ns(hub_ns, "nft", "list", "tables").stdout

        # A tenant deleted for good takes its interface with it (at the next pass).
        api.call("DELETE", "/api/v1/tenants/other")
        api.call("DELETE", "/api/v1/tenants/other?permanent=true")
        wait_for(lambda: in_ns(hub_ns, "ip", "link", "show", other_vpn["interface"], check=False).returncode != 0, 15,
                   "the deleted tenant's interface to go")
        assert in_ns(hub_ns, "ip", "link", "show", vpn["interface"], check=False).returncode == 0

        # Revoked: the peer leaves the hub's interface at once and the tunnel stops carrying traffic.
        status, _ = api.call("DELETE", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")
        assert status == 204
        keys = [line.split("\t")[0] for line in in_ns(hub_ns, "wg", "show", vpn["interface"], "dump").stdout.splitlines()[1:]]
        assert peer["public_key"] not in keys and keys == [second["public_key"]]
        assert not reaches(hub_ns, site_address, 8099, 2)
        assert reaches(hub_ns, second["address"], 8099, 5), "the other peer is untouched"

        # Disabled: the interface goes; the allocation stays.
        status, off = api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": False})
        assert status == 200 and off["state"] == "down" and off["network"] == vpn["network"]
        assert in_ns(hub_ns, "ip", "link", "show", vpn["interface"], check=False).returncode != 0
    finally:
        assert hub.stop() == 0, hub.log()


def echoes(ns, host, port, source):
    """Whether a connection from `source` in `ns` to host:port gets its bytes echoed back."""
    code = ("import socket\n"
            f"s = socket.create_connection(({host!r}, {port}), timeout=3, source_address=({source!r}, 0))\n"
            "s.sendall(b'ping')\n"
            "assert s.recv(4) == b'ping'\n")
    return in_ns(ns, "python3", "-c", code, check=False).returncode == 0


@pytest.mark.skipif(not CAN_RUN, reason="needs root, /dev/net/tun and wireguard-go: the VPN tunnel test is SKIPPED")
def test_publication_through_the_hubs_own_relay(tmp_path, namespaces):
    """Publish mode `relay`, bound to the client-side address: the hub's SwiftNIO relay carries the
    connection, logs it with its byte counts, turns away sources outside allowed_cidrs, and cuts open
    connections when the publication is disabled."""
    hub_ns, sites, client_ns, processes = namespaces
    hub = Hub(tmp_path / "data", free_port(), prefix=["ip", "netns", "exec", hub_ns], host="198.18.0.2",
              extra_env={"BERQENAS_HOST": "198.18.0.2", "BERQENAS_ADMIN_PASSWORD": "relay-test-password",
                         "BERQENAS_VPN_POOL": "198.19.0.0/16", "BERQENAS_VPN_BACKEND": "wireguard-go",
                         "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1", "BERQENAS_VPN_PORTS": "51830-51839",
                         "BERQENAS_PUBLISH_MODE": "relay", "BERQENAS_PUBLIC_BIND": "198.18.20.1"})
    hub.start()
    try:
        api = Api(hub.url)
        _, login = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "relay-test-password"})
        api.token = login["access_token"]
        api.call("POST", "/api/v1/tenants", {"name": "shops"})
        api.call("PUT", "/api/v1/tenants/shops/vpn", {"enabled": True})
        _, peer = api.call("POST", "/api/v1/tenants/shops/vpn/peers", {"name": "shop-1", "persistent_keepalive": 5})
        address = join(sites[0], peer["config"], tmp_path, processes)
        processes.append(subprocess.Popen(["ip", "netns", "exec", sites[0], "python3", "-c", ECHO_SERVER, address, "8098"]))
        assert wait_for(lambda: reaches(hub_ns, address, 8098, 2), 15, "the hub to reach the site")

        status, published = api.call("POST", "/api/v1/tenants/shops/publications", {
            "peer_id": peer["id"], "target_port": 8098, "public_port": 28098, "allowed_cidrs": ["198.18.20.0/26"]})
        assert status == 201 and published["mode"] == "relay" and published["state"] == "active", published
        assert echoes(client_ns, "198.18.20.1", 28098, "198.18.20.2")
        assert not echoes(client_ns, "198.18.20.1", 28098, "198.18.20.66"), "outside allowed_cidrs"
        assert not reaches(client_ns, "198.18.0.2", 28098, 2, source="198.18.20.2"), "bound to 198.18.20.1 only"
        wait_for(lambda: "publication 28098: 198.18.20.2 -> " in hub.log() and "4 bytes in, 4 bytes out" in hub.log(),
                   10, "the connection's log line")
        assert "publication 28098: refused 198.18.20.66" in hub.log()
        _, stats = api.call("GET", f"/api/v1/tenants/shops/publications/{published['id']}/stats")
        assert stats == {"id": published["id"], "connections": 1, "bytes_in": 4, "bytes_out": 4, "mode": "relay"}, stats

        after = disable_while_open(api, "shops", published["id"], client_ns, 28098, processes)
        assert after in ("second:b''", "second:ConnectionResetError"), "the open connection was cut"
        assert not reaches(client_ns, "198.18.20.1", 28098, 2), "disabled: nothing listens"
        _, stats = api.call("GET", f"/api/v1/tenants/shops/publications/{published['id']}/stats")
        assert stats["connections"] == 2 and stats["bytes_in"] == 8 and stats["bytes_out"] == 8, stats

        # A suspended tenant's tunnel and publications close.
        api.call("PATCH", f"/api/v1/tenants/shops/publications/{published['id']}", {"enabled": True})
        assert wait_for(lambda: echoes(client_ns, "198.18.20.1", 28098, "198.18.20.2"), 15, "the publication back on")
        status, _ = api.call("DELETE", "/api/v1/tenants/shops")
        assert status == 200
        assert wait_for(lambda: not reaches(client_ns, "198.18.20.1", 28098, 1, source="198.18.20.2"), 15, "the relay closed")
        assert wait_for(lambda: not reaches(hub_ns, address, 8098, 1), 15, "the tunnel down")
    finally:
        assert hub.stop() == 0, hub.log()
