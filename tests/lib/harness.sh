# Shared by the shell tests: one PASS/FAIL line per check, the closing
# "N passed, M failed" line, and the exit status. Checks never abort the
# script, so one run reports every failure. Source it, then call begin_test
# (Bazel tests) or set LOG to a log file yourself.

passed=0
failed=0

# begin_test NAME: a fresh working directory W=$TEST_TMPDIR/NAME, made the
# current one, and the log LOG=$W/log the checks write to.
begin_test() {
  W="$TEST_TMPDIR/$1"
  rm -rf "$W" && mkdir -p "$W" && cd "$W"
  LOG="$W/log"
  : >"$LOG"
}
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
  local desc=$1
  shift
  if "$@" >>"$LOG" 2>&1; then pass "$desc"; else fail "$desc"; fi
}

# check_not DESCRIPTION COMMAND...: passes when COMMAND fails.
check_not() {
  local desc=$1
  shift
  if "$@" >>"$LOG" 2>&1; then fail "$desc"; else pass "$desc"; fi
}

# finish: prints the summary (and the log's tail on failure); its status is
# the script's verdict.
finish() {
  if [[ $failed -ne 0 ]]; then
    echo "--- last lines of $LOG:"
    tail -n 40 "$LOG"
  fi
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
