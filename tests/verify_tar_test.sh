#!/usr/bin/env bash
# digsig verify-tar and the signed manifest: a signed archive verifies (with
# digsig and, for the manifest, with stock openssl); every kind of change
# made after signing is reported with exit 1: altered or unsigned ELF files,
# entries added, removed or changed (mode, owner, link target, content,
# xattrs), a tampered IMA signature, an edited or missing manifest, an
# unknown signer. Also: re-signing, --jobs independence, spooling of large
# entries, the YAML ima switch.
set -euo pipefail
export LC_ALL=C
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
tar_edit="$TEST_SRCDIR/digsig/tests/lib/tar_edit.py"
manifest_check="$TEST_SRCDIR/digsig/tests/lib/manifest_check.py"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test verify-tar

"$digsig" keygen --out key >/dev/null
"$digsig" keygen --out other --subject CN=other >/dev/null
sign_tar() { "$digsig" sign-tar --key key/key.pem --cert key/cert.pem "$@"; }
verify_tar() { "$digsig" verify-tar --cert key/cert.pem "$@"; }

R=root
mkdir -p $R/usr/bin $R/lib/modules $R/etc
cp /bin/ls /bin/true $R/usr/bin/
ln -s ls $R/usr/bin/ls-symlink
cp /bin/echo $R/usr/bin/
ln $R/usr/bin/echo $R/usr/bin/echo-hardlink
echo "not an ELF" >$R/etc/motd
printf 'odd' >"$R/etc/$(printf 'sp ace\\back-\xff')"
printf '' >$R/etc/-
printf 'static const char mi[] __attribute__((section(".modinfo"), used)) = "license=GPL";\n' >mod.c
gcc -c mod.c -o $R/lib/modules/demo.ko
tar --format=pax -cf in.tar -C $R .

check "signs with --ima" sign_tar --ima in.tar -o signed.tar
check "the signed archive verifies" verify_tar signed.tar
check "--json says ok" bash -c "'$digsig' verify-tar --json --cert key/cert.pem signed.tar | grep -q '\"status\":\"ok\"'"
check "the manifest is the last two entries" \
  bash -c "tar -tf signed.tar | tail -2 | tr '\n' ' ' | grep -qx './.digsig/manifest ./.digsig/manifest.p7s '"
mkdir -p m && tar -xf signed.tar -C m ./.digsig
check "stock openssl verifies the manifest signature" \
  openssl cms -verify -binary -inform DER -in m/.digsig/manifest.p7s -content m/.digsig/manifest \
  -certfile key/cert.pem -CAfile key/cert.pem -purpose any -out /dev/null
check "the manifest lists every entry" \
  test "$(($(wc -l <m/.digsig/manifest) - 2))" -eq "$(tar -tf in.tar | wc -l)"
check "an independent reading of docs/format.md gives the same manifest" \
  python3 "$manifest_check" signed.tar
check "the manifest records ls's content digest" bash -c \
  "tar -xOf signed.tar ./usr/bin/ls | sha256sum | cut -d' ' -f1 | xargs -I{} grep -q ' {} .* ./usr/bin/ls -$' m/.digsig/manifest"

# expect_finding NAME PROBLEM ARCHIVE: verify-tar exits 1 naming PROBLEM.
expect_finding() {
  local rc=0
  verify_tar "$3" >/dev/null 2>find.txt || rc=$?
  cat find.txt >>"$LOG"
  check "$1: exit 1" test "$rc" -eq 1
  check "$1: reports $2" grep -q ": $2" find.txt
}

cp /bin/cat unsigned-elf
python3 "$tar_edit" signed.tar t-flip.tar flip usr/bin/ls
expect_finding "flipped byte in ls" "altered" t-flip.tar
check "flipped byte in ls: the manifest sees changed content" grep -q "usr/bin/ls': changed: content" find.txt
python3 "$tar_edit" signed.tar t-unsigned.tar replace usr/bin/true unsigned-elf
expect_finding "unsigned ELF swapped in" "unsigned" t-unsigned.tar
python3 "$tar_edit" signed.tar t-add.tar add usr/bin/extra unsigned-elf
expect_finding "entry added" "added" t-add.tar
python3 "$tar_edit" signed.tar t-remove.tar remove etc/motd
expect_finding "entry removed" "removed" t-remove.tar
python3 "$tar_edit" signed.tar t-chmod.tar chmod usr/bin/true 4755
expect_finding "setuid bit added" "changed: mode" t-chmod.tar
python3 "$tar_edit" signed.tar t-chown.tar chown usr/bin/ls 1000
expect_finding "owner changed" "changed: owner" t-chown.tar
python3 "$tar_edit" signed.tar t-relink.tar relink usr/bin/ls-symlink /tmp/evil
expect_finding "symlink retargeted" "changed: link target" t-relink.tar
printf 'changed\n' >motd2
python3 "$tar_edit" signed.tar t-motd.tar replace etc/motd motd2
expect_finding "non-ELF content changed" "changed: size, content" t-motd.tar
python3 "$tar_edit" signed.tar t-cap.tar xattr usr/bin/true security.capability 0100000200200000
expect_finding "capability xattr added" "changed: xattrs" t-cap.tar
python3 "$tar_edit" signed.tar t-ima.tar copy-ima usr/bin/ls usr/bin/true
expect_finding "IMA signature of another file" "ima-altered" t-ima.tar
printf 'd 0755 0 0 0 - - ./evil/ -\n' >>m/.digsig/manifest
python3 "$tar_edit" signed.tar t-manifest.tar replace .digsig/manifest m/.digsig/manifest
expect_finding "manifest edited" "manifest-altered" t-manifest.tar
python3 "$tar_edit" signed.tar t-nomanifest.tar remove .digsig/manifest
expect_finding "manifest removed" "manifest-missing" t-nomanifest.tar
check "--no-manifest accepts an archive without one" \
  "$digsig" verify-tar --no-manifest --cert key/cert.pem t-nomanifest.tar
expect_finding "manifest of an unsigned archive" "manifest-missing" in.tar
rc=0
"$digsig" verify-tar --cert other/cert.pem signed.tar >/dev/null 2>find.txt || rc=$?
check "another key's certificate: exit 1" test "$rc" -eq 1
check "another key's certificate: unknown signer" grep -q "unknown-signer" find.txt
check "another key's certificate: the manifest too" grep -q "manifest-unknown-signer" find.txt

# Re-signing replaces the manifest instead of adding a second one, and
# gives the same bytes; the number of worker threads changes nothing.
check "re-signing a signed archive" sign_tar --ima signed.tar -o resigned.tar
check "re-signed output is identical" cmp signed.tar resigned.tar
check "--jobs 1" sign_tar --ima --jobs 1 in.tar -o jobs1.tar
check "--jobs 1 output is identical" cmp signed.tar jobs1.tar
check "--jobs 7" sign_tar --ima --jobs 7 in.tar -o jobs7.tar
check "--jobs 7 output is identical" cmp signed.tar jobs7.tar

# Entries above the in-memory limit (16 MiB) go through a spool file.
head -c $((20 << 20)) /dev/urandom >blob
objcopy --add-section .bulk=blob --set-section-flags .bulk=readonly /bin/true $R/usr/bin/big
tar --format=gnu -cf big.tar -C $R usr/bin/big usr/bin/true
check "a 20 MiB ELF signs" bash -c "'$digsig' sign-tar --json --key key/key.pem --cert key/cert.pem \
  --spool-dir '$W' big.tar -o big-signed.tar >big.json"
check "it went through the spool" grep -q '"spooled":1' big.json
check "the spooled ELF verifies in the archive" verify_tar big-signed.tar
mkdir -p xb && tar -xf big-signed.tar -C xb
check "the spooled ELF verifies extracted" "$digsig" verify --cert key/cert.pem xb/usr/bin/big
check "the spooled ELF still runs" xb/usr/bin/big
check "no spool file left behind" bash -c "! ls '$W'/digsig-spool.* 2>/dev/null"
sign_tar --no-manifest big.tar -o big-nomanifest.tar 2>>"$LOG"
check "--no-manifest writes none" bash -c "! tar -tf big-nomanifest.tar | grep -q digsig/manifest"

# The ima switch of a YAML profile.
cat >cfg.yaml <<YAML
profiles:
  all:
    key: key/key.pem
    cert: key/cert.pem
    ima: all
YAML
check "profile with ima: all" "$digsig" sign-tar --config cfg.yaml --profile all in.tar -o cfg.tar
check "plain files got security.ima" bash -c "grep -qa 'SCHILY.xattr.security.ima' cfg.tar && \
  test \$(grep -ac 'SCHILY.xattr.security.ima=' cfg.tar) -ge 4"
check "and it verifies" verify_tar cfg.tar
sed -i 's/ima: all/ima: some/' cfg.yaml
rc=0
"$digsig" sign-tar --config cfg.yaml --profile all in.tar -o cfg2.tar 2>err.txt || rc=$?
check "a bad ima value is a configuration error (exit 2)" test "$rc" -eq 2
check "the error names the setting" grep -q "ima must be none, signed or all" err.txt

# Broken archives: one line, exit 1.
head -c 3000 signed.tar >truncated.tar
rc=0
verify_tar truncated.tar >/dev/null 2>err.txt || rc=$?
check "truncated archive: exit 1" test "$rc" -eq 1
check "truncated archive: one error line naming it" \
  bash -c "test \$(wc -l <err.txt) -eq 1 && grep -q truncated.tar err.txt"
finish
