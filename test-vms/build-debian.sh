#!/bin/bash
# Builds a real Debian 12 guest for ftvm from Debian packages only: debootstrap of bookworm with
# systemd and PostgreSQL 15 into a 2 GiB raw disk that boots through the firmware (SeaBIOS -> MBR
# -> SYSLINUX on a FAT16 boot partition -> Debian's cloud kernel and initramfs -> ext4 root).
# Cached in ~/.cache/ftvm/debian-<hash>/, keyed by this script, the files in debian/ and the
# versions of the kernel, systemd and PostgreSQL packages. Downloaded .debs are kept in
# ~/.cache/ftvm/debian-debs/ for rebuilds. Progress on stderr; the LAST stdout line is the output
# directory:
#   dir=$(test-vms/build-debian.sh | tail -1)
#
# Outputs: debian.img (raw, 2 GiB, sparse), vm.json (format-2 description: firmware boot, the disk
# on virtio, virtio-net with MAC 52:54:00:12:34:56, 512 MiB, guest IP 10.77.0.10/24, ready line
# "FTVM ready " printed once PostgreSQL accepts connections), build.txt (what went in, timings).
# The guest: PostgreSQL listens on 5432 with trust authentication from 10.77.0.0/16 (a test
# guest on an isolated LAN), fsync and synchronous_commit on; root has no password on ttyS0.
#
# Environment: FTVM_CACHE_DIR (cache root), FTVM_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# FTVM_DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly FILES_DIR="$SCRIPT_DIR/debian"
readonly CACHE_ROOT=${FTVM_CACHE_DIR:-$HOME/.cache/ftvm}
readonly DEB_CACHE="$CACHE_ROOT/debian-debs"
readonly MIRROR=${FTVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly SECURITY_MIRROR=${FTVM_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
readonly SUITE=bookworm
readonly HOST_PACKAGES=(debootstrap syslinux syslinux-common mtools dosfstools e2fsprogs fdisk qemu-utils)
# In the guest, besides debootstrap's minbase.
readonly GUEST_PACKAGES=(systemd-sysv udev linux-image-cloud-amd64 initramfs-tools postgresql-15
  postgresql-client-15 iproute2 netbase procps)
readonly DISK_MIB=2048
readonly BOOT_MIB=96
readonly BOOT_START=2048 # sectors
readonly ROOT_UUID=46545600-0000-4000-8000-64656269616e
readonly CMDLINE="console=ttyS0,115200 root=/dev/vda2 rw rootfstype=ext4 net.ifnames=0 mitigations=off no_timer_check tsc=reliable"

started=$(date +%s)
log() { echo "build-debian.sh [$(($(date +%s) - started)) s]: $*" >&2; }
fail() {
  echo "build-debian.sh: ERROR: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (debootstrap, chroot, apt-get)"
[ "$(dpkg --print-architecture)" = amd64 ] || fail "the Debian guest is amd64 only"
for f in ftvm-ready.service 10-lan.network ftvm.conf; do
  [ -f "$FILES_DIR/$f" ] || fail "missing build input $FILES_DIR/$f"
done

# Installed version, or the candidate apt would install.
package_version() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ] || fail "apt does not know $1 (apt-get update?)"
  echo "$candidate"
}
kernel_package=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
  awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ {print $2; exit}')
[ -n "$kernel_package" ] || fail "cannot resolve linux-image-cloud-amd64 to a kernel package"

inputs=$( {
  sha256sum "${BASH_SOURCE[0]}" "$FILES_DIR"/* | cut -d' ' -f1
  echo "$SUITE $MIRROR $SECURITY_MIRROR $DISK_MIB $CMDLINE ${GUEST_PACKAGES[*]}"
  for p in "$kernel_package" systemd postgresql-15; do echo "$p $(package_version "$p")"; done
})
hash=$(echo "$inputs" | sha256sum | cut -c1-16)
out="$CACHE_ROOT/debian-$hash"
if [ -f "$out/vm.json" ]; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

missing=()
for pkg in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing host packages ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi

mkdir -p "$CACHE_ROOT" "$DEB_CACHE"
exec 9>"$CACHE_ROOT/debian.lock"
flock 9
if [ -f "$out/vm.json" ]; then
  echo "$out"
  exit 0
fi
tmp=$(mktemp -d "$CACHE_ROOT/.debian-XXXXXX")
root="$tmp/root"
# Everything mounted into the root lives in this script's own mount namespace (unshare -m), so
# nothing stays mounted on the host whatever happens; the tree itself is removed on exit.
trap 'rm -rf --one-file-system "$tmp"' EXIT

log "debootstrap $SUITE (minbase) from $MIRROR into $root (debs cached in $DEB_CACHE)"
# In a mount namespace of its own: debootstrap mounts /proc and /sys in the target.
unshare -m debootstrap --variant=minbase --cache-dir="$DEB_CACHE" "$SUITE" "$root" "$MIRROR" |
  while read -r line; do log "debootstrap: $line"; done
[ -x "$root/usr/bin/apt-get" ] || fail "debootstrap did not produce a Debian root"

log "configuring the guest (hostname, fstab, network, PostgreSQL, systemd units)"
echo ftvm-debian >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 ftvm-debian\n' >"$root/etc/hosts"
printf '/dev/vda2 / ext4 defaults,noatime 0 0\n' >"$root/etc/fstab"
# What a Debian install has (and this host's apt, whose candidate versions key the cache): the
# release, its updates and security updates.
printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
  "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$SECURITY_MIRROR" "$SUITE" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Services never start inside the build's chroot (PostgreSQL's postinst would start a server here).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# The initramfs must find the root on virtio-blk whatever "most" decides.
mkdir -p "$root/etc/initramfs-tools"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' >>"$root/etc/initramfs-tools/modules"
cp "$DEB_CACHE"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true

in_root() {
  unshare -m sh -c '
    set -e
    root=$1; shift
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts devpts "$root/dev/pts" -o newinstance 2>/dev/null || true
    exec chroot "$root" "$@"' unshare-root "$root" "$@"
}

log "apt-get install ${GUEST_PACKAGES[*]} in the guest"
in_root env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get update -q >&2
in_root env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get install -y -q --no-install-recommends \
  "${GUEST_PACKAGES[@]}" 2>&1 | while read -r line; do log "apt: $line"; done
cp -n "$root"/var/cache/apt/archives/*.deb "$DEB_CACHE/" 2>/dev/null || true
[ -f "$root/etc/postgresql/15/main/postgresql.conf" ] || fail "PostgreSQL's main cluster was not created"

install -m 644 "$FILES_DIR/ftvm.conf" "$root/etc/postgresql/15/main/conf.d/ftvm.conf"
echo "host all all 10.77.0.0/16 trust" >>"$root/etc/postgresql/15/main/pg_hba.conf"
install -m 644 "$FILES_DIR/10-lan.network" "$root/etc/systemd/network/10-lan.network"
install -m 644 "$FILES_DIR/ftvm-ready.service" "$root/etc/systemd/system/ftvm-ready.service"
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nForwardToConsole=no\n' >"$root/etc/systemd/journald.conf.d/ftvm.conf"
in_root systemctl enable systemd-networkd.service ftvm-ready.service postgresql.service >&2
# Periodic jobs and waits that only slow a TCG boot down (and add log for nothing).
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer dpkg-db-backup.timer systemd-networkd-wait-online.service >&2 2>&1 || true
in_root passwd -d root >&2
in_root env LC_ALL=C update-initramfs -u -k all 2>&1 | while read -r line; do log "initramfs: $line"; done
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
in_root apt-get clean
kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
initrd=$(ls "$root"/boot/initrd.img-* | head -1)
[ -f "$kernel" ] && [ -f "$initrd" ] || fail "no kernel/initramfs in the guest's /boot"
release=${kernel##*/vmlinuz-}
log "kernel $release, initramfs $(du -h "$initrd" | cut -f1)"

log "boot partition: FAT16 with SYSLINUX, the kernel and the initramfs"
truncate -s "${BOOT_MIB}M" "$tmp/boot.part"
mkfs.fat -F 16 -n FTVMBOOT -i 46545601 "$tmp/boot.part" >&2
cat >"$tmp/syslinux.cfg" <<CFG
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT debian
LABEL debian
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND $CMDLINE
CFG
export MTOOLS_SKIP_CHECK=1
cp "$kernel" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd.img"
mcopy -i "$tmp/boot.part" "$tmp/vmlinuz" "$tmp/initrd.img" "$tmp/syslinux.cfg" ::/
syslinux --install "$tmp/boot.part"

root_mib=$((DISK_MIB - BOOT_MIB - 2))
log "root partition: ext4 of ${root_mib} MiB filled from the tree (mke2fs -d, no mount)"
used=$(du -sm --one-file-system "$root" | cut -f1)
mkfs.ext4 -q -F -L ftvm-root -U "$ROOT_UUID" \
  -E lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 -d "$root" "$tmp/root.part" "${root_mib}M" >&2
rm -rf --one-file-system "$root"

log "assembling debian.img: MBR (syslinux mbr.bin), boot partition, root partition"
truncate -s "${DISK_MIB}M" "$tmp/debian.img"
root_start=$((BOOT_START + BOOT_MIB * 2048))
printf 'label: dos\nlabel-id: 0x46545602\nstart=%s, size=%s, type=6, bootable\nstart=%s, size=%s, type=83\n' \
  "$BOOT_START" $((BOOT_MIB * 2048)) "$root_start" $((root_mib * 2048)) |
  sfdisk --quiet "$tmp/debian.img" >&2
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$tmp/debian.img" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/boot.part" of="$tmp/debian.img" bs=1M seek=$((BOOT_START / 2048)) conv=notrunc,sparse status=none
dd if="$tmp/root.part" of="$tmp/debian.img" bs=1M seek=$((root_start / 2048)) conv=notrunc,sparse status=none
rm "$tmp/boot.part" "$tmp/root.part" "$tmp/syslinux.cfg" "$tmp/vmlinuz" "$tmp/initrd.img"

cat >"$tmp/vm.json" <<JSON
{
  "format": 2,
  "name": "ftvm-debian",
  "memoryMiB": 512,
  "boot": {"from": "disk"},
  "disks": [{"file": "debian.img", "format": "raw", "bus": "virtio"}],
  "nics": [{"mac": "52:54:00:12:34:56", "model": "virtio-net"}],
  "console": {"readyLinePrefix": "FTVM ready "},
  "guestIp": "10.77.0.10/24"
}
JSON
{
  echo "Debian $SUITE guest built by build-debian.sh in $(($(date +%s) - started)) s"
  echo "kernel $release; root tree ${used} MiB; image $(du -h "$tmp/debian.img" | cut -f1) allocated of ${DISK_MIB} MiB"
  echo "$inputs"
} >"$tmp/build.txt"
mv "$tmp" "$out"
trap - EXIT
log "built $out: $(head -2 "$out/build.txt" | tail -1)"
echo "$out"
