"""Driver of bench/auto_api.sh: defines the API over the benchmark table and checks what it answers."""
import argparse
import json
import time
import urllib.parse
import urllib.request


def call(hub, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(hub + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def wait_healthy(hub):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            call(hub, "GET", "/health")
            return
        except OSError:
            time.sleep(0.1)  # polling start-up, bounded by the deadline
    raise SystemExit("the hub did not start")


def setup(hub, database):
    wait_healthy(hub)
    token = call(hub, "POST", "/api/v1/auth/login", {"username": "admin", "password": "bench-password"})["access_token"]
    call(hub, "POST", "/api/v1/tenants", {"name": "bench"}, token)
    parts = urllib.parse.urlparse(database)
    remote = call(hub, "POST", "/api/v1/tenants/bench/remote-databases", {
        "name": "erp", "engine": "postgresql", "host": parts.hostname, "port": parts.port, "database": parts.path.lstrip("/"),
        "username": parts.username, "password": parts.password, "tls": "disable"}, token)
    call(hub, "POST", "/api/v1/tenants/bench/apis", {
        "name": "shop", "source": {"kind": "remote_database", "id": remote["id"]}, "tables": [{"name": "items", "operations": ["read"]}],
        "auth": "public_read"}, token)
    print("/rest/v1/bench/shop/items")


def check(hub, path):
    one = call(hub, "GET", path + "?id=eq.123456")
    assert one == [{"id": 123456, "name": "item 123456", "price": 234.56, "qty": 456, "created": "2024-01-02T10:17:36+00:00"}], one
    hundred = call(hub, "GET", path + "?id=gt.1000&order=id&limit=100")
    assert [row["id"] for row in hundred] == list(range(1001, 1101)), hundred[:2]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "check"])
    parser.add_argument("--hub", required=True)
    parser.add_argument("--database")
    parser.add_argument("--path")
    arguments = parser.parse_args()
    if arguments.command == "setup":
        setup(arguments.hub, arguments.database)
    else:
        check(arguments.hub, arguments.path)
