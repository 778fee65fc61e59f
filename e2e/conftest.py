"""Fixtures that run the real `berqenas` binary: a hub process and the CLI against it."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

BINARY = os.environ.get("BERQENAS_BIN", ".build/debug/berqenas")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=180, what="condition"):
    """The predicate's first truthy value, polled until `timeout` seconds (a bound, not a pause)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    raise AssertionError(f"{what}: not reached within {timeout} s")


def loopback_allowance():
    """What e2e hubs may connect to for tenants: loopback, and the test cluster's port, which the destination
    policy otherwise keeps for a PostgreSQL system database."""
    entries = ["127.0.0.0/8", "::1/128"]
    url = os.environ.get("BERQENAS_TEST_POSTGRES_URL")
    if url:
        port = urllib.parse.urlparse(url).port or 5432
        entries += [f"127.0.0.0/8:{port}", f"[::1/128]:{port}"]
    return ",".join(entries)


class Hub:
    """One `berqenas serve` process over a data directory."""

    def __init__(self, data_dir, port, extra_env=None, prefix=(), host="127.0.0.1"):
        self.data_dir = data_dir
        self.port = port
        self.prefix = list(prefix)  # e.g. ["ip", "netns", "exec", "hub"]: run the hub inside a namespace
        self.url = f"http://{host}:{port}"
        self.env = {**os.environ, "BERQENAS_DATA_DIR": str(data_dir), "BERQENAS_PORT": str(port),
                    "BERQENAS_BCRYPT_COST": "6", "BERQENAS_SQLITE_REMOTE_DIR": str(data_dir.parent),
                    "BERQENAS_REMOTE_ALLOW": loopback_allowance(), "BERQENAS_LOGIN_RATE_LIMIT": "10000",
                    "BERQENAS_ANONYMOUS_RATE_LIMIT": "100000", **(extra_env or {})}
        self.process = None
        self.log_path = data_dir.parent / f"serve-{port}.log"

    def start(self, timeout=30):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([*self.prefix, BINARY, "serve"], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return json.load(response)
            except OSError:
                time.sleep(0.05)  # polling for readiness, bounded by the deadline
        raise RuntimeError("hub did not become healthy: " + self.log())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(timeout=30)
        return self.process.returncode if self.process else None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def hub(tmp_path):
    instance = Hub(tmp_path / "data", free_port())
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def cli(tmp_path):
    config = tmp_path / "cli-config.json"

    def run(*args, stdin=None, check=True):
        env = {**os.environ, "BERQENAS_CONFIG": str(config)}
        result = subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"berqenas {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    run.config_path = config
    return run
