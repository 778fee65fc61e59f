"""What the benchmark drivers share: JSON calls to a hub, signing in as its first admin, a process's RSS."""
import json
import urllib.request


def call(url, method="GET", body=None, token=None):
    """A JSON request; the decoded answer (None when empty). Raises on an HTTP error."""
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def admin_token(hub):
    """An access token of the hub's first admin (its generated password is in the data directory)."""
    password = (hub.data_dir / "initial-admin-password").read_text().strip()
    return call(hub.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": password})["access_token"]


def rss_kib(pid, field="VmRSS"):
    """A field of /proc/<pid>/status, in KiB (RSS by default)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0
