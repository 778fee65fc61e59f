"""One hub split across servers, the gateway's part (`BERQENAS_ROLES`): an `api` server and a `worker` server in
this namespace, a `gateway` server (wireguard-go, nftables) in the hub's namespace, one PostgreSQL system
database. What is done through `api` reaches the gateway at once (LISTEN/NOTIFY), a site joins with the config
`api` handed out and connects through the gateway, and `api` shows what the gateway found and asks it to check
a peer. Everything lives in namespaces this test makes (198.18.0.0/15) and removes."""
import base64
import os
import tempfile
import time
import urllib.parse

import pytest

from conftest import Hub, free_port, wait_for
from test_auto_api import call
from test_vpn_tunnel import CAN_RUN, Api, in_ns, join, namespaces, reaches, sh  # noqa: F401 (a fixture)

PASSWORD = "split-gateway-admin-1"
VPN = {"BERQENAS_VPN_POOL": "198.19.0.0/16", "BERQENAS_PUBLIC_ENDPOINT": "198.18.1.1", "BERQENAS_VPN_PORTS": "51820-51829"}


@pytest.fixture
def system_database(namespaces):
    """A PostgreSQL cluster on 198.18.0.1 (this namespace's end of the hub's link), so that servers here and
    the gateway in the hub's namespace share it."""
    directory = tempfile.mkdtemp(prefix="bq-split-pg-")
    url = sh("env", "PG_LISTEN=198.18.0.1", "scripts/pg-cluster.sh", "start", directory).stdout.strip()
    try:
        yield url
    finally:
        sh("scripts/pg-cluster.sh", "stop", directory, check=False)


def peer_keys(hub_ns, interface):
    result = in_ns(hub_ns, "wg", "show", interface, "peers", check=False)
    return result.stdout.split() if result.returncode == 0 else []


@pytest.mark.skipif(not CAN_RUN, reason="needs root, /dev/net/tun and wireguard-go: the split gateway test is SKIPPED")
def test_a_peer_added_through_api_connects_through_a_separate_gateway(tmp_path, namespaces, system_database):
    hub_ns, sites, client_ns, processes = namespaces
    common = {"BERQENAS_DATABASE_URL": system_database, "BERQENAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
              "BERQENAS_ADMIN_PASSWORD": PASSWORD, **VPN}
    servers = []

    def start(name, roles, **options):
        (tmp_path / name).mkdir()
        hub = Hub(tmp_path / name, free_port(), {**common, "BERQENAS_ROLES": roles, **options.pop("env", {})}, **options)
        hub.start(timeout=60)
        servers.append(hub)
        wait_for(lambda: Api(hub.url).call("GET", "/ready")[0] == 200, 60, f"{name} to be ready")
        return hub

    try:
        api_server = start("api", "api")
        start("worker", "worker")
        gateway = start("gateway", "gateway", prefix=["ip", "netns", "exec", hub_ns], host="198.18.0.2",
                        env={"BERQENAS_HOST": "198.18.0.2", "BERQENAS_VPN_BACKEND": "wireguard-go",
                             "BERQENAS_GATEWAY_FORWARD_FROM": "198.18.0.1"})
        api = Api(api_server.url)
        _, login = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        api.token = login["access_token"]
        api.call("POST", "/api/v1/tenants", {"name": "stores"})

        # Enabled through api: the gateway brings the interface up; api shows the gateway's state and backend.
        _, vpn = api.call("PUT", "/api/v1/tenants/stores/vpn", {"enabled": True})
        interface = vpn["interface"]
        wait_for(lambda: in_ns(hub_ns, "ip", "link", "show", interface, check=False).returncode == 0, 10,
                 "the gateway to bring the interface up")
        shown = wait_for(lambda: (lambda v: v if v["state"] == "up" else None)(api.call("GET", "/api/v1/tenants/stores/vpn")[1]),
                         15, "api to show the gateway's state")
        assert shown["backend"] == "wireguard-go" and shown["error"] is None, shown

        # A peer added through api is on the gateway's interface well before the gateway's periodic pass
        # would have put it there (a full pass every 60 s): the NOTIFY woke it.
        started = time.monotonic()
        status, peer = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-1", "persistent_keepalive": 5})
        assert status == 201
        wait_for(lambda: peer["public_key"] in peer_keys(hub_ns, interface), 5, "the peer on the gateway's interface")
        print(f"peer on the gateway {1000 * (time.monotonic() - started):.0f} ms after the POST to api")

        # The site joins with exactly the file api handed out, and connects through the gateway.
        site_address = join(sites[0], peer["config"], tmp_path, processes)
        assert wait_for(lambda: reaches(hub_ns, site_address, 8099, 2), 15, "the gateway to reach the site")
        connected = wait_for(lambda: (lambda p: p if p["connected"] else None)(
            api.call("GET", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")[1]), 20, "api to show the peer connected")
        assert connected["endpoint"].startswith("198.18.1.2:") and connected["rx_bytes"] > 0, connected

        # A check through api is made by the gateway, which has the tunnel (api has none: it would fail there).
        assert not reaches(client_ns, site_address, 8099, 1), "only the gateway has a route to the site"
        _, check = api.call("POST", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}/check", {"port": 8099})
        assert check["reachable"] and check["error"] is None, check
        _, refused = api.call("POST", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}/check", {"port": 8100})
        assert not refused["reachable"] and "refused" in refused["error"], refused

        # A publication made through api: applied by the gateway, its state and mode shown by api.
        status, published = api.call("POST", "/api/v1/tenants/stores/publications",
                                     {"peer_id": peer["id"], "target_port": 8099, "public_port": 28099})
        assert status == 201
        active = wait_for(lambda: (lambda p: p if p["state"] == "active" else None)(
            api.call("GET", f"/api/v1/tenants/stores/publications/{published['id']}")[1]), 10, "api to show it active")
        assert active["mode"] == "nat", active
        assert wait_for(lambda: reaches(client_ns, "198.18.20.1", 28099, 2), 10, "the publication through the gateway")

        # A sync requested through api runs on the worker here and reaches a PostgreSQL that listens only on the
        # site's tunnel address: this machine routes the pool via the gateway, which forwards it (this machine
        # is listed in BERQENAS_GATEWAY_FORWARD_FROM) masqueraded as the hub. A machine not listed gets nothing.
        sh("ip", "route", "replace", "198.19.0.0/16", "via", "198.18.0.2")
        in_ns(client_ns, "ip", "route", "replace", "198.19.0.0/16", "via", "198.18.20.1")
        assert not reaches(client_ns, site_address, 8099, 2), "a machine the gateway does not list reaches no site"
        sync_through_gateway(api, peer, sites[0])

        # Revoked through api: the gateway takes the peer off at once.
        status, _ = api.call("DELETE", f"/api/v1/tenants/stores/vpn/peers/{peer['id']}")
        assert status == 204
        wait_for(lambda: peer["public_key"] not in peer_keys(hub_ns, interface), 5, "the peer off the gateway's interface")
        assert not reaches(hub_ns, site_address, 8099, 2)

        # The gateway stopped: api no longer shows its last findings, and a check says why it cannot be made.
        assert gateway.stop() == 0, gateway.log()
        _, vpn_now = api.call("GET", "/api/v1/tenants/stores/vpn")
        assert vpn_now["state"] == "not_applied", vpn_now
        _, later = api.call("POST", "/api/v1/tenants/stores/vpn/peers", {"name": "store-2"})
        status, _, text = call(api.url + f"/api/v1/tenants/stores/vpn/peers/{later['id']}/check", "POST", {"port": 8099},
                               {"Authorization": "Bearer " + api.token})
        assert status == 503 and '"gateway_unavailable"' in text, (status, text)
    finally:
        for hub in servers:
            hub.stop()
        sh("ip", "route", "delete", "198.19.0.0/16", check=False)


def sync_through_gateway(api, peer, site):
    """Syncs a table of a PostgreSQL in `site` (on its tunnel address only) through `peer`; checks both sides equal."""
    pg_dir = tempfile.mkdtemp(prefix="bq-split-site-pg-")
    url = in_ns(site, "env", f"PG_LISTEN={peer['address']}", "scripts/pg-cluster.sh", "start", pg_dir).stdout.strip()
    try:
        parsed = urllib.parse.urlparse(url)
        sh("psql", "-qX", "-v", "ON_ERROR_STOP=1", f"host={pg_dir} port={parsed.port} user=postgres dbname=postgres", "-c",
           "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 300) g")
        status, remote = api.call("POST", "/api/v1/tenants/stores/remote-databases", {
            "name": "erp", "engine": "postgresql", "port": parsed.port, "database": "postgres", "username": "postgres",
            "password": parsed.password, "tls": "disable", "wireguard_peer_id": peer["id"]})
        assert status == 201, remote

        def finished(job_id):
            return wait_for(lambda: (lambda j: j if j["status"] in ("succeeded", "failed") else None)(
                api.call("GET", f"/api/v1/tenants/stores/sync-jobs/{job_id}")[1]), 60, f"job {job_id} to end")

        _, job = api.call("POST", f"/api/v1/tenants/stores/remote-databases/{remote['id']}/sync", {"mode": "full", "tables": ["items"]})
        done = finished(job["job_id"])
        assert done["status"] == "succeeded" and done["results"][0]["local_to_cloud"] == 300, done
        _, verify = api.call("POST", f"/api/v1/tenants/stores/remote-databases/{remote['id']}/verify", {"tables": ["items"]})
        report = finished(verify["job_id"])
        assert report["status"] == "succeeded", report
        verification = report["results"][0]["verification"]
        assert verification["differing_rows"] == 0 and verification["cloud_rows"] == verification["local_rows"] == 300, verification
    finally:
        sh("scripts/pg-cluster.sh", "stop", pg_dir, check=False)

