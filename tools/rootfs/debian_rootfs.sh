#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem tarball (plain
# GNU tar, ~170 MB, ~750 ELF files), building it on first use and caching it:
# tests and benchmarks want a real distribution's files, but not a 40 s
# download every run.
#
#   tools/rootfs/debian_rootfs.sh          # -> .../debian-bookworm-minbase-v1.tar
#
# Cache: $DIGSIG_CACHE, else ~/.cache/digsig of the real user (looked up in
# passwd: `bazel test` does not pass HOME through and sets it to the test's
# temporary directory, which would rebuild the tarball on every run).
# The tarball is keyed by VERSION below: bump it to force a rebuild. Needs
# root (mmdebstrap's root mode; user namespaces are not needed) and the Debian
# mirror. Installs mmdebstrap with apt-get when it is missing, and falls back
# to debootstrap + tar if that fails (or with DIGSIG_ROOTFS_TOOL=debootstrap).
set -euo pipefail

VERSION=1
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
# Fixed timestamp: with SOURCE_DATE_EPOCH mmdebstrap's output is bit-for-bit
# reproducible for the same mirror content (the mirror itself moves with
# point releases and security updates; the cache keeps one snapshot).
export SOURCE_DATE_EPOCH=1704067200 # 2024-01-01 00:00:00 UTC
# Bazel's strict action environment leaves /usr/sbin out of PATH; mmdebstrap
# and debootstrap need chroot, mount and ldconfig from there.
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C

home=$(getent passwd "$(id -u)" | cut -d: -f6)
cache="${DIGSIG_CACHE:-${home:-$HOME}/.cache/digsig}"
out="$cache/debian-$SUITE-minbase-v$VERSION.tar"
log() { echo "debian_rootfs: $*" >&2; }

if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { log "building $out needs root (chroot, mknod)"; exit 2; }
mkdir -p "$cache"

# One builder at a time (a test and a benchmark may ask together); the loser
# waits and then finds the tarball.
exec 9>"$out.lock"
flock 9
if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # The local package lists may be stale; an update failing on some unrelated
  # third-party source must not stop us, hence `|| true`.
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 || true; apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

tool="${DIGSIG_ROOTFS_TOOL:-mmdebstrap}"
if [ "$tool" = mmdebstrap ] && ! command -v mmdebstrap >/dev/null; then
  log "installing mmdebstrap"
  apt_install mmdebstrap || tool=debootstrap
fi

tmp="$out.tmp.$$" # not *.tar: a half-built file never looks finished
trap 'rm -rf "$tmp" "$tmp.d"' EXIT
start=$(date +%s)
log "building $out with $tool (about a minute; needs $MIRROR)"
case "$tool" in
  mmdebstrap)
    # root mode as root (no user namespaces); hostname and resolv.conf come
    # from the host, so drop them to keep the output host-independent.
    # shellcheck disable=SC2016 # $1 is the hook's argument, expanded by mmdebstrap
    mmdebstrap --quiet --mode=root --variant=minbase --format=tar \
      --customize-hook='rm -f "$1/etc/hostname" "$1/etc/resolv.conf"' \
      "$SUITE" "$tmp" "$MIRROR" >&2
    ;;
  debootstrap)
    command -v debootstrap >/dev/null || apt_install debootstrap
    mkdir "$tmp.d"
    debootstrap --variant=minbase "$SUITE" "$tmp.d" "$MIRROR" >&2
    rm -rf "$tmp.d"/var/cache/apt/archives/*.deb "$tmp.d"/var/lib/apt/lists/* \
      "$tmp.d"/etc/hostname "$tmp.d"/etc/resolv.conf
    # The same shape mmdebstrap gives: GNU format, numeric owners, sorted,
    # mtimes clamped to SOURCE_DATE_EPOCH.
    tar --format=gnu --xattrs --xattrs-include='*' --numeric-owner --sort=name \
      --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime -C "$tmp.d" -cf "$tmp" .
    ;;
  *) log "unknown DIGSIG_ROOTFS_TOOL=$tool"; exit 2 ;;
esac
mv "$tmp" "$out"
log "built in $(($(date +%s) - start)) s: $(du -h "$out" | cut -f1)"
echo "$out"
