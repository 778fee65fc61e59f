#!/usr/bin/env bash
# The test command: lints, installs what tests need, starts a throwaway PostgreSQL cluster, builds, runs the
# Swift suites and the end-to-end suite against the real binary, checks the container packaging with the
# release binary the image holds, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

# Layout and style as .swift-format says (the toolchain's swift-format; `swift format -i -r Sources Tests
# Package.swift` fixes what it reports).
swift format lint --strict --recursive --parallel Sources Tests Package.swift

scripts/install-test-deps.sh

cluster_dir=$(mktemp -d /tmp/berqenas-test-pg.XXXXXX)
cleanup() { scripts/pg-cluster.sh stop "$cluster_dir"; }
trap cleanup EXIT
export BERQENAS_TEST_POSTGRES_URL
BERQENAS_TEST_POSTGRES_URL=$(scripts/pg-cluster.sh start "$cluster_dir")
export BERQENAS_TEST_REQUIRE_POSTGRES=1
export SWIFT_BACKTRACE=enable=no

swift build --build-tests
swift test --skip-build
BERQENAS_BIN="$(swift build --show-bin-path)/berqenas" python3 -m pytest -q e2e

# The container packaging, checked without a Docker engine, and the image's binary (a static-stdlib release
# build, as the Dockerfile makes it) through the end-to-end smoke tests.
scripts/check-packaging.py
