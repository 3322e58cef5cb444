#!/usr/bin/env bash
# The Bazel rules as a product build uses them, on a copy of this workspace
# with its own output base (so it can be cleaned and edited freely):
#   - the demo image builds, and every ELF in it verifies (verify-tar, modinfo);
#   - two clean builds give byte-identical outputs;
#   - a clean build against a --disk_cache executes no signing action;
#   - changing one source re-signs only what depends on it;
#   - token (pkcs11:) signing actions are local-only and never cached;
#   - --config=release without the release key fails, saying what is missing;
#   - a non-ELF file where only ELF is allowed fails, naming the file.
# Run by tools/test.sh (it runs Bazel itself, so it is not a `bazel test`).
#
#   bash tests/bazel_rules_test.sh      # about 5-8 minutes on 2 cores
set -euo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-rules-test.XXXXXX")
LOG="$W/log"
: >"$LOG"
# shellcheck source=tests/lib/harness.sh
source "$REPO/tests/lib/harness.sh"

WS="$W/ws"
mkdir -p "$WS"
(cd "$REPO" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$WS"
cd "$WS"
OB="$W/output_base"
CACHE="$W/disk_cache"
bz() { bazel --output_base="$OB" "$@"; }
cleanup() {
  bz shutdown >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
TARGETS=(//images/demo:rootfs //images/demo:programs //images/demo:demo_hello)
outputs() {
  (cd bazel-bin/images/demo && sha256sum rootfs.tar.gz demo_hello.ko \
    programs/images/demo/digsig-hello programs/external/debian_busybox/busybox)
}
# executed EXECLOG: "MNEMONIC COUNT" for spawns that ran (not cache hits).
executed() {
  python3 - "$1" <<'PY'
import collections, json, sys
text, dec, i, counts = open(sys.argv[1]).read(), json.JSONDecoder(), 0, collections.Counter()
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    spawn, i = dec.raw_decode(text, i)
    if not spawn.get("remoteCacheHit"):
        counts[spawn.get("mnemonic", "?")] += 1
for mnemonic, n in sorted(counts.items()):
    print(mnemonic, n)
PY
}
signing() { grep -E '^DigsigSign' "$1" || true; }

echo "bazel_rules_test: first build (builds digsig too)" >&2
check "clean build of the demo image" bz build --disk_cache="$CACHE" "${TARGETS[@]}"
outputs >first.sha256
# The digsig the signing actions ran (built for the exec configuration).
digsig=$(find -L bazel-out -path '*/bin/signer/tools/digsig' -type f | head -1)
cp "$digsig" "$W/digsig"
digsig="$W/digsig"
check "every ELF in the image verifies (verify-tar)" \
  "$digsig" verify-tar --cert rules/dev_key/cert.pem bazel-bin/images/demo/rootfs.tar.gz
check "the signed programs verify" "$digsig" verify --cert rules/dev_key/cert.pem \
  bazel-bin/images/demo/programs/images/demo/digsig-hello \
  bazel-bin/images/demo/programs/external/debian_busybox/busybox
check "the kernel module carries a module signature modinfo reads" \
  bash -c "modinfo bazel-bin/images/demo/demo_hello.ko | grep -q 'signer:.*digsig DEVELOPMENT key'"
check "the signed C++ program runs" bazel-bin/images/demo/programs/images/demo/digsig-hello

echo "bazel_rules_test: clean build from the disk cache" >&2
bz clean >/dev/null 2>&1
check "clean build against the disk cache" \
  bz build --disk_cache="$CACHE" --execution_log_json_file="$W/cached.json" "${TARGETS[@]}"
executed "$W/cached.json" >cached.txt
cat cached.txt >>"$LOG"
check "no signing action executed (all disk cache hits)" test -z "$(signing cached.txt)"
outputs >cached.sha256
check "outputs from the cache are identical" cmp first.sha256 cached.sha256

echo "bazel_rules_test: clean build without any cache" >&2
bz clean >/dev/null 2>&1
check "second clean build, no cache" bz build "${TARGETS[@]}"
outputs >second.sha256
check "two clean builds give byte-identical outputs" cmp first.sha256 second.sha256

echo "bazel_rules_test: incremental build after a source change" >&2
sed -i 's/a signed program runs/a signed program (changed) runs/' images/demo/hello.cc
check "incremental build" bz build --execution_log_json_file="$W/incremental.json" "${TARGETS[@]}"
executed "$W/incremental.json" >incremental.txt
cat incremental.txt >>"$LOG"
check "hello re-signed once" grep -qx "DigsigSign 1" incremental.txt
check "the image re-signed once" grep -qx "DigsigSignTar 1" incremental.txt
check "busybox and the module not re-signed" \
  test "$(signing incremental.txt | tr '\n' ' ')" = "DigsigSign 1 DigsigSignTar 1 "

echo "bazel_rules_test: token keys and the release configuration" >&2
bz aquery 'mnemonic("DigsigSign", //tests/rules:token_signed)' --output=text >aquery.txt 2>>"$LOG"
check "token signing actions exist" grep -q "Mnemonic: DigsigSign" aquery.txt
check "token signing actions are local-only and uncacheable" \
  bash -c "test \$(grep -c 'Mnemonic: DigsigSign' aquery.txt) -eq 2 && test \$(grep -c 'ExecutionInfo: {local: 1, no-cache: 1, no-remote: 1}' aquery.txt) -ge 2"
bz aquery 'mnemonic("DigsigSign", //images/demo:programs)' --output=text >aquery-dev.txt 2>>"$LOG"
check "file-key signing actions may be cached and run remotely" \
  bash -c "grep -q 'Mnemonic: DigsigSign' aquery-dev.txt && ! grep -q 'no-cache' aquery-dev.txt"
rc=0
bz build //tests/rules:elf_required >elf-required.txt 2>&1 || rc=$?
cat elf-required.txt >>"$LOG"
check "require_elf: a non-ELF file fails the build" test "$rc" -ne 0
check "require_elf: naming the file and the reason" grep -q "generated.txt: not-elf" elf-required.txt
rc=0
bz build --config=release //images/demo:rootfs >release.txt 2>&1 || rc=$?
cat release.txt >>"$LOG"
check "--config=release without the key fails" test "$rc" -ne 0
check "and says what is missing" grep -q "needs the release key" release.txt
finish
