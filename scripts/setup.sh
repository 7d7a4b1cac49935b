#!/usr/bin/env bash
# Installs what ftvm needs on a Debian 12 host and builds what is missing: Debian packages, the
# patched QEMU (qemu-patches/build.sh) and the test VM (test-vms/build.sh), both cached under
# ~/.cache/ftvm keyed by their inputs. Prints the paths it uses; writes them to
# ~/.cache/ftvm/env so later commands (./ftvm, scripts/test.sh) find them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FTVM_CACHE:-$HOME/.cache/ftvm}
log() { printf '[setup] %s\n' "$*" >&2; }

# libvirt-daemon-system: LibvirtImportIT starts a private libvirtd; syslinux..qemu-utils:
# test-vms/build-bootdisk.sh (firmware-boot disk for described VMs); zookeeper: the 3-member
# ensemble the ZooKeeper arbiter ITs and bench/arbiter.sh start (members run Debian's jars).
needed=(openjdk-17-jdk-headless maven iproute2 iputils-ping util-linux libvirt0 libvirt-daemon-system busybox-static cpio kmod gcc libc6-dev procps syslinux syslinux-common mtools dosfstools fdisk qemu-utils zookeeper)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}" >&2 || {
    apt-get update -q -o DPkg::Lock::Timeout=600 >&2
    apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}" >&2
  }
fi

log "patched QEMU (qemu-patches/build.sh; about 6 minutes on 2 cores when not cached)"
qemu=$("$root/qemu-patches/build.sh" | tail -n 1)
log "test VM (test-vms/build.sh)"
testvm=$("$root/test-vms/build.sh" | tail -n 1)

mkdir -p "$cache"
cat > "$cache/env" <<ENV
FTVM_QEMU=$qemu
FTVM_TESTVM=$testvm
ENV
log "QEMU:    $qemu"
log "test VM: $testvm"
echo "FTVM_QEMU=$qemu"
echo "FTVM_TESTVM=$testvm"
