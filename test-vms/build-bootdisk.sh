#!/bin/bash
# Builds a BIOS-bootable disk from the test VM's own kernel and initrd, so that ftvm can be tried
# with firmware boot (SeaBIOS -> MBR -> SYSLINUX on a FAT16 partition -> kernel) exactly as a
# real VM boots: nothing outside the disk. Also writes a qcow2 copy and format-2 descriptions.
# Cached in ~/.cache/ftvm/bootdisk-<hash>/ keyed by this script, the kernel, the initrd and the
# SYSLINUX version. Progress on stderr; the LAST stdout line is the output directory:
#   dir=$(test-vms/build-bootdisk.sh [TESTVM_DIR] | tail -1)
#
# Outputs: boot.img (raw, 64 MiB, sparse), boot.qcow2, vm-firmware.json (raw boot disk on virtio +
# the test VM's disk.img as a second virtio disk), vm-firmware-qcow2.json (the qcow2 copy),
# vm-firmware-ide.json (raw boot disk on IDE), vm-firmware-ide-e1000.json (... with an e1000 NIC,
# which `ftvm vm check` refuses: e1000 is not verified with guest traffic yet).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly CACHE_ROOT=${FTVM_CACHE_DIR:-$HOME/.cache/ftvm}
readonly PACKAGES=(syslinux syslinux-common mtools dosfstools qemu-utils fdisk)
readonly DISK_MIB=64
readonly PART_START=2048 # sectors
# "all": the guest writes its first virtio disk while recording, so replays check disk writes too.
readonly CMDLINE_EXTRA="ftvm.workload=all ftvm.ip=10.77.0.10/24"

log() { echo "build-bootdisk.sh: $*" >&2; }
fail() {
  echo "build-bootdisk.sh: ERROR: $*" >&2
  exit 1
}

testvm=${1:-${FTVM_TESTVM:-}}
if [ -z "$testvm" ]; then
  testvm=$("$SCRIPT_DIR/build.sh" | tail -1)
fi
for f in vmlinuz initrd.img disk.img vm.json; do
  [ -f "$testvm/$f" ] || fail "$testvm/$f is missing (is $testvm a test VM directory?)"
done

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "needs root to install ${missing[*]}"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi

base_cmdline=$(sed -n 's/.*"cmdline": *"\([^"]*\)".*/\1/p' "$testvm/vm.json")
[ -n "$base_cmdline" ] || fail "no cmdline in $testvm/vm.json"
cmdline="$base_cmdline $CMDLINE_EXTRA"

hash=$( {
  sha256sum "${BASH_SOURCE[0]}" "$testvm/vmlinuz" "$testvm/initrd.img" | cut -d' ' -f1
  echo "$cmdline"
  dpkg-query -W -f='${Version}\n' syslinux syslinux-common
} | sha256sum | cut -c1-16)
out="$CACHE_ROOT/bootdisk-$hash"
if [ -f "$out/vm-firmware.json" ]; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/bootdisk.lock"
flock 9
if [ -f "$out/vm-firmware.json" ]; then
  echo "$out"
  exit 0
fi
tmp=$(mktemp -d "$CACHE_ROOT/.bootdisk-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "building a FAT16 partition with SYSLINUX, $testvm's kernel and initrd"
part_mib=$((DISK_MIB - 1))
truncate -s "${part_mib}M" "$tmp/part.img"
mkfs.fat -F 16 -n FTVMBOOT -i 46545600 "$tmp/part.img" >&2
cat >"$tmp/syslinux.cfg" <<CFG
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT ftvm
LABEL ftvm
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND $cmdline
CFG
export MTOOLS_SKIP_CHECK=1
mcopy -i "$tmp/part.img" "$testvm/vmlinuz" "$testvm/initrd.img" "$tmp/syslinux.cfg" ::/
syslinux --install "$tmp/part.img"

log "assembling boot.img: MBR (syslinux mbr.bin) + one active FAT16 partition"
truncate -s "${DISK_MIB}M" "$tmp/boot.img"
printf 'label: dos\nlabel-id: 0x46545600\nstart=%s, type=6, bootable\n' "$PART_START" |
  sfdisk --quiet "$tmp/boot.img" >&2
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$tmp/boot.img" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/part.img" of="$tmp/boot.img" bs=512 seek=$PART_START conv=notrunc,sparse status=none
rm "$tmp/part.img" "$tmp/syslinux.cfg"
qemu-img convert -f raw -O qcow2 "$tmp/boot.img" "$tmp/boot.qcow2"

describe() { # file bootdisk format bus nic
  cat >"$tmp/$1" <<JSON
{
  "format": 2,
  "name": "ftvm-bootdisk",
  "memoryMiB": 256,
  "boot": {"from": "disk"},
  "disks": [
    {"file": "$2", "format": "$3", "bus": "$4"},
    {"file": "$testvm/disk.img", "format": "raw", "bus": "virtio"}
  ],
  "nics": [{"mac": "52:54:00:12:34:56", "model": "$5"}],
  "console": {"readyLinePrefix": "FTVM ready "},
  "guestIp": "10.77.0.10/24"
}
JSON
}
describe vm-firmware.json boot.img raw virtio virtio-net
describe vm-firmware-qcow2.json boot.qcow2 qcow2 virtio virtio-net
describe vm-firmware-ide.json boot.img raw ide virtio-net
describe vm-firmware-ide-e1000.json boot.img raw ide e1000

mv "$tmp" "$out"
trap - EXIT
log "built $out ($(du -h "$out/boot.img" | cut -f1) allocated of ${DISK_MIB} MiB)"
echo "$out"
