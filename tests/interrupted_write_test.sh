#!/usr/bin/env bash
# Killed with SIGKILL at random moments, digsig leaves every file whole: each
# input is its original bytes or a fully verifying signed file, each output
# complete or absent, and after the next run no temporary file remains,
# hidden or not. Both ways of writing are tried on the file system the test
# runs on: unnamed temporary files (O_TMPFILE) and the hidden-name fallback
# (forced with DIGSIG_TEMP_FILES=named).
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test interrupted

KILLS=${KILLS:-10}
"$digsig" keygen --out key >/dev/null
sign() { "$digsig" sign --key key/key.pem --cert key/cert.pem "$@"; }

# A batch of programs of 0.25 to 2.25 MB each, so that kills land inside
# writes as well as between them.
printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c
mkdir pristine
for i in $(seq -w 1 80); do
  head -c $(((RANDOM % 2048 + 256) * 1024)) /dev/urandom >pad
  objcopy --add-section .pad=pad prog "pristine/prog$i"
done
chmod 0750 pristine/prog01
setfattr -n user.digsig-test -v kept pristine/prog02 2>/dev/null || true

# runs_for SECONDS CMD...: starts CMD and kills it with SIGKILL after SECONDS.
kill_after() {
  local delay=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Seconds (fractional) since START, a `date +%s.%N` reading; awk, not bc,
# which a fresh Debian lacks.
seconds_since() { awk -v s="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", now - s }'; }

# A random delay in [0, $1) seconds, in milliseconds' steps.
random_delay() { printf '0.%03d' $((RANDOM % 1000)) | awk -v m="$1" '{ printf "%.3f", $1 * m }'; }

# whole DIR: every visible file is its original or verifies; nothing but the
# inputs' names is visible.
whole() {
  local dir=$1 bad=0 f
  [[ "$(cd "$dir" && ls)" == "$(cd pristine && ls)" ]] || { echo "names differ in $dir"; bad=1; }
  # One verify run for the batch; each file it rejects must be the original.
  for f in $("$digsig" verify --cert key/cert.pem "$dir"/* 2>&1 >/dev/null |
    sed -n 's/^digsig: \([^:]*\): .*/\1/p'); do
    cmp -s "$f" "pristine/${f##*/}" || { echo "$f: neither original nor signed"; bad=1; }
  done
  return $bad
}

# leftovers DIR: the names beyond the inputs' (hidden ones included).
leftovers() { comm -13 <(cd pristine && ls -A) <(cd "$1" && ls -A); }

for kind in unnamed named; do
  env_kind=auto
  [[ $kind == named ]] && env_kind=named
  rm -rf batch && cp -a pristine batch
  # How long a whole run takes here, so kills spread over it.
  start=$(date +%s.%N)
  DIGSIG_TEMP_FILES=$env_kind sign --in-place batch/* >/dev/null
  duration=$(seconds_since "$start")
  rm -rf batch && cp -a pristine batch
  all_whole=0 seen_hidden=0
  for _ in $(seq "$KILLS"); do
    kill_after "$(random_delay "$duration")" env DIGSIG_TEMP_FILES=$env_kind \
      "$digsig" sign --key key/key.pem --cert key/cert.pem --in-place batch/*
    whole batch >>"$LOG" 2>&1 || all_whole=1
    n=$(leftovers batch | wc -l)
    seen_hidden=$((seen_hidden + n))
  done
  echo "NOTE: $kind: a run takes ${duration}s; $seen_hidden hidden files seen after $KILLS kills"
  check "$kind: after each of $KILLS kills every input is original or signed" test $all_whole -eq 0
  if [[ $kind == unnamed ]]; then
    check "unnamed: no kill left any file behind" test $seen_hidden -eq 0
  fi
  check "$kind: the next run signs every input" env DIGSIG_TEMP_FILES=$env_kind \
    "$digsig" sign --key key/key.pem --cert key/cert.pem --in-place batch/*
  check "$kind: and leaves no temporary file, hidden or not" test -z "$(leftovers batch)"
  check "$kind: every input verifies" "$digsig" verify --cert key/cert.pem batch/*
  check "$kind: in place kept the mode" test "$(stat -c %a batch/prog01)" = 750
  if getfattr -n user.digsig-test pristine/prog02 >/dev/null 2>&1; then
    check "$kind: in place kept the xattr" getfattr -n user.digsig-test batch/prog02
  fi
done

# A killed run's hidden file next to an output is removed by the next write
# of it, whatever writes it: sign -o, sign-tar, keygen, revoke.
mkdir -p out
stale_of() { echo partial >"$1/.$2.digsig-tmp"; }  # nobody holds its lock
stale_of out prog.signed
check "sign -o writes" sign -o out/prog.signed pristine/prog03
stale_of out rootfs.tar
tar -cf rootfs.tar -C pristine prog04 prog05
check "sign-tar writes" "$digsig" sign-tar --key key/key.pem --cert key/cert.pem rootfs.tar \
  -o out/rootfs.tar
stale_of out key.pem
check "keygen writes" "$digsig" keygen --out out
stale_of out list
check "revoke writes" "$digsig" revoke --key key/key.pem --cert key/cert.pem --sequence 1 \
  --revoke-digest "sha256:$(printf '%064d' 0)" -o out/list
check "no stale file remains after them" test -z "$(cd out && ls -A | grep digsig-tmp)"

# sign-tar killed mid-archive: the output is absent or whole.
tar -cf big.tar -C pristine .
rm -rf tar-out && mkdir tar-out
start=$(date +%s.%N)
"$digsig" sign-tar --key key/key.pem --cert key/cert.pem big.tar -o tar-out/probe.tar
duration=$(seconds_since "$start")
rm tar-out/probe.tar
tar_whole=0
for kind in auto named; do
  for _ in $(seq 5); do
    kill_after "$(random_delay "$duration")" env DIGSIG_TEMP_FILES=$kind \
      "$digsig" sign-tar --key key/key.pem --cert key/cert.pem big.tar -o tar-out/signed.tar
    if [[ -e tar-out/signed.tar ]]; then
      "$digsig" verify-tar --cert key/cert.pem tar-out/signed.tar >>"$LOG" 2>&1 || tar_whole=1
      rm tar-out/signed.tar
    fi
  done
done
check "sign-tar killed: every output present verified" test $tar_whole -eq 0
check "sign-tar after the kills" "$digsig" sign-tar --key key/key.pem --cert key/cert.pem \
  big.tar -o tar-out/signed.tar
check "and nothing but its output remains" test "$(cd tar-out && ls -A)" = signed.tar

finish
