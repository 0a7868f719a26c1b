#!/usr/bin/env bash
# Runs docs/DEPLOYMENT.md as written (issue #9): every ```sh block in order — PostgreSQL and
# PostGIS from Debian, the database, two instances, nginx in front, a backup — then checks the
# deployment through nginx: one dataset whichever instance answers, an instance dying, the
# database restarting, and a restore from the backup (the ```sh restore block).
#
#   bash scripts/ci/deployment.sh            # set up, check, tear down
#   KEEP=1 bash scripts/ci/deployment.sh     # leave it running (scripts/bench/scaleout.sh)
#
# Needs root (apt-get, runuser). Uses ports 5432, 8080, 8081 and 8082 on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DOC=docs/DEPLOYMENT.md
NGINX=http://127.0.0.1:8080
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }
block() { awk -v open="\`\`\`$1" '$0 == open {on = 1; next} on && $0 == "```" {on = 0; next} on {print}' "$DOC"; }

teardown() {
  pkill -TERM -f "incidentmap serve --config /etc/incidentmap/incidentmap.toml" 2>/dev/null || true
  nginx -s stop 2>/dev/null || true
  rm -f /etc/nginx/conf.d/incidentmap.conf
  if pg_ctlcluster 15 main status >/dev/null 2>&1; then
    runuser -u postgres -- dropdb --force --if-exists incidentmap || true
    pg_ctlcluster 15 main stop || true
  fi
}
if [ -z "${KEEP:-}" ]; then trap teardown EXIT; fi

step "building the release binary the guide installs"
cargo build --release --quiet

WORK="$(mktemp -d)"
block sh >"$WORK/setup.sh"
block "sh restore" >"$WORK/restore.sh"
[ -s "$WORK/setup.sh" ] && [ -s "$WORK/restore.sh" ] || fail "no sh blocks found in $DOC"

step "running every sh block of $DOC"
# Sourced, so the variables the guide exports (DB_PASSWORD, WRITE_TOKEN) stay set here.
set -x
# shellcheck disable=SC1091
source "$WORK/setup.sh"
set +x

json() { curl -sf "$1" | python3 -c "import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1]))" "$2"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
version_of() { json "http://127.0.0.1:$1/health" 'v["data_version"]'; }
wait_for() { # SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "$what: not within ${limit}s"
    sleep 0.1
  done
}
same_version() { [ "$(version_of 8081)" = "$(version_of 8082)" ]; }
post() { # ID -> HTTP status of a create through nginx
  status -X POST "$NGINX/collections/incidents/items" \
    -H "Authorization: Bearer $WRITE_TOKEN" -H 'Content-Type: application/geo+json' \
    -d "{\"type\":\"Feature\",\"id\":\"$1\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[71.43,51.13]},\"properties\":{\"occurred_at\":\"2022-01-06\",\"category\":\"arrests\",\"arrested\":3}}"
}
served_by_both() { [ "$(status "http://127.0.0.1:8081/collections/incidents/items/$1")" = 200 ] &&
                   [ "$(status "http://127.0.0.1:8082/collections/incidents/items/$1")" = 200 ]; }
gone_from_both() { [ "$(status "http://127.0.0.1:8081/collections/incidents/items/$1")" = 404 ] &&
                   [ "$(status "http://127.0.0.1:8082/collections/incidents/items/$1")" = 404 ]; }

step "one dataset, whichever instance answers"
wait_for 2 "both instances at one data version" same_version
n=$(json "$NGINX/health" 'v["incidents"]')
[ "$n" -ge 18 ] || fail "expected the demo and the check incident through nginx, got $n"
json "$NGINX/" '[l["href"] for l in v["links"] if l["rel"] == "self"][0]' | grep -q "^http://127.0.0.1:8080/" \
  || fail "links through nginx do not name nginx's address"
for i in $(seq 1 20); do
  [ "$(post "nginx-$i")" = 201 ] || fail "write nginx-$i through nginx"
done
for i in $(seq 1 20); do wait_for 1 "nginx-$i served by both instances" served_by_both "nginx-$i"; done
tile=$(curl -sf -o "$WORK/tile.png" -w '%{content_type}' "$NGINX/tiles/heat/5/22/11.png")
[ "$tile" = image/png ] || fail "tile through nginx: $tile"
e1=$(curl -sfI http://127.0.0.1:8081/tiles/heat/5/22/11.png | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
e2=$(curl -sfI http://127.0.0.1:8082/tiles/heat/5/22/11.png | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
[ -n "$e1" ] && [ "$e1" = "$e2" ] || fail "tile ETags differ between instances: $e1 vs $e2"
echo "ok: 20 writes through nginx served by both instances; tile ETags agree ($e1)"
# Debian's cluster offers TLS (its snakeoil certificate), so the default sslmode encrypts.
read -r tls all < <(runuser -u postgres -- psql -Atq -F ' ' -d incidentmap -c \
  "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'incidentmap'")
[ "$all" -gt 0 ] && [ "$tls" = "$all" ] || fail "$tls of $all instance connections use TLS"
echo "ok: all $all connections of the instances to PostgreSQL use TLS"

step "an instance dies: nginx serves from the other"
pkill -TERM -f "incidentmap serve --config /etc/incidentmap/incidentmap.toml --bind 127.0.0.1:8082"
sleep 1
for i in $(seq 1 20); do
  [ "$(status "$NGINX/collections/incidents/items?limit=5")" = 200 ] || fail "read $i through nginx with one instance down"
done
[ "$(post nginx-while-one-down)" = 201 ] || fail "write through nginx with one instance down"
nohup incidentmap serve --config /etc/incidentmap/incidentmap.toml --bind 127.0.0.1:8082 \
  >>/var/log/incidentmap/8082.log 2>&1 &
wait_for 60 "8082 back" curl -sf http://127.0.0.1:8082/health
wait_for 1 "8082 has the write made while it was down" served_by_both nginx-while-one-down
echo "ok: 20 reads and a write through nginx while 8082 was down; it came back with everything"

step "the database restarts: reads continue, writes 503 and then recover"
pg_ctlcluster 15 main stop -m fast
for i in $(seq 1 10); do
  [ "$(status "$NGINX/collections/incidents/items?limit=5")" = 200 ] || fail "read $i while the database is down"
done
code=$(curl -s -o "$WORK/err.json" -w '%{http_code}' -X POST "$NGINX/collections/incidents/items" \
  -H "Authorization: Bearer $WRITE_TOKEN" -H 'Content-Type: application/geo+json' \
  -d '{"type":"Feature","id":"during-outage","geometry":{"type":"Point","coordinates":[71.4,51.1]},"properties":{"occurred_at":"2022-01-06","category":"protest"}}')
[ "$code" = 503 ] || fail "write while the database is down: $code $(cat "$WORK/err.json")"
grep -q '"code":"StoreUnavailable"' "$WORK/err.json" || fail "503 body: $(cat "$WORK/err.json")"
wait_for 5 "health degraded" sh -c "curl -sf $NGINX/health | grep -q degraded"
pg_ctlcluster 15 main start
wait_for 20 "writes recover" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST $NGINX/collections/incidents/items -H 'Authorization: Bearer $WRITE_TOKEN' -H 'Content-Type: application/geo+json' -d '{\"type\":\"Feature\",\"id\":\"after-outage\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[71.4,51.1]},\"properties\":{\"occurred_at\":\"2022-01-06\",\"category\":\"protest\"}}')\" = 201 ]"
wait_for 3 "after-outage served by both" served_by_both after-outage
echo "ok: reads served and writes refused with StoreUnavailable during the outage; writes recovered"

step "restore the backup taken in step 9"
before=$(version_of 8081)
[ "$(post written-after-the-dump)" = 201 ] || fail "write after the dump"
wait_for 1 "written-after-the-dump served by both" served_by_both written-after-the-dump
set -x
# shellcheck disable=SC1091
source "$WORK/restore.sh"
set +x
wait_for 10 "both instances reload the restored database" gone_from_both written-after-the-dump
served_by_both deploy-check || fail "deploy-check (in the dump) is missing after the restore"
wait_for 3 "one data version again" same_version
after=$(version_of 8081)
[ "$after" -gt "$before" ] || fail "data version went from $before to $after: it must move on"
echo "ok: both instances reloaded the restored database; data version $before -> $after"

echo
echo "the deployment guide works as written"
