#!/usr/bin/env bash
# Installs ftvm on a host of a pair: the jar and its launcher, the systemd unit ftvm@.service,
# the runbook; and, with --vm/--node, this host's node of one VM (node.env + the shared-storage
# drop-in). Idempotent. See docs/deploy.md.
#
#   scripts/install.sh [--root DIR] [--prefix /usr/local] [--vm <vm-id> --node <id>] [--enable]
#
#   --root DIR    install into another root (a container's rootfs); default /
#   --prefix P    where bin/ftvm, lib/ftvm and share/doc/ftvm go; default /usr/local
#   --vm ID       the pair config must already be at <root>/etc/ftvm/ID/pair.json (ftvm init)
#   --node N      this host's node id in that config (written to /etc/ftvm/ID/node.env)
#   --enable      systemctl enable ftvm@ID (only with --root /)
set -euo pipefail

src="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
root=/
prefix=/usr/local
vm=
node=
enable=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --vm) vm="$2"; shift 2 ;;
    --node) node="$2"; shift 2 ;;
    --enable) enable=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -n "$vm" && -z "$node" ]] || [[ -z "$vm" && -n "$node" ]]; then
  echo "install.sh: --vm and --node go together" >&2; exit 2
fi

jar="$src/supervisor/target/ftvm.jar"
if [[ ! -f "$jar" ]]; then
  echo "install.sh: $jar is missing; build it first (./ftvm version, or mvn -DskipTests install)" >&2
  exit 1
fi

dest() { echo "${root%/}$1"; }

# The launcher finds its jar at <its dir>/supervisor/target/ftvm.jar and rebuilds only when
# sources beside it are newer: none are installed, so it just runs the jar.
lib="$(dest "$prefix/lib/ftvm")"
install -d -m 0755 "$lib/supervisor/target" "$(dest "$prefix/bin")" "$(dest "$prefix/share/doc/ftvm")"
install -m 0755 "$src/ftvm" "$lib/ftvm"
install -m 0644 "$jar" "$lib/supervisor/target/ftvm.jar"
ln -sfn "$prefix/lib/ftvm/ftvm" "$(dest "$prefix/bin/ftvm")"
if [[ -f "$src/docs/deploy.md" ]]; then
  install -m 0644 "$src/docs/deploy.md" "$(dest "$prefix/share/doc/ftvm/deploy.md")"
fi

units="$(dest /etc/systemd/system)"
install -d -m 0755 "$units"
sed "s|@PREFIX@|$prefix|g" "$src/packaging/systemd/ftvm@.service" >"$units/ftvm@.service.tmp"
chmod 0644 "$units/ftvm@.service.tmp"
mv "$units/ftvm@.service.tmp" "$units/ftvm@.service"
echo "installed ftvm into $(dest "$prefix") and $units/ftvm@.service"

if [[ -n "$vm" ]]; then
  etc="$(dest "/etc/ftvm/$vm")"
  config="$etc/pair.json"
  if [[ ! -f "$config" ]]; then
    echo "install.sh: $config is missing: copy the pair.json from 'ftvm init' there first" >&2
    exit 1
  fi
  if ! grep -q "\"$node\"" "$config"; then
    echo "install.sh: node '$node' does not appear in $config" >&2
    exit 1
  fi
  umask 077
  printf 'FTVM_NODE=%s\n' "$node" >"$etc/node.env"
  shared="$(sed -n 's/.*"sharedDirectory" *: *"\([^"]*\)".*/\1/p' "$config")"
  dropin="$units/ftvm@$vm.service.d"
  install -d -m 0755 "$dropin"
  if [[ -n "$shared" ]]; then
    # The node must not start before the shared directory is mounted, and stops before it is
    # unmounted. (An unmounted share is an empty local directory; the arbiter refuses it anyway,
    # since its marker file from 'ftvm lock init' is missing.)
    printf '[Unit]\nRequiresMountsFor=%s\n' "$shared" >"$dropin/10-shared-storage.conf"
  else
    rm -f "$dropin/10-shared-storage.conf"
  fi
  chmod 0644 "$dropin"/*.conf 2>/dev/null || true
  echo "node $node of $vm: $etc/node.env${shared:+, RequiresMountsFor=$shared}"
  if [[ "$root" == / ]]; then
    systemctl daemon-reload
    if [[ "$enable" == 1 ]]; then
      systemctl enable "ftvm@$vm.service"
    fi
    echo "start it with: systemctl start ftvm@$vm   (journal: journalctl -u ftvm@$vm)"
  fi
fi
