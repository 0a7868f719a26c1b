#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 and PostGIS 3 (issue #9), which the store tests and the
# scale-out tests run against; openssl, with which the TLS tests make their certificates, and
# ca-certificates, the system CA store they check a stranger's certificate against. The tests
# start their own throwaway clusters on free local ports (tests/integration/postgres.rs);
# nothing here starts a server. Without them the PostgreSQL tests skip themselves (one line
# says so), unless INCIDENTMAP_REQUIRE_POSTGRES=1 (as .ci/run sets) makes that a failure.
#
#   bash scripts/ci/postgres.sh
#
# Idempotent: does nothing when both are installed. Needs root (apt-get).
set -euo pipefail
PACKAGES="postgresql-15 postgresql-15-postgis-3 openssl ca-certificates"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  # The tests make their own clusters: skip the package's default one (and its server).
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $missing >/dev/null
fi
/usr/lib/postgresql/15/bin/postgres --version
test -e /usr/share/postgresql/15/extension/postgis.control
echo "PostGIS $(sed -n "s/^default_version *= *'\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)"
