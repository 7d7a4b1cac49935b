#!/usr/bin/env bash
# Builds ftvm's patched qemu-system-x86_64 from Debian 13's QEMU source and caches it.
#
#   qemu-patches/build.sh            # prints the binary's path as the last line of stdout
#   FTVM_CACHE=/some/dir build.sh    # cache root (default ~/.cache/ftvm)
#
# The cache key hashes everything that determines the binary: the pinned source
# version, this script, the series and every patch.  A hit costs nothing; a miss
# fetches the source with apt-get source, applies Debian's patches and ours,
# and builds only the x86_64 system emulator with TCG.  Progress goes to stderr.
set -euo pipefail

QEMU_SOURCE_VERSION="1:10.0.13+ds-0+deb13u1"
QEMU_UPSTREAM_DIR="qemu-10.0.13+ds"
PKGVERSION="Debian ${QEMU_SOURCE_VERSION}+ftvm1"

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${FTVM_CACHE:-$HOME/.cache/ftvm}
log() { printf '[qemu-build] %s\n' "$*" >&2; }
die() { printf '[qemu-build] ERROR: %s\n' "$*" >&2; exit 1; }

key=$( { echo "$QEMU_SOURCE_VERSION"; cat "$0" "$here/series";
         while read -r p; do [ -n "$p" ] && cat "$here/$p"; done < "$here/series"; } |
       sha256sum | cut -c1-16)
out="$cache_root/qemu-$key"
binary="$out/bin/qemu-system-x86_64"

if [ -x "$binary" ] && [ -f "$out/.complete" ]; then
  log "cached: $binary"
  echo "$binary"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/qemu-build.lock"
flock 9   # a second build of the same tree waits for the first
if [ -x "$binary" ] && [ -f "$out/.complete" ]; then echo "$binary"; exit 0; fi

apt_sources_ready() {
  # Not grep -q: it exits at the first match, apt-cache then dies of SIGPIPE and pipefail turns
  # a served version into "not served" (seen intermittently).
  apt-cache showsrc qemu 2>/dev/null | grep -x "Version: $QEMU_SOURCE_VERSION" >/dev/null
}

# Installs only what is missing, waiting for another apt/dpkg run to finish first.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    [ "$pkg" = "-t" ] && continue
    case "$pkg" in *-backports) continue ;; esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >&2
}

install_build_dependencies() {
  export DEBIAN_FRONTEND=noninteractive
  local list=/etc/apt/sources.list.d
  if [ ! -f "$list/ftvm-trixie-src.sources" ]; then
    log "adding trixie deb-src (for QEMU 10.0's source) and bookworm-backports (meson)"
    cat > "$list/ftvm-trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > "$list/ftvm-backports.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if ! apt_sources_ready; then
    log "apt-get update"
    apt-get update -q -o DPkg::Lock::Timeout=600 >&2
  fi
  apt_sources_ready || die "Debian no longer serves qemu source $QEMU_SOURCE_VERSION (apt-cache showsrc qemu lists: $(apt-cache showsrc qemu | awk '/^Version:/{print $2}' | tr '\n' ' ')). Update QEMU_SOURCE_VERSION in $0 and re-check the patches."
  apt_install -t bookworm-backports meson python3-pycotap
  apt_install dpkg-dev ninja-build pkg-config gcc libc6-dev libglib2.0-dev \
    libpixman-1-dev zlib1g-dev libfdt-dev libslirp-dev python3-venv python3-setuptools \
    flex bison seabios ipxe-qemu qemu-system-data
}

install_build_dependencies

work=$(mktemp -d "$cache_root/qemu-build-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
cd "$work"
log "fetching source qemu=$QEMU_SOURCE_VERSION (apt-get source, with Debian's patches)"
apt-get source -q "qemu=$QEMU_SOURCE_VERSION" >&2 || die "apt-get source qemu=$QEMU_SOURCE_VERSION failed"
cd "$QEMU_UPSTREAM_DIR"

n=0
while read -r p; do
  [ -n "$p" ] || continue
  n=$((n + 1))
  log "applying $p"
  patch -p1 --forward --batch --silent < "$here/$p" >&2 ||
    die "patch $p does not apply to qemu $QEMU_SOURCE_VERSION"
done < "$here/series"
log "applied $n patches"

mkdir build && cd build
log "configuring (x86_64-softmmu, TCG only)"
../configure --python=/usr/bin/python3 --target-list=x86_64-softmmu \
  --with-pkgversion="$PKGVERSION" \
  --disable-install-blobs --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
  --disable-download --disable-docs --disable-tools --disable-gtk --disable-sdl --disable-vnc \
  --disable-opengl --disable-spice --disable-curses --disable-user --disable-guest-agent \
  --disable-werror --disable-kvm --enable-tcg --disable-xen --disable-rust > configure.log 2>&1 ||
  { tail -30 configure.log >&2; die "configure failed (log above)"; }

log "compiling qemu-system-x86_64 on $(nproc) cores (about 5 minutes on 2 cores)"
start=$(date +%s)
# ninja's [n/N] lines are the progress; keep every 100th so the log stays short.
if ! ninja qemu-system-x86_64 2>&1 | awk '/^\[[0-9]+\/[0-9]+\]/ { split($1, a, /[\[\/\]]/); if (a[2] % 100 == 0 || a[2] == a[3]) { print "[qemu-build] " $1; fflush() }; next } { print; fflush() }' >&2; then
  die "compilation failed"
fi
[ -x qemu-system-x86_64 ] || die "compilation produced no qemu-system-x86_64"
log "compiled in $(( $(date +%s) - start )) s"

rm -rf "$out" && mkdir -p "$out/bin"
cp qemu-system-x86_64 "$out/bin/"
"$out/bin/qemu-system-x86_64" --version | head -1 | grep -q "+ftvm" || die "built binary does not report the ftvm version marker"
printf '%s\n' "$QEMU_SOURCE_VERSION" > "$out/source-version"
cp "$here/series" "$out/series"
touch "$out/.complete"
log "built $binary"
echo "$binary"
