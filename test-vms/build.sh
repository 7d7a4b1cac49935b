#!/bin/bash
# Builds the ftvm test VM (kernel + busybox initramfs + raw disk) from Debian packages only and
# caches it in ~/.cache/ftvm/testvm-<hash>/. The hash covers every build input: this script, the
# guest sources and the exact Debian package versions. Progress goes to stderr; the LAST line on
# stdout is the output directory:   dir=$(test-vms/build.sh | tail -1)
#
# Environment:
#   FTVM_CACHE_DIR       cache root (default: ~/.cache/ftvm)
#   FTVM_KERNEL_PACKAGE  kernel package to use (default: what linux-image-cloud-amd64 depends on)
#   FTVM_DISK_MIB        size of disk.img in MiB (default: 16)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly GUEST_DIR="$SCRIPT_DIR/guest"
readonly CACHE_ROOT=${FTVM_CACHE_DIR:-$HOME/.cache/ftvm}
readonly DISK_MIB=${FTVM_DISK_MIB:-16}
readonly META_PACKAGE=linux-image-cloud-amd64
readonly HOST_PACKAGES=(busybox-static cpio gcc libc6-dev kmod)
# A fixed timestamp for every file in the initramfs: the image must be byte-identical across rebuilds.
readonly EPOCH=0

# Defaults the guest /init also uses; vm.json documents them for callers.
readonly GUEST_IP=10.77.0.10
readonly GUEST_PREFIX=24
readonly GUEST_NET=10.77.0.0/24
readonly HOST_IP=10.77.0.2
readonly GUEST_MAC=52:54:00:12:34:56
readonly BASE_CMDLINE="console=ttyS0 quiet loglevel=3 mitigations=off no_timer_check tsc=reliable"

log() { echo "build.sh: $*" >&2; }
fail() {
  echo "build.sh: ERROR: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (it installs Debian packages with apt-get)"
command -v apt-get >/dev/null || fail "apt-get not found: this script needs Debian 12 (bookworm)"
[ "$(dpkg --print-architecture)" = amd64 ] ||
  fail "host architecture is $(dpkg --print-architecture); the test VM is amd64 only"
for f in "$GUEST_DIR/ftvm-guest.c" "$GUEST_DIR/init"; do
  [ -f "$f" ] || fail "missing build input $f"
done

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "running apt-get update"
    apt-get update -qq >&2 || fail "apt-get update failed"
    APT_UPDATED=1
  fi
}

# Installed version, or the candidate apt would install; empty if apt does not know the package.
package_version() {
  local installed candidate
  installed=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null || true)
  if [ "${installed%% *}" = installed ]; then
    echo "${installed#* }"
    return
  fi
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ "$candidate" = "(none)" ] || echo "$candidate"
}

resolve_kernel_package() {
  if [ -n "${FTVM_KERNEL_PACKAGE:-}" ]; then
    echo "$FTVM_KERNEL_PACKAGE"
    return
  fi
  local dep
  dep=$(apt-cache depends "$META_PACKAGE" 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ {print $2; exit}')
  if [ -z "$dep" ]; then
    apt_update_once
    dep=$(apt-cache depends "$META_PACKAGE" 2>/dev/null |
      awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ {print $2; exit}')
  fi
  [ -n "$dep" ] || fail "cannot resolve $META_PACKAGE to a kernel package (apt-cache depends $META_PACKAGE found none)"
  echo "$dep"
}

# Versions of everything that goes into the image, one "name=version" per line.
package_manifest() {
  local p v
  for p in "${HOST_PACKAGES[@]}" "$KERNEL_PACKAGE"; do
    v=$(package_version "$p")
    if [ -z "$v" ]; then
      apt_update_once
      v=$(package_version "$p")
    fi
    [ -n "$v" ] || fail "Debian package $p is not available from the configured apt sources"
    echo "$p=$v"
  done
  # gcc is a dependency package: the real compiler and libc decide the binary.
  for p in gcc-12 cpp-12 binutils libc6; do
    v=$(package_version "$p")
    [ -z "$v" ] || echo "$p=$v"
  done
}

compute_hash() {
  {
    sha256sum "$SCRIPT_DIR/build.sh" "$GUEST_DIR/ftvm-guest.c" "$GUEST_DIR/init" | awk '{print $1}'
    echo "disk_mib=$DISK_MIB"
    package_manifest
  } | sha256sum | cut -c1-16
}

KERNEL_PACKAGE=$(resolve_kernel_package)
HASH=$(compute_hash)
OUT="$CACHE_ROOT/testvm-$HASH"
if [ -f "$OUT/vm.json" ]; then
  echo "$OUT"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
# Serialise concurrent builds (parallel test runs) and re-check the cache under the lock.
exec 9>"$CACHE_ROOT/testvm.lock"
flock 9 || fail "cannot lock $CACHE_ROOT/testvm.lock"

missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; then
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      fail "apt-get install ${missing[*]} failed"
  fi
  # Installing may have picked versions other than the candidates hashed above.
  HASH=$(compute_hash)
  OUT="$CACHE_ROOT/testvm-$HASH"
fi
if [ -f "$OUT/vm.json" ]; then
  echo "$OUT"
  exit 0
fi

WORK=$(mktemp -d "$CACHE_ROOT/.testvm-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log "building $OUT (kernel package $KERNEL_PACKAGE)"

# ---- kernel: download and unpack, never install on the host
KERNEL_VERSION_PKG=$(package_version "$KERNEL_PACKAGE")
mkdir -p "$WORK/deb"
chmod 755 "$WORK" "$WORK/deb" # apt's download sandbox user must be able to write here
download_kernel() {
  (cd "$WORK/deb" && apt-get download -q -o APT::Sandbox::User=root "$KERNEL_PACKAGE=$KERNEL_VERSION_PKG" >&2)
}
if ! download_kernel; then
  apt_update_once
  download_kernel || fail "apt-get download $KERNEL_PACKAGE=$KERNEL_VERSION_PKG failed even after apt-get update; if the mirror dropped that version, run build.sh again to resolve the current one"
fi
deb=$(ls "$WORK"/deb/*.deb)
dpkg-deb -x "$deb" "$WORK/kpkg" || fail "dpkg-deb -x $deb failed"
KREL=$(ls "$WORK/kpkg/lib/modules")
[ "$(echo "$KREL" | wc -l)" = 1 ] || fail "expected one module tree in $deb, found: $KREL"
MODDIR="$WORK/kpkg/lib/modules/$KREL"
VMLINUZ="$WORK/kpkg/boot/vmlinuz-$KREL"
[ -f "$VMLINUZ" ] || fail "no /boot/vmlinuz-$KREL in $deb"
log "kernel $KREL from $KERNEL_PACKAGE $KERNEL_VERSION_PKG"

# The .deb does not ship modules.dep (its postinst runs depmod); generate it inside the temp tree.
depmod -b "$WORK/kpkg" "$KREL" || fail "depmod on the unpacked kernel failed"
[ -f "$MODDIR/modules.dep" ] || fail "depmod produced no $MODDIR/modules.dep"

# Modules for virtio-net and virtio-blk on a '-machine pc' PCI bus, dependencies first.
WANTED_MODULES=(virtio_pci virtio_blk virtio_net)
module_path() { # module name -> path relative to the module dir
  local path
  path=$(awk -F: -v n="$1" '{f=$1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/-/, "_", f)}
    f == n {print $1; exit}' "$MODDIR/modules.dep")
  [ -n "$path" ] || fail "module $1 not found in $KERNEL_PACKAGE (is it built in? check modules.builtin)"
  echo "$path"
}
declare -A SEEN=()
ORDERED=()
visit() { # depth-first: a module after all of its dependencies
  local path=$1 deps dep
  [ -z "${SEEN[$path]:-}" ] || return 0
  SEEN[$path]=1
  deps=$(awk -F': *' -v p="$path" '$1 == p {print $2; exit}' "$MODDIR/modules.dep")
  for dep in $deps; do visit "$dep"; done
  ORDERED+=("$path")
}
for m in "${WANTED_MODULES[@]}"; do visit "$(module_path "$m")"; done
for p in "${ORDERED[@]}"; do
  case "$p" in
    *.ko) ;;
    *) fail "module $p is compressed; busybox insmod here needs plain .ko files" ;;
  esac
done
log "modules: ${ORDERED[*]}"

# ---- guest program
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,etc/ftvm,lib/modules}
gcc -static -O2 -Wall -Wextra -Werror -ffile-prefix-map="$GUEST_DIR"=guest \
  -o "$ROOT/bin/ftvm-guest" "$GUEST_DIR/ftvm-guest.c" || fail "compiling ftvm-guest.c failed"
strip --strip-all "$ROOT/bin/ftvm-guest"

# ---- initramfs tree
BUSYBOX=/bin/busybox
if ! [ -x "$BUSYBOX" ] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
  fail "$BUSYBOX (busybox-static) not usable"
fi
file_is_static() { ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'INTERP'; }
file_is_static "$BUSYBOX" || fail "$BUSYBOX is dynamically linked; install busybox-static"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list | LC_ALL=C sort); do
  case "$applet" in busybox | ftvm-guest | init) continue ;; esac
  ln -s busybox "$ROOT/bin/$applet"
done
install -m 0755 "$GUEST_DIR/init" "$ROOT/init"
for p in "${ORDERED[@]}"; do
  install -m 0644 -D "$MODDIR/$p" "$ROOT/lib/modules/$p"
  echo "$p"
done >"$ROOT/etc/ftvm/modules.order"
chmod 0644 "$ROOT/etc/ftvm/modules.order"
chmod 1777 "$ROOT/tmp"
# The kernel opens /dev/console for /init's stdio before /init can mount devtmpfs.
mknod -m 0600 "$ROOT/dev/console" c 5 1 || fail "mknod $ROOT/dev/console failed"
mknod -m 0666 "$ROOT/dev/null" c 1 3 || fail "mknod $ROOT/dev/null failed"
find "$ROOT" -exec touch -h -d "@$EPOCH" {} +

STAGE="$WORK/out"
mkdir -p "$STAGE"
(cd "$ROOT" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) |
  gzip -n -9 >"$STAGE/initrd.img" || fail "creating initrd.img failed"
cp "$VMLINUZ" "$STAGE/vmlinuz"
truncate -s "${DISK_MIB}M" "$STAGE/disk.img"

# ---- vm.json
sha() { sha256sum "$1" | awk '{print $1}'; }
json_packages=$(package_manifest | awk -F= 'BEGIN {ORS=""} {printf "%s\n    \"%s\": \"%s\"", (NR>1?",":""), $1, substr($0, length($1)+2)}')
json_modules=$(for p in "${ORDERED[@]}"; do printf '"%s"\n' "$(basename "$p" .ko)"; done | paste -sd, | sed 's/,/, /g')
cat >"$STAGE/vm.json" <<EOF
{
  "format": 1,
  "name": "ftvm-testvm",
  "buildHash": "$HASH",
  "kernel": {
    "file": "vmlinuz",
    "sha256": "$(sha "$STAGE/vmlinuz")",
    "release": "$KREL",
    "package": "$KERNEL_PACKAGE",
    "packageVersion": "$KERNEL_VERSION_PKG"
  },
  "initrd": {
    "file": "initrd.img",
    "sha256": "$(sha "$STAGE/initrd.img")",
    "modules": [$json_modules]
  },
  "disk": {
    "file": "disk.img",
    "format": "raw",
    "sizeBytes": $((DISK_MIB * 1024 * 1024)),
    "sha256": "$(sha "$STAGE/disk.img")"
  },
  "machine": {
    "type": "pc",
    "cpu": "qemu64",
    "memoryMiB": 256,
    "nic": "virtio-net-pci",
    "disk": "virtio-blk-pci"
  },
  "cmdline": "$BASE_CMDLINE",
  "workloadParameter": "ftvm.workload",
  "workloads": ["idle", "cpu", "disk", "net", "all"],
  "defaultWorkload": "idle",
  "network": {
    "guestIp": "$GUEST_IP",
    "prefixLength": $GUEST_PREFIX,
    "ipParameter": "ftvm.ip",
    "gatewayParameter": "ftvm.gw",
    "net": "$GUEST_NET",
    "hostIp": "$HOST_IP",
    "mac": "$GUEST_MAC"
  },
  "services": {
    "counter": 7000,
    "echo": 7001,
    "kv": 7002,
    "bulk": 7003
  },
  "console": {
    "linePrefix": "FTVM ",
    "readyLinePrefix": "FTVM ready ",
    "randomLinePrefix": "FTVM random "
  },
  "packages": {$json_packages
  }
}
EOF

rm -rf "$OUT"
mv "$STAGE" "$OUT"
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
echo "$OUT"
