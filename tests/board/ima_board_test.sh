#!/usr/bin/env bash
# Layer 2 on the QEMU board (stock Debian kernel, TCG): IMA appraisal fed by
# the security.ima signatures `digsig sign-tar --ima-all` wrote into the image
# (//tests/board/ima:rootfs). board.sh restores them on the board's tmpfs
# root (BOARD_TOOL); the scenario loads the build's certificate into the
# _ima keyring and an appraisal policy, then checks what IMA refuses that an
# exec hook never sees: an unsigned shared library through LD_PRELOAD or
# dlopen, and `ld.so ./unsigned`; signed programs, libraries and `ld.so
# ./signed` still run. digsig.ko is not loaded: every refusal here is IMA's.
# The scenario also shows what this policy does not stop (a shell reading an
# unsigned script, plain reads). Every scenario is one result.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test ima
R="$TEST_SRCDIR/digsig"
board="$R/tests/board/board.sh"

# The exact policy loaded on the board (Documentation/ABI/testing/ima_policy):
# every exec'd file (the program, a script, a script's interpreter) and every
# file mapped executable (the PT_INTERP loader, shared libraries from
# DT_NEEDED, LD_PRELOAD and dlopen, and the program that `ld.so PROGRAM`
# maps) must carry a valid security.ima signature by a key in _ima.
cat >policy <<'POLICY'
appraise func=BPRM_CHECK appraise_type=imasig
appraise func=MMAP_CHECK mask=MAY_EXEC appraise_type=imasig
POLICY

# Observed refusals (stock 6.1 kernel, glibc 2.36, busybox sh); the scenario
# prints each as a BOARD-NOTE line:
# - exec of an unsigned ELF file or script: execve fails with EACCES; busybox
#   sh says "/scenario.sh: line N: /opt/unsigned/ima-hello: Permission
#   denied" and the status is 126.
# - LD_PRELOAD of an unsigned library: the PROT_EXEC mmap fails with EACCES;
#   ld.so says "ERROR: ld.so: object '/opt/unsigned/libmarker.so' from
#   LD_PRELOAD cannot be preloaded (failed to map segment from shared
#   object): ignored." and the program runs without it.
# - dlopen of an unsigned library: dlerror() is "/opt/unsigned/libmarker.so:
#   failed to map segment from shared object".
# - `ld.so ./unsigned`: ld.so says "/opt/unsigned/ima-hello: error while
#   loading shared libraries: /opt/unsigned/ima-hello: failed to map segment
#   from shared object" and exits 127.
# - The kernel logs each appraisal failure as an audit record: "audit:
#   type=1800 ... op=appraise_data cause=IMA-signature-required comm=...
#   name=... res=0" (dev="rootfs" for the initramfs root, "tmpfs" for /tmp);
#   a signature that does not match the content: "cause=invalid-signature".

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
note() { echo "BOARD-NOTE $1: $2"; }
refused() { "$@" >/dev/null 2>&1; [ $? -ne 0 ]; }
T=/.board/tool
LDSO=/lib64/ld-linux-x86-64.so.2
HELLO="ima-hello: a signed dynamic program runs"
MARKER="IMA-MARKER libmarker constructor ran"
has() { echo "$1" | grep -q "$2"; }

# The image's signatures are on its files: the root is tmpfs, which keeps
# security.* xattrs. A copy has none (busybox cp copies no xattrs).
v=$($T getxattr /usr/bin/ima-hello security.ima 2>&1)
case $v in 0302*) true ;; *) false ;; esac; result xattrs-restored $? "$v"
cp /usr/bin/ima-hello /tmp/hello-copy && cp /usr/lib/libmarker.so /tmp/libmarker-copy.so &&
  cp /bin/busybox /tmp/busybox-copy && printf '#!/bin/sh\necho unsigned-script-ran\n' >/tmp/script.sh &&
  chmod 0755 /tmp/hello-copy /tmp/busybox-copy /tmp/script.sh
refused $T getxattr /tmp/hello-copy security.ima; result copy-has-no-ima-xattr $?
# An altered program that keeps the original's signature: one byte appended
# (it still runs), the security.ima value copied over.
cp /usr/bin/ima-hello /tmp/altered && echo >>/tmp/altered && chmod 0755 /tmp/altered &&
  echo "security.ima $v /tmp/altered" >/tmp/altered.xattrs && $T setxattrs /tmp/altered.xattrs >/dev/null
result altered-copy-keeps-signature $?

# Before the policy everything runs, so the refusals below are IMA's.
out=$(/opt/unsigned/ima-hello 2>&1); has "$out" "$HELLO"; result before-policy-unsigned-runs $? "$out"
out=$(/tmp/altered 2>&1); has "$out" "$HELLO"; result before-policy-altered-runs $? "$out"
out=$(LD_PRELOAD=/opt/unsigned/libmarker.so /usr/bin/ima-hello 2>&1); has "$out" "$MARKER"
result before-policy-unsigned-preload-loads $? "$out"
out=$($LDSO /opt/unsigned/ima-hello 2>&1); has "$out" "$HELLO"; result before-policy-ldso-unsigned-runs $? "$out"

# The key, then the policy (closing the policy file makes it active).
out=$($T ima-key /etc/keys/ima.der 2>&1); result ima-key-loads $? "$out"; note ima-key "$out"
# /proc/keys: "keyring   _ima: 1" and our certificate, whose key id (the
# SubjectKeyIdentifier's last 4 bytes) is the one in the signatures' header.
kid=$(echo "$v" | cut -c7-14)
grep -q 'keyring *_ima: 1$' /proc/keys && grep -q "X509\.rsa $kid \[" /proc/keys
result ima-keyring-holds-the-signing-cert $? "$kid $(cat /proc/keys)"
# Sealed: root can no longer add its own certificate (nor undo the seal).
out=$($T seal-ima 2>&1); result ima-keyring-seals $? "$out"
out=$($T ima-key /etc/keys/ima.der 2>&1); st=$?
[ $st -ne 0 ] && has "$out" "Permission denied"; result sealed-keyring-refuses-keys $? "$out"; note sealed-add-key "$out"
refused $T seal-ima; result sealed-keyring-permissions-fixed $?
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
P=/sys/kernel/security/ima/policy
cat /policy >$P; result ima-policy-loads $?

# A signature that does not match the content (first, as the kernel's audit
# lines to the log are rate limited).
refused /tmp/altered; result altered-exec-refused $?
dmesg | grep -q 'cause=invalid-signature .*name="/tmp/altered"'; result altered-reason-logged $? "$(dmesg | tail -3)"

# Signed code still runs.
/bin/ls / >/dev/null; result signed-busybox-runs $?
out=$(/usr/bin/ima-hello 2>&1); has "$out" "$HELLO"; result signed-dynamic-program-runs $? "$out"
out=$(LD_PRELOAD=/usr/lib/libmarker.so /usr/bin/ima-hello 2>&1)
has "$out" "$MARKER" && has "$out" "$HELLO"; result signed-preload-loads $? "$out"
out=$(/usr/bin/ima-hello /usr/lib/libmarker.so 2>&1); has "$out" "$MARKER"; result signed-dlopen-loads $? "$out"
out=$($LDSO /usr/bin/ima-hello 2>&1); has "$out" "$HELLO"; result ldso-signed-runs $? "$out"
out=$(/usr/bin/ima-script 2>&1); has "$out" "a signed script runs"; result signed-script-runs $? "$out"

# Unsigned libraries: ld.so cannot map them executable; the program itself
# (signed) goes on without them.
out=$(LD_PRELOAD=/opt/unsigned/libmarker.so /usr/bin/ima-hello 2>&1)
! has "$out" "$MARKER" && has "$out" "$HELLO"; result unsigned-preload-refused $? "$out"; note unsigned-preload "$out"
out=$(LD_PRELOAD=/tmp/libmarker-copy.so /usr/bin/ima-hello 2>&1)
! has "$out" "$MARKER"; result copied-preload-refused $? "$out"
out=$(/usr/bin/ima-hello /opt/unsigned/libmarker.so 2>&1)
! has "$out" "$MARKER" && has "$out" "dlopen failed"; result unsigned-dlopen-refused $? "$out"; note unsigned-dlopen "$out"
# A substituted DT_NEEDED library: an unsigned libc.so.6 found first
# through LD_LIBRARY_PATH cannot be mapped, so the program cannot start.
mkdir -p /tmp/libcopy && cp /lib/x86_64-linux-gnu/libc.so.6 /tmp/libcopy/
out=$(LD_LIBRARY_PATH=/tmp/libcopy /usr/bin/ima-hello 2>&1); st=$?
[ $st -ne 0 ] && ! has "$out" "$HELLO"; result unsigned-needed-library-refused $? "$st $out"
note unsigned-needed-library "exit $st: $out"

# `ld.so ./unsigned`: the exec is of the signed ld.so, but the program it
# maps is appraised.
out=$($LDSO /opt/unsigned/ima-hello 2>&1); st=$?
[ $st -ne 0 ] && ! has "$out" "$HELLO"; result ldso-unsigned-refused $? "$st $out"; note ldso-unsigned "exit $st: $out"
out=$($LDSO /tmp/hello-copy 2>&1); st=$?
[ $st -ne 0 ] && ! has "$out" "$HELLO"; result ldso-copy-refused $? "$st $out"

# Exec without digsig.ko: unsigned dynamic and static ELF files and scripts.
out=$(/opt/unsigned/ima-hello 2>&1); st=$?
[ $st -ne 0 ] && ! has "$out" "$HELLO"; result unsigned-exec-refused $? "$out"; note unsigned-exec "exit $st: $out"
refused /tmp/hello-copy; result copied-exec-refused $?
refused /tmp/busybox-copy true; result unsigned-static-exec-refused $?
refused $T getxattr /bin/busybox security.ima; result unsigned-board-tool-refused $?
out=$(/tmp/script.sh 2>&1); st=$?
[ $st -ne 0 ] && ! has "$out" unsigned-script-ran; result unsigned-script-exec-refused $? "$out"; note unsigned-script "exit $st: $out"

# Not stopped by this policy: a shell reading a script (the shell is the
# signed program; the script is data), reading an unsigned file.
sh /tmp/script.sh | grep -q unsigned-script-ran; result interpreter-reads-unsigned-script $?
cat /opt/unsigned/libmarker.so >/dev/null; result unsigned-file-readable $?

# The policy cannot be replaced (CONFIG_IMA_WRITE_POLICY is not set: the
# policy file is gone once the policy is loaded), and
# the kernel logged the refusals.
refused sh -c "echo 'dont_appraise func=BPRM_CHECK' >$P"; result policy-cannot-be-replaced $?
note policy-file "$(ls -l $P 2>&1)"
dmesg | grep -q 'cause=IMA-signature-required'; result refusals-logged $? "$(dmesg | tail -5)"
dmesg | grep -E 'cause=(invalid-signature|IMA-signature-required)' | head -4 | while read -r line; do note audit "$line"; done
SCENARIO

export BOARD_TOOL="$R/tests/board/board_tool"
check "the board boots the IMA image and finishes the scenario" "$board" "$R/tests/board/ima/rootfs.tar.gz" \
  scenario.sh "$W/out" "policy:/policy" \
  "$R/tests/board/ima/ima-hello:/opt/unsigned/ima-hello" \
  "$R/tests/board/ima/libmarker.so:/opt/unsigned/libmarker.so"
cat "$W/out/console.log" >>"$LOG"
check "board: the image's security.ima xattrs restored" grep -aq '^BOARD-XATTRS [1-9][0-9]* xattrs set' <(tr -d '\r' <"$W/out/console.log")
for name in xattrs-restored copy-has-no-ima-xattr altered-copy-keeps-signature \
  before-policy-unsigned-runs before-policy-altered-runs before-policy-unsigned-preload-loads \
  before-policy-ldso-unsigned-runs ima-key-loads ima-keyring-holds-the-signing-cert \
  ima-keyring-seals sealed-keyring-refuses-keys sealed-keyring-permissions-fixed \
  ima-policy-loads altered-exec-refused altered-reason-logged signed-busybox-runs \
  signed-dynamic-program-runs signed-preload-loads signed-dlopen-loads ldso-signed-runs \
  signed-script-runs unsigned-preload-refused copied-preload-refused unsigned-dlopen-refused \
  unsigned-needed-library-refused ldso-unsigned-refused ldso-copy-refused \
  unsigned-exec-refused copied-exec-refused unsigned-static-exec-refused \
  unsigned-board-tool-refused unsigned-script-exec-refused interpreter-reads-unsigned-script \
  unsigned-file-readable policy-cannot-be-replaced refusals-logged; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
