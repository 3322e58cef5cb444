#!/usr/bin/env bash
# kernel_module's build step: copies the sources into a scratch directory,
# runs kbuild there and copies the module out. Debug info and build IDs name
# no scratch path (-ffile-prefix-map), so the module is the same in every
# output base.
#
#   build_module.sh KDIR_FILE MODULE_NAME OUT.ko SRC...
set -euo pipefail
kdir=$(cat "$1")
name=$2
out=$3
shift 3
[ -f "$kdir/Makefile" ] || { echo "kernel_module: $kdir is not a kernel build directory" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/digsig-kmod.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
objs=()
for src in "$@"; do
  cp "$src" "$scratch/"
  case "$src" in *.c) objs+=("$(basename "${src%.c}").o") ;; esac
done
if [ ! -f "$scratch/Kbuild" ]; then
  if [ "${#objs[@]}" -eq 1 ] && [ "${objs[0]}" = "$name.o" ]; then
    echo "obj-m := $name.o" >"$scratch/Kbuild"
  else
    { echo "obj-m := $name.o"; echo "$name-y := ${objs[*]}"; } >"$scratch/Kbuild"
  fi
fi
log="$scratch/build.log"
if ! make -s -C "$kdir" M="$scratch" KCFLAGS="-ffile-prefix-map=$scratch=." modules >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
cp "$scratch/$name.ko" "$out"
