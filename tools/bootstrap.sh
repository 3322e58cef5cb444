#!/usr/bin/env bash
# Installs every Debian 12 package the build, the demo and the tests need.
# Idempotent: installs only what is missing, runs apt-get update at most once.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/cross_targets.sh
source tools/lib/cross_targets.sh

PACKAGES=(
  # build
  bazel-bootstrap g++ make python3 llvm-14 llvm-14-dev libssl-dev openssl
  libarchive-dev libyaml-cpp-dev googletest libgtest-dev
  # fuzzing
  clang-14 libclang-rt-14-dev
  # keys, tokens and the tools signatures must interoperate with
  softhsm2 libengine-pkcs11-openssl opensc ima-evm-utils kmod
  linux-headers-amd64
  # every ELF the world ships, and a way to run it
  binutils file xxd attr busybox-static qemu-user
  # archives: compressors, and bsdtar to cross-check listings
  libarchive-tools zstd xz-utils bzip2 gzip tar
  # a real Debian root filesystem for the rootfs test; peak RSS in benchmarks
  mmdebstrap time
  # the QEMU test board: the stock Debian kernel, booted under TCG
  qemu-system-x86 linux-image-amd64 cpio
  # a vfat image for the board attacks on filesystems without i_version
  dosfstools
  # libaem (aem/runtime): io_uring; valgrind for its leak checks
  liburing-dev valgrind
  # the AEM benchmark's peer servers and load generator
  libuv1-dev libevent-dev libasio-dev wrk
)
# Every cross target's compiler and C library (tools/lib/cross_targets.sh).
for row in "${CROSS_TARGETS[@]}"; do
  IFS='|' read -r _ _ _ _ _ compiler libc <<<"$row"
  PACKAGES+=("$compiler" "$libc")
done

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_install() {
  if [ "$updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  apt_install "${missing[@]}"
  echo "bootstrap: done" >&2
fi

# The QEMU board boots /boot/vmlinuz-RELEASE and loads modules built against
# the newest kernel headers: the two must be the same release, which the
# metapackages do not promise when the headers were installed earlier.
release=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1 | sed 's|.*/linux-headers-||')
if [ -n "$release" ] && [ ! -f "/boot/vmlinuz-$release" ]; then
  echo "bootstrap: installing linux-image-$release to match the kernel headers" >&2
  apt_install "linux-image-$release"
fi

# Smoke test: every cross target compiles, links and runs a static and a
# dynamic C program. A package that installs but cannot build (a compiler
# without its C library, a missing qemu) fails here, naming the package,
# instead of deep inside a test.
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("digsig-smoke"); return 0; }\n' >"$smoke/hello.c"
smoke_failed=0
for row in "${CROSS_TARGETS[@]}"; do
  IFS='|' read -r triple qemu _ _ _ compiler libc <<<"$row"
  cc="$triple-gcc"
  [ "$compiler" = gcc ] && cc=gcc
  for kind in static dynamic; do
    flags=(); run=()
    [ "$kind" = static ] && flags=(-static)
    if [ -n "$qemu" ]; then
      run=("$qemu")
      [ "$kind" = dynamic ] && run+=(-L "/usr/$triple")
    fi
    if ! "$cc" "${flags[@]}" -o "$smoke/hello-$triple-$kind" "$smoke/hello.c" 2>"$smoke/err"; then
      echo "bootstrap: $triple: cannot build a $kind C program with $cc (packages $compiler, $libc): $(head -1 "$smoke/err")" >&2
      smoke_failed=1
    elif [ "$(timeout 30 "${run[@]}" "$smoke/hello-$triple-$kind" 2>&1)" != digsig-smoke ]; then
      echo "bootstrap: $triple: a $kind C program does not run${qemu:+ under $qemu (package qemu-user)}" >&2
      smoke_failed=1
    fi
  done
done
if [ "$smoke_failed" -ne 0 ]; then
  echo "bootstrap: cross-target smoke test failed" >&2
  exit 1
fi
