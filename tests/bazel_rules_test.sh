#!/usr/bin/env bash
# The Bazel rules as a product build uses them, on a copy of this workspace
# with its own output base (so it can be cleaned and edited freely):
#   - the demo image builds, and every ELF in it verifies (verify-tar, modinfo);
#   - two clean builds give byte-identical outputs;
#   - a clean build against a --disk_cache executes no action at all (every
#     spawn of the image build, whatever its mnemonic, is a cache hit:
#     compiling, linking, kernel modules, assembling and signing);
#   - changing one source re-signs only what depends on it;
#   - token (pkcs11:) signing actions are local-only and never cached;
#   - --config=release without the release key fails, saying what is missing;
#   - a non-ELF file where only ELF is allowed fails, naming the file.
# Run by tools/test.sh (it runs Bazel itself, so it is not a `bazel test`).
#
#   bash tests/bazel_rules_test.sh      # about 4-8 minutes on 2 cores
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/bazel_workspace.sh
source "$REPO/tests/lib/bazel_workspace.sh" rules-test
CACHE="$W/disk_cache"
TARGETS=(//images/demo:rootfs //images/demo:programs //images/demo:demo_hello)
outputs() {
  (cd bazel-bin/images/demo && sha256sum rootfs.tar.gz demo_hello.ko \
    programs/images/demo/digsig-hello programs/external/debian_busybox/busybox)
}
# executed EXECLOG: "MNEMONIC COUNT" for spawns that ran (not cache hits).
executed() { python3 "$REPO/tests/lib/executed_spawns.py" "$@"; }
# kinds EXECLOG: the mnemonics of every spawn the log holds, on one line.
kinds() { executed --all "$1" | cut -d' ' -f1 | tr '\n' ' '; }

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
{ echo "executed against the warm disk cache:"; executed --list "$W/cached.json"; } >>"$LOG"
# Not vacuous: the log holds the whole image build, every kind of action.
check "the log holds every kind of action of the image build" test "$(kinds "$W/cached.json")" = \
  "CppCompile CppLink DigsigCertificate DigsigRootfs DigsigSign DigsigSignModule DigsigSignTar KernelModule "
check "no action executed, of any mnemonic (all disk cache hits)" test ! -s cached.txt
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
check "busybox and the modules not rebuilt or re-signed: only hello and the image ran" \
  test "$(tr '\n' ' ' <incremental.txt)" = "CppCompile 1 CppLink 1 DigsigRootfs 1 DigsigSign 1 DigsigSignTar 1 "

echo "bazel_rules_test: token keys and the release configuration" >&2
bz aquery 'mnemonic("DigsigSign", //tests/rules:token_signed)' --output=text >aquery.txt 2>>"$LOG"
check "token signing actions exist" grep -q "Mnemonic: DigsigSign" aquery.txt
check "token signing actions are local-only and uncacheable" \
  bash -c "test \$(grep -c 'Mnemonic: DigsigSign' aquery.txt) -eq 2 && test \$(grep -c 'ExecutionInfo: {local: 1, no-cache: 1, no-remote: 1}' aquery.txt) -ge 2"
bz aquery 'mnemonic("DigsigSign", //images/demo:programs)' --output=text >aquery-dev.txt 2>>"$LOG"
check "file-key signing actions may be cached and run remotely" \
  bash -c "grep -q 'Mnemonic: DigsigSign' aquery-dev.txt && ! grep -q 'no-cache' aquery-dev.txt"
bz aquery 'mnemonic("KernelModule", //images/demo:demo_hello)' --output=text >aquery-kmod.txt 2>>"$LOG"
check "kernel modules build here, unsandboxed, and may be cached" \
  grep -q 'ExecutionInfo: {no-remote-exec: 1, no-sandbox: 1}' aquery-kmod.txt
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
