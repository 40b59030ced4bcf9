#!/usr/bin/env bash
# The scale-out test runs the Prefect server on PostgreSQL (Debian's package); install it when missing.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
  # The test starts its own cluster on a random port; the packaged one is not needed.
  (service postgresql stop || true) >/dev/null 2>&1
  echo "postgresql installed: $(ls /usr/lib/postgresql/*/bin/initdb)"
else
  echo "PostgreSQL is missing: install it (Debian/Ubuntu: sudo apt-get install postgresql) for the scale-out test" >&2
  exit 1
fi
