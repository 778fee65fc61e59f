#!/usr/bin/env python3
"""Checks the container packaging on a machine without a Docker engine (CI's kind), and smoke-tests the binary
the image would hold:

1. compose.yaml parses and interpolates (Debian's docker-compose `config`) with .env.example's values, and has
   the services docs/operations.md describes;
2. every path the Dockerfile copies from the build context exists, and every package its runtime stage
   installs exists in Debian;
3. the release binary built with the Dockerfile's own flags needs no shared library that the runtime stage
   (or the slim base image's libc, libgcc and libstdc++) does not provide;
4. laid out as the image lays it out (the binary and its resources in one directory), it serves its panel,
   answers `berqenas health`, and passes the end-to-end smoke tests.

    scripts/check-packaging.py   (SCRATCH_PATH=.build-release by default: the build is reused between runs)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_IMAGE_LIBRARIES = {"libc6", "libgcc-s1", "libstdc++6"}  # in debian:bookworm-slim already


def run(*command, **options):
    return subprocess.run(command, check=True, text=True, capture_output=True, cwd=ROOT, **options).stdout


def fail(message):
    sys.exit(f"check-packaging: {message}")


def check_compose(work):
    secrets = work / "secrets"
    secrets.mkdir()
    (secrets / "master_key").write_text("a-test-key\n")
    (secrets / "db_password").write_text("a-test-password\n")
    env = re.sub(r"(?m)^BERQENAS_SECRETS_DIR=.*$", f"BERQENAS_SECRETS_DIR={secrets}", (ROOT / ".env.example").read_text())
    (work / ".env").write_text(env)
    compose = ["docker-compose", "--env-file", str(work / ".env"), "-f", str(ROOT / "compose.yaml")]
    run(*compose, "config", "-q")
    services = set(run(*compose, "config", "--services").split())
    if services != {"db", "gateway", "api"}:
        fail(f"compose.yaml has the services {sorted(services)}, not db, gateway and api")
    rendered = run(*compose, "config")
    for needed in ("NET_ADMIN", "/dev/net/tun", "BERQENAS_ROLES: gateway,worker", "BERQENAS_ROLES: api", "service_healthy",
                   "/run/secrets/master_key"):
        if needed not in rendered:
            fail(f"compose.yaml, as rendered, lacks {needed}")
    print("compose.yaml: valid; services db, gateway, api")


def dockerfile_stages():
    """The Dockerfile's instructions (continuation lines joined), split by stage."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def installed_packages(stage):
    packages = []
    for line in stage:
        for command in line.split("&&"):
            words = shlex.split(command)
            if words[:2] == ["apt-get", "install"] or words[1:3] == ["apt-get", "install"]:
                packages += [w for w in words if not w.startswith("-") and w not in ("RUN", "apt-get", "install")]
    return packages


def check_dockerfile():
    stages = dockerfile_stages()
    if len(stages) != 2:
        fail("the Dockerfile should have a build stage and a runtime stage")
    for line in stages[0]:
        if line.upper().startswith("COPY "):
            for source in shlex.split(line)[1:-1]:
                if not (ROOT / source).exists():
                    fail(f"the Dockerfile copies {source}, which is not in the repository")
    if not any("--static-swift-stdlib" in line for line in stages[0]):
        fail("the build stage does not build with --static-swift-stdlib")
    runtime = installed_packages(stages[1])
    missing = [p for p in runtime if subprocess.run(["apt-cache", "show", p], capture_output=True).returncode != 0]
    if missing:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        missing = [p for p in missing if subprocess.run(["apt-cache", "show", p], capture_output=True).returncode != 0]
    if missing:
        fail(f"the runtime stage installs packages Debian does not have: {missing}")
    if not any(line.upper().startswith("HEALTHCHECK") for line in stages[1]) or not any(line.upper().startswith("USER ") for line in stages[1]):
        fail("the runtime stage needs a HEALTHCHECK and a non-root USER")
    print(f"Dockerfile: copied paths exist; runtime packages exist in Debian: {' '.join(runtime)}")
    return set(runtime)


def build(scratch):
    flags = ["-c", "release", "--static-swift-stdlib", "--scratch-path", scratch]
    subprocess.run(["swift", "build", *flags, "--product", "berqenas"], check=True, cwd=ROOT)
    return Path(run("swift", "build", *flags, "--show-bin-path").strip())


def package_of(path):
    for candidate in (path, os.path.realpath(path), "/usr" + path if not path.startswith("/usr") else path):
        answer = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if answer.returncode == 0:
            return answer.stdout.split(":")[0]
    return None


def with_dependencies(packages):
    """The packages and everything apt installs with them."""
    listed = run("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
                 "--no-replaces", "--no-enhances", "--no-pre-depends", *sorted(packages))
    return set(packages) | {line.strip().split(":")[0] for line in listed.splitlines() if line and not line.startswith(" ")}


def check_libraries(binary, runtime):
    needed = {}
    for line in run("ldd", str(binary)).splitlines():
        if "not found" in line:
            fail(f"the binary needs a library this machine lacks: {line.strip()}")
        match = re.search(r"=>\s*(/\S+)", line)
        if match:
            needed[match.group(1)] = package_of(match.group(1))
    provided = with_dependencies(runtime) | BASE_IMAGE_LIBRARIES
    unprovided = {path: package for path, package in needed.items() if package not in provided}
    if unprovided:
        fail(f"the runtime stage provides no package for: {unprovided}")
    print(f"libraries: {len(needed)} loaded, all from {sorted(set(needed.values()))}")


def smoke(bin_path, work):
    layout = work / "usr-local-bin"
    layout.mkdir()
    shutil.copy2(bin_path / "berqenas", layout / "berqenas")
    shutil.copytree(bin_path / "berqenas_BerqenasServer.resources", layout / "berqenas_BerqenasServer.resources")
    env = {**os.environ, "BERQENAS_BIN": str(layout / "berqenas")}
    tests = ["e2e/test_packaged_binary.py", "e2e/test_cli_and_server.py", "e2e/test_operations.py"]
    subprocess.run([sys.executable, "-m", "pytest", "-q", *tests], check=True, cwd=ROOT, env=env)


def main():
    scratch = os.environ.get("SCRATCH_PATH", ".build-release")
    with tempfile.TemporaryDirectory(prefix="berqenas-packaging-") as directory:
        work = Path(directory)
        check_compose(work)
        runtime = check_dockerfile()
        bin_path = build(scratch)
        check_libraries(bin_path / "berqenas", runtime)
        smoke(bin_path, work)
    print("packaging: ok")


if __name__ == "__main__":
    main()
