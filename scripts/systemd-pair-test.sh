#!/usr/bin/env bash
# The pair deployed as on two real hosts, under a real systemd: hosts a and b are
# systemd-nspawn containers booting Debian 12 (systemd as their PID 1), each with its own
# network namespace, mount namespace and state directory. Both install ftvm with
# scripts/install.sh and run the pair from `ftvm init`'s config as ftvm@web.service; the
# go-live arbiter is a ZooKeeper server on a third host (the kernel here has no NFS, see
# docs/deploy.md). A client host holds ONE TCP connection to the guest's counter service
# throughout. Then one fault, and what systemd and the pair do about it.
#
#   scripts/systemd-pair-test.sh [kill-daemon-a|kill-host-a|cut-link|stop-units|planned-failover|join-empty]
#
#   kill-daemon-a  kill -9 of node a's daemon (the primary): b goes live; systemd restarts a,
#                  which finds its state stale and exits 3 (no restart loop, unit failed)
#   kill-host-a    host a's container killed outright (every process, no shutdown): b goes live
#   cut-link       the logging link cut: exactly one node stays live (the arbiter decides)
#   stop-units     systemctl stop on both hosts: each QEMU halted cleanly, nothing left over
#   planned-failover  ftvm failover on host a: a hands off, b goes live
#   join-empty     the disk copied by ftvm: only host a gets the disk (16 MiB of random bytes). a
#                  alone first as configured (shows what a primary does when its peer never
#                  comes; $FTVM_SD_ALONE_WATCH_S seconds, default 15, 0 skips), then stopped,
#                  epoch raised, started with FTVM_START_OPTIONS=--unprotected; the client
#                  connects; b's unit starts with FTVM_IF_STALE=join, FTVM_START_OPTIONS=--join
#                  and an EMPTY state directory (then a sparse placeholder of the disk's size,
#                  which the joiner needs); a clones its running VM, disk included, to b; the
#                  disks must be byte-identical; then host a is killed outright: b goes live
#
# Why a script and not an *IT: it boots two OS containers, installs from the worktree with the
# admin's own tools (install.sh, systemctl) and needs debootstrap and a Debian mirror the first
# time; it checks packaging, not Java logic. Opt-in, root only, a few minutes, under the VM lock
# (it runs two QEMUs). Exit 0 when every check passed. Work dir: $FTVM_SD_DIR or /tmp/ftvm-sd-<pid>.
# The rootfs is cached in ~/.cache/ftvm/nspawn-<hash of its inputs>.
set -euo pipefail

fault=${1:-kill-daemon-a}
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[[ $fault =~ ^(kill-daemon-a|kill-host-a|cut-link|stop-units|planned-failover|join-empty)$ ]] ||
  { echo "unknown fault $fault" >&2; exit 2; }
# shellcheck disable=SC1090
source "${FTVM_ENV:-$HOME/.cache/ftvm/env}"
work=${FTVM_SD_DIR:-/tmp/ftvm-sd-$$}
id=sd$$
lan=ftvm-$id-lan
ns_a=ftvm-$id-a
ns_b=ftvm-$id-b
ns_c=ftvm-$id-c
guest_ip=10.77.1.10
zk=10.77.1.100:2181
failures=0
declare -A leader nspawn

log() { echo "[$(date -u +%H:%M:%S.%3N)] $*" >&2; }
check() { # description, command...
  local what=$1; shift
  if "$@"; then log "PASS: $what"; else log "FAIL: $what"; failures=$((failures + 1)); fi
}
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- rootfs (cached)
suite=bookworm
mirror=${FTVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=systemd,systemd-sysv,dbus,iproute2,util-linux,procps
key=$(printf '%s\n' "$suite" "$mirror" "$packages" "rootfs-v1" | sha256sum | cut -c1-16)
rootfs=$HOME/.cache/ftvm/nspawn-$key
if [[ ! -f $rootfs/.ftvm-complete ]]; then
  [[ -x /usr/sbin/debootstrap ]] || apt-get install -y -q debootstrap >&2
  log "building the container rootfs in $rootfs (debootstrap $suite, once)"
  rm -rf "$rootfs.tmp"
  nice -n 19 debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs.tmp" "$mirror" >&2
  echo ftvm-host >"$rootfs.tmp/etc/hostname"
  : >"$rootfs.tmp/etc/machine-id"
  # Nothing in the containers needs a login prompt or time sync.
  ln -sf /dev/null "$rootfs.tmp/etc/systemd/system/console-getty.service"
  ln -sf /dev/null "$rootfs.tmp/etc/systemd/system/systemd-timesyncd.service"
  touch "$rootfs.tmp/.ftvm-complete"
  mv "$rootfs.tmp" "$rootfs"
fi

# ---------------------------------------------------------------- cleanup
cleanup() {
  set +e
  for h in a b; do
    if [[ -n ${leader[$h]:-} ]] && kill -0 "${leader[$h]}" 2>/dev/null; then
      nsenter -t "${leader[$h]}" -m -u -i -n -p -- systemctl stop "ftvm@web" >/dev/null 2>&1
    fi
    if [[ -n ${leader[$h]:-} ]] && kill -0 "${leader[$h]}" 2>/dev/null; then
      nsenter -t "${leader[$h]}" -m -u -i -n -p -- systemctl poweroff >/dev/null 2>&1
    fi
    if [[ -n ${nspawn[$h]:-} ]]; then
      for _ in $(seq 50); do kill -0 "${nspawn[$h]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${nspawn[$h]}" 2>/dev/null
    fi
    rmdir "/run/systemd/nspawn/propagate/ftvm-$id-$h" 2>/dev/null # nspawn leaves it empty
  done
  [[ -n ${zk_pid:-} ]] && kill "$zk_pid" 2>/dev/null
  [[ -n ${client_pid:-} ]] && kill "$client_pid" 2>/dev/null
  for ns in "$ns_a" "$ns_b" "$ns_c" "$lan"; do ip netns delete "$ns" 2>/dev/null; done
  log "work directory kept: $work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- network: 3 hosts + switches
mkdir -p "$work"
for ns in "$lan" "$ns_a" "$ns_b" "$ns_c"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link add brlog type bridge
ip -n "$lan" link set br0 up
ip -n "$lan" link set brlog up
host_net() { # namespace, host number: LAN uplink in the host bridge br0 (the guest's TAP joins it)
  local ns=$1 n=$2
  ip link add uplink netns "$ns" type veth peer name "lan$n" netns "$lan"
  ip link add log0 netns "$ns" type veth peer name "log$n" netns "$lan"
  ip -n "$lan" link set "lan$n" master br0 up
  ip -n "$lan" link set "log$n" master brlog up
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" link set uplink master br0 up
  ip -n "$ns" link set br0 up
  ip -n "$ns" addr add "10.77.1.$n/24" dev br0
  ip -n "$ns" addr add "10.77.2.$n/24" dev log0
  ip -n "$ns" link set log0 up
}
host_net "$ns_a" 1
host_net "$ns_b" 2
ip link add eth0 netns "$ns_c" type veth peer name lanc netns "$lan"
ip -n "$lan" link set lanc master br0 up
ip -n "$ns_c" addr add 10.77.1.100/24 dev eth0
ip -n "$ns_c" link set eth0 up

# ---------------------------------------------------------------- ZooKeeper on the client host
mkdir -p "$work/zk/data"
printf 'tickTime=200\ninitLimit=50\nsyncLimit=10\ndataDir=%s\nclientPort=2181\nadmin.enableServer=false\n' \
  "$work/zk/data" >"$work/zk/zoo.cfg"
ip netns exec "$ns_c" nice -n 19 java -Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$work/zk/zoo.cfg" >"$work/zk/zk.log" 2>&1 &
zk_pid=$!

# ---------------------------------------------------------------- the two hosts boot
# Their own Debian 12 /etc and /var (an overlay on the cached rootfs, thrown away afterwards);
# /usr is this machine's (Debian 12 too), so the JDK and the patched QEMU's libraries match.
boot() { # host letter, namespace
  local h=$1 ns=$2
  mkdir -p "$work/$h/etc-ftvm" "$work/$h/state"
  # --register=no --keep-unit: this machine's PID 1 is not systemd (no system bus, no machined),
  # so nspawn neither registers the machine nor asks for a scope unit; it boots all the same.
  systemd-nspawn --quiet --boot --register=no --keep-unit --machine="ftvm-$id-$h" --hostname="host-$h" \
    --directory="$rootfs" --volatile=overlay \
    --network-namespace-path="/run/netns/$ns" --capability=all \
    --bind-ro=/usr --bind-ro=/etc/alternatives --bind-ro=/etc/java-17-openjdk \
    --bind-ro=/etc/ssl/certs/java --bind=/dev/net/tun \
    --bind-ro="$FTVM_TESTVM" --bind-ro="$(dirname "$(dirname "$FTVM_QEMU")")" --bind-ro="$repo" \
    --bind="$work/$h/etc-ftvm:/etc/ftvm" --bind="$work/$h/state:/var/lib/ftvm" \
    </dev/null >"$work/$h/console.log" 2>&1 &
  nspawn[$h]=$!
}
boot a "$ns_a"
boot b "$ns_b"
in_host() { local h=$1; shift; nsenter -t "${leader[$h]}" -m -u -i -n -p -- "$@"; }
for h in a b; do
  for _ in $(seq 300); do
    leader[$h]=$(ps --ppid "${nspawn[$h]}" -o pid= | tr -d ' ' | head -1 || true)
    [[ -n ${leader[$h]} ]] && in_host "$h" systemctl is-system-running 2>/dev/null |
      grep -qE 'running|degraded' && break
    sleep 0.2
  done
  log "host $h: systemd $(in_host "$h" systemctl --version | head -1 | cut -d' ' -f2) is PID 1" \
    "(leader pid ${leader[$h]}), state $(in_host "$h" systemctl is-system-running 2>&1)"
done

# ---------------------------------------------------------------- join-empty: the disk copied by ftvm
node_env() { # host, lines for /etc/ftvm/web/node.env (besides FTVM_NODE)
  local h=$1; shift
  { printf 'FTVM_NODE=%s\n' "$h"; printf '%s\n' "$@"; } >"$work/$h/etc-ftvm/web/node.env"
}
await_role() { # host, role regex, seconds
  local i
  for i in $(seq $(($3 * 10))); do [[ $(role "$1") =~ ^($2)$ ]] && return 0; sleep 0.1; done
  return 1
}
ftvm_in() { local h=$1; shift; in_host "$h" /opt/ftvm/bin/ftvm "$@"; }
join_empty_start() {
  local watch=${FTVM_SD_ALONE_WATCH_S:-15}
  if ((watch > 0)); then
    # What a primary does when its peer never comes: started as configured, b never started.
    in_host a systemctl start ftvm@web
    await_role a 'STARTING' 60 || true
    for _ in $(seq 600); do grep -q "waiting for" "$work/a/state/web/role" 2>/dev/null && break; sleep 0.1; done
    log "a without its peer: $(role a) ($(reason a)); watching ${watch} s"
    sleep "$watch"
    log "a without its peer, ${watch} s later: $(role a) ($(reason a))"
    in_host a systemctl stop ftvm@web
    # Kept for the record; the next start must not be judged by this run's files.
    mv "$work/a/state/web/role" "$work/a/state/web/role-peer-never-came" 2>/dev/null || true
    mv "$work/a/state/web/console.log" "$work/a/state/web/console-peer-never-came.log" 2>/dev/null || true
    log "a stopped; its ran-epoch makes its state stale, so the epoch is raised on both hosts (runbook section 4)"
    sed -i 's/"epoch" : 1,/"epoch" : 2,/' "$work/a/etc-ftvm/web/pair.json" "$work/b/etc-ftvm/web/pair.json"
    grep -q '"epoch" : 2,' "$work/a/etc-ftvm/web/pair.json" || { log "FAIL: epoch not raised"; exit 1; }
  fi
  node_env a "FTVM_START_OPTIONS=--unprotected"
  local t=$(now_ms)
  in_host a systemctl start ftvm@web
  await_role a 'PRIMARY_ALONE|HALTED' 180 || true
  t_protected=$(now_ms)
  log "a --unprotected: $(role a) after $((t_protected - t)) ms ($(reason a))"
  in_host a journalctl -u ftvm@web --no-pager >"$work/a/journal-alone.txt" 2>&1 || true
  if [[ $(role a) != PRIMARY_ALONE ]]; then
    log "FAIL: a runs the VM alone (--unprotected under the unit); its journal:"
    grep -E "WARN|ERROR|Exception|at io" "$work/a/journal-alone.txt" | tail -30 >&2
    exit 1
  fi
  check "a runs the VM alone (--unprotected under the unit)" test "$(role a)" == PRIMARY_ALONE
}
join_empty_join() {
  local size
  size=$(stat -c %s "$work/a/state/web/disk.img")
  log "b's state directory before its start: $(ls -A "$work/b/state/web" | tr '\n' ' ')(empty = nothing listed)"
  node_env b "FTVM_IF_STALE=join" "FTVM_START_OPTIONS=--join"
  t_join=$(now_ms)
  in_host b systemctl start ftvm@web
  # A joiner with no disk image at all: what it says (it needs the image's size for its clone target).
  for _ in $(seq 200); do grep -q "is missing" "$work/b/state/web/role" 2>/dev/null && break; sleep 0.1; done
  log "b with an empty state directory, after $(($(now_ms) - t_join)) ms: $(role b) ($(reason b))"
  in_host b journalctl -u ftvm@web --no-pager 2>/dev/null | grep -m1 "is missing" >&2 || true
  # The admin's one step: a sparse placeholder of the disk's size (no data); ftvm copies the contents.
  in_host b truncate -s "$size" /var/lib/ftvm/web/disk.img
  t_placeholder=$(now_ms)
  log "placeholder created (sparse, $size bytes, $(du -k "$work/b/state/web/disk.img" | cut -f1) KiB allocated)"
  for _ in $(seq 1800); do
    [[ $(role a) == PRIMARY_PROTECTED && $(role b) == BACKUP_REPLAYING ]] && break
    sleep 0.1
  done
  local t_prot=$(now_ms)
  log "b's unit start -> protected: $((t_prot - t_join)) ms (placeholder -> protected $((t_prot - t_placeholder)) ms); a $(role a), b $(role b)"
  log "a: $(reason a)"
  log "b: $(reason b)"
  ftvm_in a status --state-dir /var/lib/ftvm/web >"$work/a/status-after-join.txt" 2>&1 || true
  cat "$work/a/status-after-join.txt" >&2
  check "re-protected: a PRIMARY_PROTECTED" test "$(role a)" == PRIMARY_PROTECTED
  check "b BACKUP_REPLAYING after joining empty" test "$(role b)" == BACKUP_REPLAYING
  sleep 3 # the net workload does not write the disk: no quiescing needed beyond this
  local da db
  da=$(ftvm_in a vm digest /var/lib/ftvm/web/disk.img 2>&1 | tail -1 | cut -d' ' -f1)
  db=$(ftvm_in b vm digest /var/lib/ftvm/web/disk.img 2>&1 | tail -1 | cut -d' ' -f1)
  log "ftvm vm digest: a $da, b $db"
  check "disks' digests equal" test "$da" == "$db"
  check "b's disk byte-identical to a's (cmp)" cmp "$work/a/state/web/disk.img" "$work/b/state/web/disk.img"
  log "b's disk now $(du -k "$work/b/state/web/disk.img" | cut -f1) KiB allocated"
}

# ---------------------------------------------------------------- ftvm init -> protected
cat >"$work/vm.json" <<EOF
{"format": 2, "name": "web", "memoryMiB": 256,
 "boot": {"from": "kernel", "kernel": "$FTVM_TESTVM/vmlinuz", "initrd": "$FTVM_TESTVM/initrd.img",
          "cmdline": "console=ttyS0 quiet loglevel=3 mitigations=off no_timer_check tsc=reliable ftvm.workload=net ftvm.ip=$guest_ip/24"},
 "disks": [{"file": "$FTVM_TESTVM/disk.img"}],
 "nics": [{"mac": "52:54:00:77:01:10"}],
 "console": {"readyLinePrefix": "FTVM ready "},
 "guestIp": "$guest_ip/24"}
EOF
t_init=$(now_ms)
"$repo/ftvm" init --vm-id web --vm "$work/vm.json" --node a=10.77.2.1 --node b=10.77.2.2 \
  --zookeeper "$zk" --qemu "$FTVM_QEMU" --metrics-listen 0.0.0.0:9464 -o "$work/init" \
  >"$work/init.txt"
# What init printed, done by hand as an admin would (scp -p to each host; here the hosts'
# /etc/ftvm and /var/lib/ftvm are directories of the work dir bind-mounted into them).
for h in a b; do
  install -d -m 0700 "$work/$h/etc-ftvm/web/tls" "$work/$h/state/web"
  install -m 0600 "$work/init/pair.json" "$work/$h/etc-ftvm/web/pair.json"
  install -m 0600 "$work/init/tls/ca.crt" "$work/init/tls/$h.crt" "$work/init/tls/$h.key" \
    "$work/$h/etc-ftvm/web/tls/"
  if [[ $fault == join-empty ]]; then
    # Only a gets the disk, and not zeros: a clone that copied nothing would match zeros.
    [[ $h == a ]] && head -c "$(stat -c %s "$FTVM_TESTVM/disk.img")" /dev/urandom >"$work/a/state/web/disk.img"
  else
    cp --sparse=always "$FTVM_TESTVM/disk.img" "$work/$h/state/web/disk.img"
  fi
  in_host "$h" "$repo/scripts/install.sh" --prefix /opt/ftvm --vm web --node "$h" --enable \
    >"$work/$h/install.txt"
done
role() { cut -d' ' -f1 "$work/$1/state/web/role" 2>/dev/null || echo none; }
reason() { cut -d' ' -f2- "$work/$1/state/web/role" 2>/dev/null || echo none; }
if [[ $fault == join-empty ]]; then
  join_empty_start
else
  # The backup first (it listens on the logging channel), then the primary, as at boot.
  in_host b systemctl start ftvm@web
  in_host a systemctl start ftvm@web
  for _ in $(seq 1200); do
    [[ $(role a) == PRIMARY_PROTECTED && $(role b) == BACKUP_REPLAYING ]] && break
    sleep 0.1
  done
  t_protected=$(now_ms)
  log "ftvm init -> protected pair on the two hosts: $((t_protected - t_init)) ms (a $(role a), b $(role b))"
  check "pair protected under systemd" test "$(role a)" == PRIMARY_PROTECTED
fi
for _ in $(seq 1200); do grep -q "FTVM ready" "$work/a/state/web/console.log" 2>/dev/null && break; sleep 0.1; done
log "guest up $(( $(now_ms) - t_init )) ms after ftvm init"

# ---------------------------------------------------------------- the client's one connection
# One line per number: "<n> <arrival ms>"; "END" when the connection ends (never reconnects).
# Connecting is retried while the service is not listening yet; once connected, never again.
ip netns exec "$ns_c" bash -c 'for _ in $(seq 100); do exec 3<>"/dev/tcp/$1/7000" && break; sleep 0.3; done 2>/dev/null
  while IFS= read -r line <&3; do t=${EPOCHREALTIME/./}; echo "$line ${t:0:13}"; done; echo END' \
  counter "$guest_ip" >"$work/counter.txt" 2>&1 &
client_pid=$!
sleep 3
main_pid() { in_host "$1" systemctl show -p MainPID --value ftvm@web; }
[[ $fault == join-empty ]] && join_empty_join
log "before the fault: a main pid $(main_pid a), b main pid $(main_pid b); counter lines $(wc -l <"$work/counter.txt")"

# ---------------------------------------------------------------- the fault
t_fault=$(now_ms)
case "$fault" in
  kill-daemon-a)
    # The daemon is the JVM that systemd started (Type=exec: the launcher execs java).
    daemon=$(main_pid a)
    log "kill -9 of node a's daemon, pid $daemon inside host a"
    in_host a kill -9 "$daemon"
    ;;
  kill-host-a|join-empty)
    log "killing host a outright (SIGKILL to its systemd-nspawn $((nspawn[a])) and init ${leader[a]})"
    kill -KILL "${leader[a]}" "${nspawn[a]}"
    ;;
  planned-failover)
    log "ftvm failover on host a (the primary), as an admin would before maintenance"
    in_host a /opt/ftvm/bin/ftvm failover --state-dir /var/lib/ftvm/web >"$work/a/failover.txt" 2>&1
    cat "$work/a/failover.txt" >&2
    ;;
  cut-link)
    log "cutting the logging link of host a"
    ip -n "$lan" link set log1 down
    ;;
  stop-units)
    # a: systemctl stop (ExecStop = ftvm stop); b: a bare SIGTERM to the daemon (what systemd
    # sends when ExecStop cannot reach it, or an admin's kill), handled like ftvm stop.
    for h in a b; do
      before=$(in_host "$h" pgrep -c qemu-system || true)
      t=$(now_ms)
      if [[ $h == a ]]; then
        in_host "$h" systemctl stop ftvm@web
      else
        in_host "$h" kill -TERM "$(main_pid "$h")"
        for _ in $(seq 300); do
          [[ $(in_host "$h" systemctl is-active ftvm@web) =~ ^(inactive|failed)$ ]] && break
          sleep 0.1
        done
      fi
      log "host $h: $([[ $h == a ]] && echo "systemctl stop" || echo "SIGTERM") took $(( $(now_ms) - t )) ms; QEMUs before $before, after $(in_host "$h" pgrep -c qemu-system || true); role: $(cat "$work/$h/state/web/role")"
      check "host $h: no QEMU left after systemctl stop" bash -c "! nsenter -t ${leader[$h]} -m -p -- pgrep qemu-system >/dev/null"
      check "host $h: unit inactive (not failed) after stop" test "$(in_host "$h" systemctl is-active ftvm@web)" == inactive
      in_host "$h" journalctl -u ftvm@web --no-pager >"$work/$h/journal.txt" 2>&1 || true
      check "host $h: halted by the admin" grep -q "stopped by admin" "$work/$h/state/web/role"
    done
    check "host b: the SIGTERM handler halted the node" grep -q "SIGTERM: stopping this node" "$work/b/journal.txt"
    ;;
  *) echo "unknown fault $fault" >&2; exit 2 ;;
esac

if [[ $fault != stop-units ]]; then
  for _ in $(seq 300); do
    [[ $(role a) == PRIMARY_ALONE || $(role b) == PRIMARY_ALONE ]] && break
    sleep 0.05
  done
  log "after $(( $(now_ms) - t_fault )) ms: a $(role a), b $(role b)"
  sleep 4
  alone=0
  for h in a b; do [[ $(role $h) == PRIMARY_ALONE ]] && alone=$((alone + 1)); done
  check "exactly one node live (PRIMARY_ALONE)" test "$alone" == 1
  [[ $fault != cut-link ]] && check "b took over" test "$(role b)" == PRIMARY_ALONE
  sleep 3
  check "client connection still open" bash -c "! grep -q END '$work/counter.txt'"
  after=$(awk -v t="$t_fault" '$1 ~ /^[0-9]+$/ && $2 > t { n++ } END { print n + 0 }' "$work/counter.txt")
  before=$(awk -v t="$t_fault" '$1 ~ /^[0-9]+$/ && $2 <= t { n++ } END { print n + 0 }' "$work/counter.txt")
  log "client received $before numbers before the fault and $after after it"
  check "the stream counted before and after the fault" test "$before" -gt 0 -a "$after" -gt 0
  check "counter without gap or duplicate" awk '
    $1 ~ /^[0-9]+$/ { if (seen && $1 != last + 1) { print "gap/dup after " last ": " $1; bad = 1 } last = $1; seen = 1 }
    END { exit bad }' "$work/counter.txt"
  gap=$(awk '$1 ~ /^[0-9]+$/ { if (prev) { d = $2 - prev; if (d > max) max = d } prev = $2 } END { print max + 0 }' "$work/counter.txt")
  log "longest pause in the client's stream: $gap ms; lines $(wc -l <"$work/counter.txt")"
  if [[ $fault == join-empty ]]; then
    check "b's disk still byte-identical to a's after the failover (guest wrote none)" \
      cmp "$work/a/state/web/disk.img" "$work/b/state/web/disk.img"
  fi
  if [[ $fault == kill-daemon-a ]]; then
    # RestartSec=10s, then the restarted daemon finds ran-epoch and exits 3.
    for _ in $(seq 400); do
      [[ $(in_host a systemctl show -p NRestarts --value ftvm@web) -ge 1 &&
         $(in_host a systemctl is-active ftvm@web) == failed ]] && break
      sleep 0.1
    done
    in_host a systemctl status ftvm@web --no-pager >"$work/a/systemctl-status.txt" 2>&1 || true
    log "host a: unit $(in_host a systemctl is-active ftvm@web), restarts $(in_host a systemctl show -p NRestarts --value ftvm@web), exit status $(in_host a systemctl show -p ExecMainStatus --value ftvm@web)"
    check "systemd restarted node a's daemon once" test "$(in_host a systemctl show -p NRestarts --value ftvm@web)" == 1
    check "restarted daemon refused its stale state (exit 3), unit failed" test "$(in_host a systemctl show -p ExecMainStatus --value ftvm@web)" == 3
    check "no QEMU on host a" bash -c "! nsenter -t ${leader[a]} -m -p -- pgrep qemu-system >/dev/null"
    check "b still PRIMARY_ALONE" test "$(role b)" == PRIMARY_ALONE
  fi
  for h in a b; do
    if kill -0 "${leader[$h]}" 2>/dev/null; then
      in_host "$h" journalctl -u ftvm@web --no-pager >"$work/$h/journal.txt" 2>&1 || true
    fi
  done
fi
kill "$client_pid" 2>/dev/null || true
log "$fault: $failures check(s) failed"
exit $((failures > 0))
