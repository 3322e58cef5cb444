#!/usr/bin/env bash
# The main job on the built-in example: make a development key, sign a set
# of real binaries and a rootfs tarball, show that they verify and still run
# and that tampered copies are refused; then build the demo product with
# Bazel (signed image) and boot it on a QEMU board where digsig.ko refuses
# unsigned and altered programs. Output lands in ${DEMO_DIR:-./demo-out}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh

bazel build //:digsig >/dev/null 2>&1 || bazel build //:digsig
digsig="$PWD/bazel-bin/signer/tools/digsig"
out="${DEMO_DIR:-$PWD/demo-out}"
rm -rf "$out"
mkdir -p "$out/unsigned" "$out/signed"

step() { printf '\n== %s\n' "$*"; }

step "1. development key (not for production)"
"$digsig" keygen --out "$out/key" --subject "CN=digsig demo development key"

step "2. sign real binaries: executables, a static binary, a shared library"
inputs=(/usr/bin/ls /usr/bin/date /usr/bin/sha256sum /bin/busybox
        /usr/lib/x86_64-linux-gnu/libyaml-cpp.so.0.7.0)
cp "${inputs[@]}" "$out/unsigned/"
"$digsig" sign --key "$out/key/key.pem" --cert "$out/key/cert.pem" \
  --out-dir "$out/signed" "$out"/unsigned/*
ls -l "$out/signed"

step "3. every signed file verifies"
"$digsig" verify --cert "$out/key/cert.pem" "$out"/signed/*

step "4. what one signature says"
"$digsig" inspect "$out/signed/ls"

step "5. signed binaries still run"
"$out/signed/ls" -d /usr
"$out/signed/date" -u -d @0
echo "digsig" | "$out/signed/sha256sum"
"$out/signed/busybox" echo "busybox (static) runs"
LD_PRELOAD="$out/signed/libyaml-cpp.so.0.7.0" "$out/signed/ls" -d / >/dev/null &&
  echo "signed shared library loads"

step "6. a tampered copy is refused (one byte flipped)"
cp "$out/signed/ls" "$out/ls.tampered"
printf '\x90' | dd of="$out/ls.tampered" bs=1 seek=4096 conv=notrunc status=none
if "$digsig" verify --cert "$out/key/cert.pem" "$out/ls.tampered"; then
  echo "demo FAILED: tampered file verified" >&2
  exit 1
fi
echo "refused, as it must be"

step "7. an unsigned file and a foreign signer are refused too"
"$digsig" keygen --out "$out/other-key" --subject "CN=someone else" >/dev/null
"$digsig" sign --key "$out/other-key/key.pem" --cert "$out/other-key/cert.pem" \
  -o "$out/ls.other" "$out/unsigned/ls" 2>/dev/null
if "$digsig" verify --cert "$out/key/cert.pem" "$out/unsigned/ls" "$out/ls.other"; then
  echo "demo FAILED: unsigned or foreign file verified" >&2
  exit 1
fi
echo "refused, as they must be"

step "8. a root filesystem tarball, signed in one pass: ELF signatures, IMA xattrs, signed manifest"
rootfs="$out/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/usr/lib"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh ls cat echo; do ln -s busybox "$rootfs/bin/$applet"; done
cp "$out/unsigned/libyaml-cpp.so.0.7.0" "$rootfs/usr/lib/"
echo "digsig demo board" >"$rootfs/etc/motd"
tar --format=pax --owner=0 --group=0 -czf "$out/rootfs.tar.gz" -C "$rootfs" .
"$digsig" sign-tar --key "$out/key/key.pem" --cert "$out/key/cert.pem" --ima \
  "$out/rootfs.tar.gz" -o "$out/rootfs.signed.tar.gz"
"$digsig" verify-tar --cert "$out/key/cert.pem" "$out/rootfs.signed.tar.gz"

step "9. the tarball changed after signing is refused, naming what changed"
python3 tests/lib/tar_edit.py "$out/rootfs.signed.tar.gz" "$out/rootfs.tampered.tar" \
  chmod bin/busybox 4755
if "$digsig" verify-tar --cert "$out/key/cert.pem" "$out/rootfs.tampered.tar"; then
  echo "demo FAILED: tampered archive verified" >&2
  exit 1
fi
echo "refused, as it must be"

step "10. the demo product, built and signed by Bazel (images/demo: busybox, a C++ program, a kernel module)"
bazel build //images/demo:rootfs >/dev/null 2>&1 || bazel build //images/demo:rootfs
image="$PWD/bazel-bin/images/demo/rootfs.tar.gz"
tar -tvzf "$image" | grep -E ' ./bin/busybox$|digsig-hello$|\.ko$|manifest'
"$digsig" verify-tar --cert rules/dev_key/cert.pem "$image"

step "11. the image on a QEMU board (stock Debian kernel): its init enforces (digsig.ko, the enforce profile)"
cp "$out/unsigned/ls" "$out/board-unsigned"
cat >"$out/board-scenario.sh" <<'SCENARIO'
echo "board: the image's init script, /etc/init.d/rcS:"; /etc/init.d/rcS
echo "board: an unsigned copy of ls:"; /opt/unsigned-ls / || echo "board: refused (exit $?)"
cp /usr/bin/digsig-hello /tmp/altered
printf 'XXXX' | dd of=/tmp/altered bs=1 seek=4000 conv=notrunc 2>/dev/null
echo "board: digsig-hello with 4 bytes changed:"; /tmp/altered || echo "board: refused (exit $?)"
echo "board: loading a module after the profile (demo_hello.ko again):"; insmod /lib/modules/demo/demo_hello.ko || echo "board: refused (exit $?)"
dmesg | grep 'digsig:'
echo "BOARD-RESULT demo PASS"
SCENARIO
bash tests/board/board.sh "$image" "$out/board-scenario.sh" "$out/board" \
  "$out/board-unsigned:/opt/unsigned-ls"
tr -d '\r' <"$out/board/console.log" |
  grep -aE '^board:|^digsig-profile:|^insmod:|digsig-hello:|digsig: (refused|loaded|policy)|\[.*digsig'
if ! tr -d '\r' <"$out/board/console.log" | grep -aq 'refused /opt/unsigned-ls'; then
  echo "demo FAILED: the board ran an unsigned binary" >&2
  exit 1
fi
printf '\ndemo OK: %s\n' "$out"
