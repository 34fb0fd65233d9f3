#!/usr/bin/env bash
# Tessera local infrastructure: real Kafka, AMQP 1.0 (Apache Artemis), PostgreSQL and
# MongoDB-API (FerretDB) servers on 127.0.0.1, on free ports, without Docker.
#
#   deploy/local/infra.sh install                 install everything into the cache (idempotent)
#   deploy/local/infra.sh up [SERVER...]          (re)start servers with fresh data, write env.sh
#   deploy/local/infra.sh env                     print env.sh: eval "$(deploy/local/infra.sh env)"
#   deploy/local/infra.sh status                  what is running (exit 0: all running, 3: not all)
#   deploy/local/infra.sh down [SERVER...]        stop what `up` started (idempotent)
#   deploy/local/infra.sh stop [SERVER...]        stop the processes but keep data, ports and env.sh (an outage)
#   deploy/local/infra.sh start [SERVER...]       start stopped servers again: same ports, same data; waits until they answer
#   deploy/local/infra.sh restart [SERVER...]     stop + start (same ports, same data)
#   deploy/local/infra.sh smoke                   check the running servers with independent clients
#
# SERVER is one of: kafka amqp postgres mongo (default: all four).
# TESSERA_INFRA_DIR selects the state dir, e.g. a private Kafka for a test:
#   TESSERA_INFRA_DIR=/tmp/x deploy/local/infra.sh up kafka
# See deploy/local/README.md for versions, sources, ports, variables and timings.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE="${TESSERA_CACHE:-$HOME/.cache/tessera}"
STATE="${TESSERA_INFRA_DIR:-$REPO_ROOT/.tessera/infra}"
READY_TIMEOUT="${TESSERA_INFRA_TIMEOUT:-120}"   # seconds `up` waits for all servers together
STOP_TIMEOUT="${TESSERA_INFRA_STOP_TIMEOUT:-30}" # seconds `down` waits before SIGKILL

KAFKA_VERSION="${TESSERA_KAFKA_VERSION:-3.9.1}"     # stay on 3.9.x: kafkajs needs protocol versions Kafka 4 removed
ARTEMIS_GROUP="${TESSERA_ARTEMIS_GROUP:-org.apache.artemis}"
ARTEMIS_VERSION="${TESSERA_ARTEMIS_VERSION:-2.56.0}"
FERRETDB_VERSION="${TESSERA_FERRETDB_VERSION:-v1.24.0}"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"

KAFKA_HEAP="${TESSERA_KAFKA_HEAP:--Xmx256m -Xms128m}"
ARTEMIS_HEAP="${TESSERA_ARTEMIS_HEAP:--Xmx256m -Xms64m}"

AMQP_USER=tessera
AMQP_PASS=tessera
PG_USER=tessera
PG_PASS=tessera
PG_DB=tessera

ALL_SERVERS=(kafka amqp postgres mongo)

SYS_PY=/usr/bin/python3 # Debian's python: sees python3-qpid-proton and python3-pymongo

# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------
log() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T0="$(now)"
# TESSERA_INFRA_DEBUG=1: timestamps of the phases on stderr
dbg() { if [[ -n ${TESSERA_INFRA_DEBUG:-} ]]; then printf 'infra: +%ss %s\n' "$(elapsed "$T0")" "$*" >&2; fi; }

# py: any python3 for small jobs (free ports, ids); prefer Debian's, fall back to PATH
py() { if [[ -x $SYS_PY ]]; then "$SYS_PY" "$@"; else python3 "$@"; fi; }

# pick_ports N: N distinct free TCP ports on 127.0.0.1 (all held open until all are chosen)
pick_ports() {
  py -c 'import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# proc_starttime PID: start time (clock ticks since boot) of PID, to tell our process from a
# later one that reuses its number
proc_starttime() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $stat
  printf '%s\n' "${20}"
}

# is_ours NAME: the server's recorded process is alive and is the one we started
is_ours() {
  local dir="$STATE/$1" pid start
  [[ -f $dir/pid && -f $dir/starttime ]] || return 1
  pid="$(cat "$dir/pid")"
  start="$(cat "$dir/starttime")"
  [[ -n $pid && -d /proc/$pid ]] || return 1
  [[ "$(proc_starttime "$pid" || true)" == "$start" ]] || return 1
  # a zombie or dying process does not count
  local st
  st="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ $st != Z && $st != X ]]
}

valid_server() {
  local s
  for s in "${ALL_SERVERS[@]}"; do [[ $1 == "$s" ]] && return 0; done
  return 1
}

# launch NAME LOGFILE CMD...: start CMD detached (own session and process group, no terminal,
# stdin from /dev/null, output to LOGFILE, lock fd closed) and record its PID and start time.
launch() {
  local name="$1" logfile="$2"
  shift 2
  # where this start's output begins: a restart appends to the log of the earlier run
  stat -c %s "$logfile" 2>/dev/null >"$STATE/$name/log-offset" || echo 0 >"$STATE/$name/log-offset"
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  local pid=$!
  local start=""
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    start="$(proc_starttime "$pid" || true)"
    [[ -n $start ]] && break
    sleep 0.05
  done
  [[ -n $start ]] || { log "$name: process $pid ended at once"; return 1; }
  printf '%s\n' "$pid" >"$STATE/$name/pid"
  printf '%s\n' "$start" >"$STATE/$name/starttime"
}

as_postgres() {
  # PostgreSQL refuses to run as root: run its programs as the postgres OS user when we are root
  if [[ $EUID -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

pg_bindir() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/postgres && -x $d/initdb ]] || continue
    if [[ -z $best ]] || [[ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$best")")" ]]; then
      best="$d"
    fi
  done
  [[ -n $best ]] || return 1
  printf '%s\n' "$best"
}

sha12() { sha256sum "$1" | cut -c1-12; }

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
kafka_libs_dir() { printf '%s\n' "$CACHE/kafka/$KAFKA_VERSION-$(sha12 "$SCRIPT_DIR/maven/kafka/pom.xml")/libs"; }
artemis_home() { printf '%s\n' "$CACHE/artemis/apache-artemis-$ARTEMIS_VERSION"; }
ferretdb_bin() { printf '%s\n' "$CACHE/ferretdb/$FERRETDB_VERSION/ferretdb"; }

kafka_storage_template() { printf '%s\n' "$(dirname "$(kafka_libs_dir)")/storage-template"; }
pg_template() {
  local bindir major
  bindir="$(pg_bindir)" || return 1
  major="$(basename "$(dirname "$bindir")")"
  printf '%s\n' "$CACHE/postgres/template-$major-$(printf '%s %s %s' "$PG_USER" "$PG_PASS" "$PG_DB" | sha256sum | cut -c1-12)"
}

# kafka_uuid: a random Kafka Uuid in its base64url form (as `kafka-storage random-uuid` prints)
kafka_uuid() {
  py -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

ARTEMIS_INSTANCE_TOKEN=@TESSERA_ARTEMIS_INSTANCE@
# `artemis create` options of the broker instance template (kept in the cache; `up` copies it)
ARTEMIS_CREATE_OPTS=(--silent --force --name tessera --host 127.0.0.1
  --user "$AMQP_USER" --password "$AMQP_PASS" --role amq --require-login
  --no-web --no-autotune --no-fsync --nio --java-memory 256M
  --no-hornetq-acceptor --no-mqtt-acceptor --no-stomp-acceptor)
artemis_template() {
  printf '%s\n' "$CACHE/artemis/instance-template-$ARTEMIS_VERSION-$(printf '%s ' v2 "${ARTEMIS_CREATE_OPTS[@]}" | sha256sum | cut -c1-12)"
}

apt_missing() {
  # prints the Debian packages whose program or module is missing
  command -v mosquitto_pub >/dev/null 2>&1 || echo mosquitto-clients
  command -v kcat >/dev/null 2>&1 || echo kcat
  if [[ -x $SYS_PY ]]; then
    "$SYS_PY" -c 'import importlib.util as u
for m, pkg in (("proton", "python3-qpid-proton"), ("pymongo", "python3-pymongo")):
    if u.find_spec(m) is None:
        print(pkg)' 2>/dev/null || echo python3-qpid-proton
  else
    echo python3-qpid-proton
    echo python3-pymongo
  fi
  command -v openssl >/dev/null 2>&1 || echo openssl
  command -v curl >/dev/null 2>&1 || echo curl
  command -v psql >/dev/null 2>&1 || echo postgresql-client
  pg_bindir >/dev/null 2>&1 || echo postgresql
  command -v java >/dev/null 2>&1 || echo openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || echo maven
  command -v setpriv >/dev/null 2>&1 || echo util-linux
  command -v flock >/dev/null 2>&1 || echo util-linux
}

install_apt() {
  local missing
  missing="$(apt_missing | sort -u | tr '\n' ' ')"
  missing="${missing% }"
  if [[ -z $missing ]]; then
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    die "missing Debian packages: $missing (run: sudo apt-get update && sudo apt-get install -y $missing)"
  fi
  log "apt: installing $missing"
  local t0 policy_added=""
  t0="$(now)"
  # do not let package scripts start daemons (e.g. the postgresql package's default cluster)
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local rc=0 alog="$CACHE/logs/apt.log"
  mkdir -p "$CACHE/logs"
  # shellcheck disable=SC2086
  { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; } >"$alog" 2>&1 || rc=$?
  if [[ -n $policy_added ]]; then rm -f /usr/sbin/policy-rc.d; fi
  if [[ $rc -ne 0 ]]; then
    tail -n 20 "$alog" >&2
    die "apt-get install $missing failed (exit $rc; log: $alog)"
  fi
  missing="$(apt_missing | sort -u | tr '\n' ' ')"
  [[ -z ${missing// /} ]] || die "still missing after apt-get install: $missing"
  log "apt: done in $(elapsed "$t0") s"
}

check_java() {
  local jv
  jv="$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')"
  [[ ${jv%%.*} -ge 17 ]] 2>/dev/null || die "Java 17 or newer needed (found: ${jv:-none})"
}

check_go() {
  command -v go >/dev/null 2>&1 || die "Go (1.22 or newer) is needed to build FerretDB ${FERRETDB_VERSION}; it is not on PATH"
  local gv
  gv="$(go env GOVERSION 2>/dev/null || true)"
  gv="${gv#go}"
  local major="${gv%%.*}" minor="${gv#*.}"
  minor="${minor%%.*}"
  if [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] && ((major == 1 && minor < 22)); then
    die "Go 1.22 or newer is needed to build FerretDB ${FERRETDB_VERSION} (found go$gv)"
  fi
}

mvn_fetch() {
  # mvn_fetch POM OUTDIR LOG [extra -D...]: copy the POM's dependencies into OUTDIR
  local pom="$1" out="$2" mlog="$3"
  shift 3
  mkdir -p "$CACHE/maven-repo" "$(dirname "$mlog")"
  if ! mvn -B -q -f "$pom" -Dmaven.repo.local="$CACHE/maven-repo" "$@" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out" >"$mlog" 2>&1; then
    tail -n 30 "$mlog" >&2 || true
    die "mvn dependency:copy-dependencies failed for $pom (log: $mlog)"
  fi
}

install_kafka() {
  local libs
  libs="$(kafka_libs_dir)"
  [[ -f $libs/.complete ]] && return 0
  local t0
  t0="$(now)"
  log "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and runtime deps from Maven Central"
  rm -rf "$libs.tmp"
  mvn_fetch "$SCRIPT_DIR/maven/kafka/pom.xml" "$libs.tmp" "$CACHE/logs/mvn-kafka.log" -Dkafka.version="$KAFKA_VERSION"
  [[ -f "$libs.tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  touch "$libs/.complete"
  log "kafka: $(find "$libs" -name '*.jar' | wc -l) jars in $libs ($(elapsed "$t0") s)"
}

install_kafka_template() {
  # `kafka-storage format` once: a formatted, empty KRaft log dir. `up` copies it and gives the
  # copy a new random cluster id and directory id (all that format writes besides the
  # release's bootstrap metadata), which saves a JVM start per `up`.
  local tpl
  tpl="$(kafka_storage_template)"
  [[ -n $tpl ]] || die "kafka: no template path"
  [[ -f $tpl/.complete ]] && return 0
  rm -rf "$tpl" "$tpl.work"
  mkdir -p "$tpl.work"
  cat >"$tpl.work/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
controller.listener.names=CONTROLLER
log.dirs=$tpl.work/data
EOF
  if ! java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j.configuration=file:/dev/null \
    -cp "$(kafka_libs_dir)/*" kafka.tools.StorageTool format -t "$(kafka_uuid)" \
    -c "$tpl.work/server.properties" >"$tpl.work/format.log" 2>&1 8>&- 9>&-; then
    tail -n 20 "$tpl.work/format.log" >&2
    die "kafka: kafka-storage format failed (log: $tpl.work/format.log)"
  fi
  [[ -f $tpl.work/data/meta.properties && -f $tpl.work/data/bootstrap.checkpoint ]] ||
    die "kafka: unexpected kafka-storage format result in $tpl.work/data"
  mv "$tpl.work/data" "$tpl"
  rm -rf "$tpl.work"
  touch "$tpl/.complete"
}

install_postgres_template() {
  # initdb once (user, password, database); `up` copies the pristine cluster
  local tpl bindir
  bindir="$(pg_bindir)" || die "postgres: no PostgreSQL server binaries under /usr/lib/postgresql"
  tpl="$(pg_template)"
  [[ -n $tpl ]] || die "postgres: no template path"
  [[ -f $tpl.complete ]] && return 0
  rm -rf "$tpl" "$tpl.complete"
  mkdir -p "$(dirname "$tpl")"
  # initdb runs as the postgres OS user when we are root, in a directory it can reach
  local work
  work="$(mktemp -d /tmp/tessera-pg-template.XXXXXX)"
  printf '%s\n' "$PG_PASS" >"$work/pwfile"
  chmod 600 "$work/pwfile"
  [[ $EUID -eq 0 ]] && chown -R postgres: "$work"
  if ! as_postgres "$bindir/initdb" -D "$work/data" -U "$PG_USER" --pwfile="$work/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$work/initdb.log" 2>&1 8>&- 9>&-; then
    tail -n 20 "$work/initdb.log" >&2
    rm -rf "$work"
    die "postgres: initdb failed"
  fi
  if ! printf 'CREATE DATABASE %s\n' "$PG_DB" | as_postgres "$bindir/postgres" --single -D "$work/data" \
    -F -c exit_on_error=true postgres >"$work/single.log" 2>&1 8>&- 9>&-; then
    tail -n 20 "$work/single.log" >&2
    rm -rf "$work"
    die "postgres: creating database $PG_DB failed"
  fi
  rm -f "$work/data/postmaster.opts"
  cp -a "$work/data" "$tpl"
  rm -rf "$work"
  touch "$tpl.complete"
}

install_artemis() {
  local home
  home="$(artemis_home)"
  [[ -f $home/.complete ]] && return 0
  local t0 dl
  t0="$(now)"
  log "amqp: resolving $ARTEMIS_GROUP:apache-artemis:$ARTEMIS_VERSION:tar.gz:bin from Maven Central"
  dl="$CACHE/artemis/download.tmp"
  rm -rf "$dl" "$home"
  mvn_fetch "$SCRIPT_DIR/maven/artemis/pom.xml" "$dl" "$CACHE/logs/mvn-artemis.log" \
    -Dartemis.groupId="$ARTEMIS_GROUP" -Dartemis.version="$ARTEMIS_VERSION"
  local tgz="$dl/apache-artemis-$ARTEMIS_VERSION-bin.tar.gz"
  [[ -f $tgz ]] || die "artemis tarball missing after mvn: $tgz"
  tar -xzf "$tgz" -C "$CACHE/artemis"
  rm -rf "$dl"
  [[ -x $home/bin/artemis ]] || die "unexpected Artemis archive layout (no $home/bin/artemis)"
  touch "$home/.complete"
  log "amqp: Artemis $ARTEMIS_VERSION unpacked in $home ($(elapsed "$t0") s)"
}

install_artemis_template() {
  # a broker instance made once by `artemis create`; `up` copies its bin/ and etc/ and points
  # them at the state dir, which saves a JVM start per `up`
  local tpl
  tpl="$(artemis_template)"
  [[ -f $tpl/.complete ]] && return 0
  rm -rf "$tpl" "$tpl.log"
  if ! JAVA_ARGS="-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" "$(artemis_home)/bin/artemis" create \
    "${ARTEMIS_CREATE_OPTS[@]}" "$tpl" >"$tpl.log" 2>&1 8>&- 9>&-; then
    tail -n 20 "$tpl.log" >&2
    die "amqp: artemis create failed (log: $tpl.log)"
  fi
  local f
  for f in bin/artemis etc/artemis.profile etc/bootstrap.xml etc/broker.xml; do
    [[ -f $tpl/$f ]] || die "amqp: unexpected instance layout: no $tpl/$f"
  done
  # the instance's own absolute path becomes a placeholder, filled in by `up`
  { grep -rlF "$tpl" "$tpl/bin" "$tpl/etc" || true; } | while read -r f; do
    sed -i "s#$tpl#$ARTEMIS_INSTANCE_TOKEN#g" "$f"
  done
  rm -rf "$tpl/data" "$tpl/log" "$tpl/tmp" "$tpl/lock"
  touch "$tpl/.complete"
  rm -f "$tpl.log"
}

install_ferretdb() {
  local bin
  bin="$(ferretdb_bin)"
  if [[ -x $bin ]] && "$bin" --version >/dev/null 2>&1; then
    return 0
  fi
  check_go
  local t0
  t0="$(now)"
  log "mongo: building FerretDB $FERRETDB_VERSION from the Go module proxy (takes a few minutes on 2 cores)"
  # Not `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION`: (1) the module proxy reachable here
  # refuses version lists, which `go install pkg@version` asks for (deprecation check), and (2) a
  # binary built that way panics at start, as FerretDB requires build/version/version.txt, which
  # its release process generates and the module zip lacks. So: download the module, add
  # version.txt/commit.txt as FerretDB's own `task gen-version` would, and `go build` it.
  local goenv=(env GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-buildvcs=false
    GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=0)
  local glog="$CACHE/logs/go-ferretdb.log"
  mkdir -p "$CACHE/logs" "$CACHE/go"
  local json
  if ! json="$("${goenv[@]}" go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" 2>"$glog")"; then
    cat "$glog" >&2
    die "go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed"
  fi
  local moddir commit
  moddir="$(printf '%s' "$json" | py -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  commit="$(printf '%s' "$json" | py -c 'import json, sys; print(json.load(sys.stdin).get("Origin", {}).get("Hash", ""))')"
  local src="$CACHE/ferretdb/src-$FERRETDB_VERSION.tmp"
  rm -rf "$src"
  mkdir -p "$(dirname "$src")"
  cp -r "$moddir" "$src"
  chmod -R u+w "$src"
  printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  [[ -n $commit ]] && printf '%s\n' "$commit" >"$src/build/version/commit.txt"
  mkdir -p "$(dirname "$bin")"
  if ! (cd "$src" && "${goenv[@]}" go build -trimpath -o "$bin.tmp" ./cmd/ferretdb) >>"$glog" 2>&1; then
    tail -n 30 "$glog" >&2
    die "go build of FerretDB failed (log: $glog)"
  fi
  mv "$bin.tmp" "$bin"
  rm -rf "$src"
  # the Go build and module caches (~0.9 GB) are only needed to build again: drop them
  "${goenv[@]}" go clean -cache -modcache >/dev/null 2>&1 || true
  rm -rf "$CACHE/go"
  local v
  v="$("$bin" --version 2>&1 || true)"
  v="${v%%$'\n'*}"
  log "mongo: FerretDB ${v#version: } in $bin ($(elapsed "$t0") s)"
}

cmd_install() {
  local t0
  t0="$(now)"
  mkdir -p "$CACHE"
  install_apt
  check_java
  exec 8>"$CACHE/.install.lock"
  flock 8
  install_kafka
  install_kafka_template
  install_artemis
  install_artemis_template
  install_postgres_template
  install_ferretdb
  flock -u 8
  exec 8>&-
  log "install: ready in $(elapsed "$t0") s (cache: $CACHE)"
}

install_is_complete() {
  [[ -z "$(apt_missing)" ]] &&
    [[ -f "$(kafka_libs_dir)/.complete" ]] &&
    [[ -f "$(kafka_storage_template)/.complete" ]] &&
    [[ -f "$(pg_template).complete" ]] &&
    [[ -f "$(artemis_home)/.complete" ]] &&
    [[ -f "$(artemis_template)/.complete" ]] &&
    [[ -x "$(ferretdb_bin)" ]]
}

# ---------------------------------------------------------------------------------------------
# start: each start_X prepares a fresh directory, launches the server and returns at once;
# ready_X is polled until the server really answers, then writes its env fragment.
# ---------------------------------------------------------------------------------------------
start_kafka() {
  local port="$1" cport="$2" dir="$STATE/kafka"
  mkdir -p "$dir/data"
  printf '%s\n' "$port" >"$dir/port"
  cat >"$dir/server.properties" <<EOF
# generated by deploy/local/infra.sh
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=16777216
log.retention.hours=24
log.index.size.max.bytes=1048576
num.network.threads=2
num.io.threads=4
background.threads=4
EOF
  cat >"$dir/log4j.properties" <<'EOF'
# generated by deploy/local/infra.sh: everything to stdout, which infra.sh sends to kafka.log
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.log.LogConfig=WARN
log4j.logger.state.change.logger=WARN
EOF
  # a fresh KRaft log dir: the formatted template with a new random cluster id and directory id
  local cluster_id
  cluster_id="$(kafka_uuid)"
  printf '%s\n' "$cluster_id" >"$dir/cluster-id"
  cp -a "$(kafka_storage_template)/." "$dir/data/"
  rm -f "$dir/data/.complete"
  cat >"$dir/data/meta.properties" <<EOF
#
#written by deploy/local/infra.sh from a kafka-storage format template
node.id=1
directory.id=$(kafka_uuid)
version=1
cluster.id=$cluster_id
EOF
  launch_kafka
}

# launch_X: start the server X on the ports, configuration and data already in its state dir
# (used by start_X for fresh servers and by `start` to bring back a stopped one)
launch_kafka() {
  local dir="$STATE/kafka" libs
  libs="$(kafka_libs_dir)"
  local java_common=(-XX:+UseSerialGC -Djava.awt.headless=true -Djava.io.tmpdir="$dir"
    -Dlog4j.configuration="file:$dir/log4j.properties")
  # shellcheck disable=SC2086
  launch kafka "$dir/kafka.log" java $KAFKA_HEAP "${java_common[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties"
}

ready_kafka() {
  local dir="$STATE/kafka" port
  port="$(cat "$dir/port")"
  grep -q 'Kafka Server started' < <(log_since kafka) || return 1
  local meta
  meta="$(kcat -b "127.0.0.1:$port" -L -m 3 2>/dev/null)" || return 1
  [[ $meta == *' 1 brokers:'* ]] || return 1
  local v
  v="$(sed -n 's/.*INFO Kafka version: \([^ ]*\) .*/\1/p;T;q' "$dir/kafka.log")"
  [[ -n $v ]] || v="$KAFKA_VERSION"
  printf '%s\n' "Kafka $v (KRaft)" >"$dir/version"
  printf '%s\n' "127.0.0.1:$port" >"$dir/endpoint"
  printf 'export KAFKA_BROKERS="127.0.0.1:%s"\n' "$port" >"$dir/env"
}

start_amqp() {
  local port="$1" dir="$STATE/amqp"
  mkdir -p "$dir"
  printf '%s\n' "$port" >"$dir/port"
  # a new broker instance each time (fresh data), copied from the template made by
  # `artemis create` at install time, with its absolute paths pointed at this state dir
  local tpl inst="$dir/instance"
  tpl="$(artemis_template)"
  mkdir -p "$inst"
  cp -a "$tpl/." "$inst/"
  rm -f "$inst/.complete"
  local f
  { grep -rlF "$ARTEMIS_INSTANCE_TOKEN" "$inst/bin" "$inst/etc" || true; } | while read -r f; do
    sed -i "s#$ARTEMIS_INSTANCE_TOKEN#$inst#g" "$f"
  done
  if grep -rqF "$ARTEMIS_INSTANCE_TOKEN" "$inst/bin" "$inst/etc"; then
    log "amqp: placeholder left in $inst: $(grep -rlF "$ARTEMIS_INSTANCE_TOKEN" "$inst/bin" "$inst/etc" | tr '\n' ' ')"
    return 1
  fi
  local xml="$inst/etc/broker.xml"
  # keep only the AMQP acceptor, on our port; anycast routing for auto-created addresses
  # (so `event/<tenant>` and `telemetry/<tenant>` become queues on first use); no journal retention
  sed -i \
    -e '/<acceptor name="artemis">/d' \
    -e "s#<acceptor name=\"amqp\">tcp://[^?]*?#<acceptor name=\"amqp\">tcp://127.0.0.1:$port?#" \
    -e '/<journal-retention-directory/d' \
    -e 's#<address-setting match="\#">#&\n            <default-address-routing-type>ANYCAST</default-address-routing-type>\n            <default-queue-routing-type>ANYCAST</default-queue-routing-type>#' \
    "$xml"
  grep -q "<acceptor name=\"amqp\">tcp://127.0.0.1:$port?" "$xml" || { log "amqp: could not set the AMQP acceptor in $xml"; return 1; }
  if grep -q '<acceptor name="artemis">' "$xml"; then log "amqp: could not remove the core acceptor from $xml"; return 1; fi
  launch_amqp
}

launch_amqp() {
  local dir="$STATE/amqp"
  JAVA_ARGS="$ARTEMIS_HEAP -XX:+UseSerialGC -Djava.awt.headless=true -Dlog4j2.disableJmx=true --add-opens java.base/jdk.internal.misc=ALL-UNNAMED" \
    launch amqp "$dir/artemis.log" "$dir/instance/bin/artemis" run
}

ready_amqp() {
  local dir="$STATE/amqp" port
  port="$(cat "$dir/port")"
  grep -q 'AMQ221007' < <(log_since amqp) || return 1 # "Server is now active"
  "$SYS_PY" "$SCRIPT_DIR/lib/amqp_probe.py" ping "amqp://$AMQP_USER:$AMQP_PASS@127.0.0.1:$port" >/dev/null 2>&1 || return 1
  local v
  v="$(sed -n 's/.*AMQ221001: Apache .*Artemis Message Broker version \([^ ]*\) .*/\1/p;T;q' "$dir/artemis.log")"
  [[ -n $v ]] || v="$ARTEMIS_VERSION"
  printf '%s\n' "ActiveMQ Artemis $v" >"$dir/version"
  printf '%s\n' "amqp://$AMQP_USER:$AMQP_PASS@127.0.0.1:$port (SASL PLAIN, login required)" >"$dir/endpoint"
  printf 'export AMQP_URL="amqp://%s:%s@127.0.0.1:%s"\n' "$AMQP_USER" "$AMQP_PASS" "$port" >"$dir/env"
}

start_postgres() {
  local port="$1" dir="$STATE/postgres" bindir
  bindir="$(pg_bindir)" || { log "postgres: no PostgreSQL server binaries under /usr/lib/postgresql"; return 1; }
  mkdir -p "$dir"
  printf '%s\n' "$port" >"$dir/port"
  printf '%s\n' "$bindir" >"$dir/bindir"
  # the data directory must be reachable by the postgres user; if the state dir is not
  # (e.g. under a private home directory), use a private directory under /tmp instead
  local pgroot="$dir"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$dir"
    if ! as_postgres test -w "$dir" -a -x "$dir"; then
      pgroot="$(mktemp -d /tmp/tessera-pg.XXXXXX)"
      chown postgres: "$pgroot"
      printf '%s\n' "$pgroot" >"$dir/external-root"
    fi
  fi
  # a fresh cluster: copy of the pristine one made by initdb at install time
  cp -a "$(pg_template)" "$pgroot/data"
  [[ $EUID -eq 0 ]] && chown -R postgres: "$pgroot/data"
  chmod 700 "$pgroot/data"
  printf '%s\n' "$pgroot/data" >"$dir/datadir"
  # unix socket next to the data when the path is short enough (sun_path is 108 bytes)
  local sockdir="$pgroot"
  ((${#sockdir} < 90)) || sockdir=""
  printf '%s\n' "$sockdir" >"$dir/sockdir"
  launch_postgres
}

launch_postgres() {
  local dir="$STATE/postgres" port bindir datadir sockdir
  port="$(cat "$dir/port")"
  bindir="$(cat "$dir/bindir")"
  datadir="$(cat "$dir/datadir")"
  sockdir="$(cat "$dir/sockdir")"
  local asuser=()
  [[ $EUID -eq 0 ]] && asuser=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  launch postgres "$dir/postgres.log" "${asuser[@]}" "$bindir/postgres" -D "$datadir" \
    -c port="$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$sockdir" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c shared_buffers=32MB -c max_connections=200 -c max_wal_size=256MB \
    -c log_destination=stderr -c logging_collector=off
}

ready_postgres() {
  local dir="$STATE/postgres" port bindir
  port="$(cat "$dir/port")"
  bindir="$(cat "$dir/bindir")"
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 >/dev/null 2>&1 || return 1
  local v
  v="$("$bindir/psql" "postgres://$PG_USER:$PG_PASS@127.0.0.1:$port/$PG_DB" -X -At -c 'SHOW server_version' 2>/dev/null)" || return 1
  v="${v%% *}"
  printf '%s\n' "PostgreSQL $v" >"$dir/version"
  printf '%s\n' "postgres://$PG_USER:$PG_PASS@127.0.0.1:$port/$PG_DB" >"$dir/endpoint"
  printf 'export POSTGRES_URL="postgres://%s:%s@127.0.0.1:%s/%s"\n' "$PG_USER" "$PG_PASS" "$port" "$PG_DB" >"$dir/env"
}

start_mongo() {
  local port="$1" dir="$STATE/mongo"
  mkdir -p "$dir/data" "$dir/state"
  printf '%s\n' "$port" >"$dir/port"
  launch_mongo
}

launch_mongo() {
  local dir="$STATE/mongo" port bin
  port="$(cat "$dir/port")"
  bin="$(ferretdb_bin)"
  launch mongo "$dir/ferretdb.log" "$bin" --handler=sqlite --sqlite-url="file:$dir/data/" \
    --listen-addr="127.0.0.1:$port" --state-dir="$dir/state" --telemetry=disable \
    --debug-addr=- --log-format=text --log-level=info
}

ready_mongo() {
  local dir="$STATE/mongo" port
  port="$(cat "$dir/port")"
  local v
  v="$("$SYS_PY" - "$port" 2>/dev/null <<'EOF'
import sys
import pymongo
c = pymongo.MongoClient("mongodb://127.0.0.1:%s/" % sys.argv[1], serverSelectionTimeoutMS=1500, connectTimeoutMS=1500)
c.admin.command("ping")
info = c.admin.command("buildInfo")
print(info.get("ferretdbVersion", "").lstrip("v") or "?", info.get("version", "?"))
EOF
  )" || return 1
  [[ -n $v ]] || return 1
  local fv="${v%% *}" mv="${v##* }"
  printf '%s\n' "FerretDB $fv" >"$dir/version"
  printf '%s\n' "mongodb://127.0.0.1:$port/ (SQLite backend, MongoDB $mv wire API)" >"$dir/endpoint"
  printf 'export MONGODB_URI="mongodb://127.0.0.1:%s/"\n' "$port" >"$dir/env"
}

# ---------------------------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------------------------
# signal_server NAME: ask our process to stop (no-op when it is not running)
signal_server() {
  local name="$1" dir="$STATE/$1"
  is_ours "$name" || return 0
  local pid
  pid="$(cat "$dir/pid")"
  if [[ $name == postgres ]]; then
    # remember the server's children (they run in their own sessions) for the KILL fallback
    local c
    : >"$dir/children"
    for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
      printf '%s %s\n' "$c" "$(proc_starttime "$c" || true)" >>"$dir/children"
    done
    kill -INT "$pid" 2>/dev/null || true # fast shutdown
  elif [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
}

# reap_server NAME DEADLINE [keep]: wait until it is gone, KILL after DEADLINE (epoch s), clean
# up; with `keep` (infra.sh stop) its env fragment, version and endpoint stay for `start`
reap_server() {
  local name="$1" deadline="$2" keep="${3:-}" dir="$STATE/$1"
  [[ -f $dir/pid ]] || return 0
  local pid
  pid="$(cat "$dir/pid")"
  while is_ours "$name"; do
    if (($(date +%s) >= deadline)); then
      log "$name: pid $pid did not stop in ${STOP_TIMEOUT}s, sending KILL"
      if [[ $name != postgres && "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]]; then
        kill -KILL -- "-$pid" 2>/dev/null || true
      else
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  # an exited process stays a zombie until its new parent (init) reaps it: give that a moment
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [[ "$(proc_starttime "$pid" || true)" == "$(cat "$dir/starttime" 2>/dev/null)" ]] || break
    sleep 0.2
  done
  if [[ $name == postgres && -f $dir/children ]]; then
    # children of a killed postmaster exit by themselves; make sure of it
    local c cstart i left
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
      left=0
      while read -r c cstart; do
        if [[ -n $c && "$(proc_starttime "$c" || true)" == "$cstart" ]]; then left=1; fi
      done <"$dir/children"
      ((left)) || break
      sleep 0.2
    done
    while read -r c cstart; do
      if [[ -n $c && "$(proc_starttime "$c" || true)" == "$cstart" ]]; then
        log "$name: killing leftover child $c"
        kill -KILL "$c" 2>/dev/null || true
      fi
    done <"$dir/children"
    rm -f "$dir/children"
  fi
  rm -f "$dir/pid" "$dir/starttime"
  [[ -n $keep ]] || rm -f "$dir/env" "$dir/version" "$dir/endpoint" "$dir/stopped"
}

# stop_servers [--keep] NAME...: stop them; --keep leaves data, ports and env fragment (`stop`)
stop_servers() {
  local s deadline keep=""
  if [[ ${1:-} == --keep ]]; then
    keep=1
    shift
  fi
  for s in "$@"; do signal_server "$s"; done
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  for s in "$@"; do reap_server "$s" "$deadline" "$keep"; done
  [[ -z $keep ]] || return 0
  for s in "$@"; do
    rm -f "$STATE/$s/env" "$STATE/$s/version" "$STATE/$s/endpoint" "$STATE/$s/stopped"
    if [[ -f $STATE/$s/external-root ]]; then
      rm -rf "$(cat "$STATE/$s/external-root")"
      rm -f "$STATE/$s/external-root"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# env.sh
# ---------------------------------------------------------------------------------------------
write_env() {
  local s versions="" body=""
  for s in "${ALL_SERVERS[@]}"; do
    # a server stopped by `stop` keeps its place: `start` brings it back on the same port
    if { is_ours "$s" || [[ -f $STATE/$s/stopped ]]; } && [[ -f $STATE/$s/env ]]; then
      body+="$(cat "$STATE/$s/env")"$'\n'
      versions+="${versions:+; }$(cat "$STATE/$s/version")"
    fi
  done
  if [[ -z $body ]]; then
    rm -f "$STATE/env.sh"
    return 0
  fi
  {
    printf '# generated by deploy/local/infra.sh on %s; state dir %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$STATE"
    printf '%s' "$body"
    printf 'export TESSERA_INFRA_VERSIONS="%s"\n' "$versions"
  } >"$STATE/env.sh.tmp"
  mv "$STATE/env.sh.tmp" "$STATE/env.sh"
}

print_line() {
  local s="$1"
  printf '%-9s %-26s %s\n' "$s" "$(cat "$STATE/$s/version")" "$(cat "$STATE/$s/endpoint")"
}

# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------
lock_state() {
  mkdir -p "$STATE"
  [[ -f $STATE/.gitignore ]] || printf '*\n' >"$STATE/.gitignore"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another infra.sh is working on $STATE"
}

parse_servers() {
  # prints the selected servers in canonical order
  local want=("$@") s w out=()
  if ((${#want[@]} == 0)); then want=("${ALL_SERVERS[@]}"); fi
  for w in "${want[@]}"; do valid_server "$w" || die "unknown server '$w' (known: ${ALL_SERVERS[*]})"; done
  for s in "${ALL_SERVERS[@]}"; do
    for w in "${want[@]}"; do
      if [[ $s == "$w" ]]; then
        out+=("$s")
        break
      fi
    done
  done
  printf '%s\n' "${out[@]}"
}

cmd_up() {
  local t0 servers s
  t0="$(now)"
  mapfile -t servers < <(parse_servers "$@")
  if ! install_is_complete; then
    cmd_install
  fi
  dbg "install checked"
  lock_state
  dbg "locked"

  # `up` always gives fresh servers: what is running of the selected ones is stopped first
  local running=()
  for s in "${servers[@]}"; do
    if is_ours "$s"; then running+=("$s"); fi
  done
  if ((${#running[@]})); then
    log "restarting with fresh data: ${running[*]}"
  fi
  stop_servers "${servers[@]}"
  dbg "stopped previous"
  for s in "${servers[@]}"; do
    rm -rf "${STATE:?}/$s"
    mkdir -p "$STATE/$s"
  done
  write_env
  dbg "state cleaned"

  local attempt
  local pending=("${servers[@]}")
  local failed=()
  for attempt in 1 2; do
    ((${#pending[@]})) || break
    # ports for all servers at once, so they are distinct
    local need=0
    for s in "${pending[@]}"; do
      if [[ $s == kafka ]]; then need=$((need + 2)); else need=$((need + 1)); fi
    done
    local ports
    read -r -a ports <<<"$(pick_ports "$need")"
    dbg "ports ${ports[*]}"
    local i=0
    local -A bg=()
    for s in "${pending[@]}"; do
      case $s in
        kafka)
          start_kafka "${ports[$i]}" "${ports[$((i + 1))]}" &
          i=$((i + 2))
          ;;
        amqp) start_amqp "${ports[$i]}" & i=$((i + 1)) ;;
        postgres) start_postgres "${ports[$i]}" & i=$((i + 1)) ;;
        mongo) start_mongo "${ports[$i]}" & i=$((i + 1)) ;;
      esac
      bg[$s]=$!
    done
    # poll every server until it answers (each as soon as its launcher is done)
    local -A state=()
    for s in "${pending[@]}"; do state[$s]=launching; done
    local deadline
    deadline=$(($(date +%s) + READY_TIMEOUT))
    while :; do
      local busy=0
      for s in "${pending[@]}"; do
        if [[ ${state[$s]} == launching ]]; then
          if kill -0 "${bg[$s]}" 2>/dev/null; then
            busy=1
            continue
          fi
          if wait "${bg[$s]}"; then state[$s]=starting; else state[$s]=failed; fi
          dbg "$s launched (${state[$s]})"
        fi
        [[ ${state[$s]} == starting ]] || continue
        if "ready_$s"; then
          state[$s]=ready
          dbg "$s ready"
          elapsed "$t0" >"$STATE/$s/ready-after"
        elif ! is_ours "$s"; then
          state[$s]=died
        else
          busy=1
        fi
      done
      ((busy)) || break
      if (($(date +%s) >= deadline)); then
        for s in "${pending[@]}"; do
          if [[ ${state[$s]} == launching ]]; then wait "${bg[$s]}" || true; fi
          if [[ ${state[$s]} == starting || ${state[$s]} == launching ]]; then state[$s]=timeout; fi
        done
        break
      fi
      sleep 0.25
    done
    # servers that lost a port race get one more try with new ports
    local retry=()
    failed=()
    for s in "${pending[@]}"; do
      case ${state[$s]} in
        ready) : ;;
        *)
          local logf
          logf="$(server_log "$s")"
          if [[ $attempt -eq 1 && ${state[$s]} == died ]] && grep -qiE 'address already in use|BindException' "$logf" 2>/dev/null; then
            log "$s: port taken meanwhile, retrying with another port"
            stop_servers "$s"
            rm -rf "${STATE:?}/$s"
            mkdir -p "$STATE/$s"
            retry+=("$s")
          else
            failed+=("$s")
            local why="${state[$s]}"
            [[ $why == timeout ]] && why="did not answer within ${READY_TIMEOUT}s"
            [[ $why == died ]] && why="process exited during start"
            [[ $why == failed ]] && why="could not be started"
            printf 'infra: error: %s %s; last lines of %s:\n' "$s" "$why" "$logf" >&2
            tail -n 25 "$logf" 2>/dev/null | sed 's/^/    /' >&2 || true
          fi
          ;;
      esac
    done
    pending=("${retry[@]+"${retry[@]}"}")
  done

  if ((${#failed[@]})); then
    stop_servers "${servers[@]}"
    write_env
    die "up failed for: ${failed[*]} (the servers this 'up' started were stopped again)"
  fi
  write_env
  local detail=""
  for s in "${servers[@]}"; do
    print_line "$s"
    detail+="${detail:+, }$s $(cat "$STATE/$s/ready-after")"
  done
  log "up: ready in $(elapsed "$t0") s ($detail); env: $STATE/env.sh (eval \"\$($0 env)\")"
}

server_log() {
  case $1 in
    kafka) echo "$STATE/kafka/kafka.log" ;;
    amqp) echo "$STATE/amqp/artemis.log" ;;
    postgres) echo "$STATE/postgres/postgres.log" ;;
    mongo) echo "$STATE/mongo/ferretdb.log" ;;
  esac
}

cmd_down() {
  local servers s
  mapfile -t servers < <(parse_servers "$@")
  if [[ ! -d $STATE ]]; then
    log "down: nothing to stop (no $STATE)"
    return 0
  fi
  lock_state
  local stopped=()
  for s in "${servers[@]}"; do
    if is_ours "$s" || [[ -f $STATE/$s/stopped ]]; then stopped+=("$s"); fi
  done
  stop_servers "${servers[@]}"
  write_env
  if ((${#stopped[@]})); then
    log "down: stopped ${stopped[*]}"
  else
    log "down: nothing was running"
  fi
}

# ports_of NAME: the TCP ports the server listens on (Kafka: client listener and controller)
ports_of() {
  local dir="$STATE/$1"
  cat "$dir/port"
  if [[ $1 == kafka ]]; then
    sed -n 's/^controller.quorum.voters=1@127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.properties"
  fi
}

# port_free PORT: nobody listens on 127.0.0.1:PORT (bound with SO_REUSEADDR, as the servers do)
port_free() {
  py -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# log_since NAME: what the server logged since its last launch
log_since() {
  local off=0
  [[ -f $STATE/$1/log-offset ]] && off="$(cat "$STATE/$1/log-offset")"
  tail -c +"$((off + 1))" "$(server_log "$1")" 2>/dev/null || true
}

# kept NAME: `start` can bring it back (stopped by `stop`, or crashed): its state dir is intact
kept() {
  [[ -f $STATE/$1/stopped || -f $STATE/$1/pid ]] && [[ -f $STATE/$1/port ]]
}

# relaunch NAME...: launch stopped servers on their recorded ports and data, wait until they answer
relaunch() {
  local t0 s p
  t0="$(now)"
  for s in "$@"; do
    for p in $(ports_of "$s"); do
      port_free "$p" || die "$s: port $p is taken by another process now; cannot start on the same port (use '$0 up $s' for new ports)"
    done
  done
  for s in "$@"; do
    "launch_$s" || die "$s: could not be started (see $(server_log "$s"))"
  done
  local -A state=()
  local deadline
  deadline=$(($(date +%s) + READY_TIMEOUT))
  while :; do
    local busy=0
    for s in "$@"; do
      [[ -z ${state[$s]:-} ]] || continue
      if "ready_$s"; then
        state[$s]=ready
        rm -f "$STATE/$s/stopped"
        elapsed "$t0" >"$STATE/$s/ready-after"
      elif ! is_ours "$s"; then
        state[$s]="process exited during start"
      else
        busy=1
      fi
    done
    ((busy)) || break
    if (($(date +%s) >= deadline)); then
      for s in "$@"; do [[ -n ${state[$s]:-} ]] || state[$s]="did not answer within ${READY_TIMEOUT}s"; done
      break
    fi
    sleep 0.25
  done
  local failed=()
  for s in "$@"; do
    [[ ${state[$s]} == ready ]] && continue
    failed+=("$s")
    printf 'infra: error: %s %s; its log since the start (%s):\n' "$s" "${state[$s]}" "$(server_log "$s")" >&2
    log_since "$s" | tail -n 25 | sed 's/^/    /' >&2 || true
  done
  if ((${#failed[@]})); then
    # leave them stopped, data kept, so that `start` can be tried again
    for s in "${failed[@]}"; do touch "$STATE/$s/stopped"; done
    stop_servers --keep "${failed[@]}"
    die "start failed for: ${failed[*]} (stopped again; data and ports kept)"
  fi
  write_env
  local detail=""
  for s in "$@"; do
    print_line "$s"
    detail+="${detail:+, }$s $(cat "$STATE/$s/ready-after")"
  done
  log "start: ready in $(elapsed "$t0") s ($detail); same ports and data, env.sh unchanged"
}

cmd_stop() {
  local servers s running=()
  mapfile -t servers < <(parse_servers "$@")
  [[ -d $STATE ]] || die "stop: nothing is up in $STATE"
  lock_state
  for s in "${servers[@]}"; do
    if is_ours "$s"; then running+=("$s"); fi
  done
  if ((${#running[@]} == 0)); then
    log "stop: nothing was running"
    return 0
  fi
  for s in "${running[@]}"; do touch "$STATE/$s/stopped"; done
  stop_servers --keep "${running[@]}"
  log "stop: stopped ${running[*]}; data, ports and env.sh kept (bring back: $0 start ${running[*]})"
}

cmd_start() {
  local servers s todo=() explicit=0
  (($#)) && explicit=1
  mapfile -t servers < <(parse_servers "$@")
  [[ -d $STATE ]] || die "start: nothing is up in $STATE (use '$0 up' first)"
  lock_state
  for s in "${servers[@]}"; do
    if is_ours "$s"; then
      log "$s: already running"
    elif kept "$s"; then
      todo+=("$s")
    elif ((explicit)); then
      die "$s is not up in $STATE (nothing to start; '$0 up $s' starts a fresh one)"
    fi
  done
  if ((${#todo[@]} == 0)); then
    log "start: nothing to start"
    return 0
  fi
  relaunch "${todo[@]}"
}

cmd_restart() {
  local servers s todo=() explicit=0
  (($#)) && explicit=1
  mapfile -t servers < <(parse_servers "$@")
  [[ -d $STATE ]] || die "restart: nothing is up in $STATE (use '$0 up' first)"
  lock_state
  for s in "${servers[@]}"; do
    if is_ours "$s"; then
      touch "$STATE/$s/stopped"
      stop_servers --keep "$s"
      todo+=("$s")
    elif kept "$s"; then
      todo+=("$s")
    elif ((explicit)); then
      die "$s is not up in $STATE ('$0 up $s' starts a fresh one)"
    fi
  done
  if ((${#todo[@]} == 0)); then
    log "restart: nothing to restart"
    return 0
  fi
  relaunch "${todo[@]}"
}

cmd_env() {
  [[ -f $STATE/env.sh ]] || die "no servers are up (no $STATE/env.sh); run: $0 up"
  cat "$STATE/env.sh"
}

cmd_status() {
  local s all=0
  for s in "${ALL_SERVERS[@]}"; do
    if is_ours "$s" && [[ -f $STATE/$s/version ]]; then
      printf '%-9s running   pid %-8s %-26s %s\n' "$s" "$(cat "$STATE/$s/pid")" "$(cat "$STATE/$s/version")" "$(cat "$STATE/$s/endpoint")"
    elif is_ours "$s"; then
      printf '%-9s starting  pid %s\n' "$s" "$(cat "$STATE/$s/pid")"
      all=3
    elif [[ -f $STATE/$s/stopped ]]; then
      printf '%-9s stopped   (by stop; data and port kept: %s; bring back with start)\n' "$s" "$(cat "$STATE/$s/endpoint" 2>/dev/null || cat "$STATE/$s/port")"
      all=3
    elif [[ -f $STATE/$s/pid ]]; then
      printf '%-9s dead      (recorded pid %s is gone; see %s)\n' "$s" "$(cat "$STATE/$s/pid")" "$(server_log "$s")"
      all=3
    else
      printf '%-9s stopped\n' "$s"
      all=3
    fi
  done
  return "$all"
}

cmd_smoke() {
  [[ -f $STATE/env.sh ]] || die "no servers are up; run: $0 up"
  # shellcheck disable=SC1091
  source "$STATE/env.sh"
  local ok=0 bad=0 topic="smoke-$$-$RANDOM"
  if [[ -n ${KAFKA_BROKERS:-} ]]; then
    local got
    printf 'key-1\tvalue-1\n' | kcat -b "$KAFKA_BROKERS" -P -t "$topic" -K $'\t' -H tessera=smoke
    got="$(kcat -b "$KAFKA_BROKERS" -C -t "$topic" -o beginning -c 1 -e -q -f 'key=%k value=%s headers=%h' 2>&1 || true)"
    if [[ $got == "key=key-1 value=value-1 headers=tessera=smoke" ]]; then
      echo "smoke kafka: ok (kcat produce/consume with key and header on $topic)"
      ok=$((ok + 1))
    else
      echo "smoke kafka: FAILED: $got"
      bad=$((bad + 1))
    fi
  fi
  if [[ -n ${AMQP_URL:-} ]]; then
    if "$SYS_PY" "$SCRIPT_DIR/lib/amqp_probe.py" roundtrip "$AMQP_URL" "event/smoke-$$"; then
      echo "smoke amqp: ok (Qpid Proton send + receive on event/smoke-$$)"
      ok=$((ok + 1))
    else
      echo "smoke amqp: FAILED"
      bad=$((bad + 1))
    fi
  fi
  if [[ -n ${POSTGRES_URL:-} ]]; then
    if [[ "$(psql "$POSTGRES_URL" -X -At -c 'select 1' 2>&1)" == 1 ]]; then
      echo "smoke postgres: ok (psql select 1)"
      ok=$((ok + 1))
    else
      echo "smoke postgres: FAILED"
      bad=$((bad + 1))
    fi
  fi
  if [[ -n ${MONGODB_URI:-} ]]; then
    if "$SYS_PY" - "$MONGODB_URI" <<'EOF'
import sys, uuid
import pymongo
c = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=5000)
coll = c["smoke"]["items"]
key = str(uuid.uuid4())
coll.insert_one({"key": key, "n": 1})
doc = coll.find_one({"key": key})
assert doc is not None and doc["n"] == 1, doc
EOF
    then
      echo "smoke mongo: ok (pymongo insert_one + find_one)"
      ok=$((ok + 1))
    else
      echo "smoke mongo: FAILED"
      bad=$((bad + 1))
    fi
  fi
  echo "smoke: $ok passed, $bad failed"
  ((bad == 0))
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case $cmd in
    install) cmd_install ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    stop) cmd_stop "$@" ;;
    start) cmd_start "$@" ;;
    restart) cmd_restart "$@" ;;
    env) cmd_env ;;
    status) cmd_status ;;
    smoke) cmd_smoke ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
