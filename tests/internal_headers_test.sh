#!/usr/bin/env bash
# signer/lib's internal headers (INTERNAL_HDRS in signer/lib/BUILD) are
# included by signer/lib alone. Bazel 4.2.3 with gcc has no layering check, so
# this test is what keeps them internal: it fails naming every file outside
# signer/lib that includes one. Run by tools/test.sh (it reads the source
# tree, which a sandboxed bazel test cannot see).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t internal < <(python3 - <<'PY'
import re
build = open("signer/lib/BUILD").read()
block = re.search(r"INTERNAL_HDRS = \[(.*?)\]", build, re.S)
if not block:
    raise SystemExit("signer/lib/BUILD has no INTERNAL_HDRS list")
for name in re.findall(r'"([^"]+)"', block.group(1)):
    print(name)
PY
)
[ ${#internal[@]} -gt 0 ] || { echo "FAIL: no internal headers found in signer/lib/BUILD"; exit 1; }
status=0
for header in "${internal[@]}"; do
  [ -f "signer/lib/$header" ] || { echo "FAIL: INTERNAL_HDRS names signer/lib/$header, which does not exist"; status=1; }
  while IFS= read -r hit; do
    echo "FAIL: $hit includes internal header signer/lib/$header"
    status=1
  done < <(git ls-files -- '*.cc' '*.h' '*.c' ':!signer/lib/*' |
    xargs grep -lF "#include \"signer/lib/$header\"" 2>/dev/null || true)
done
[ "$status" -eq 0 ] && echo "PASS: ${#internal[@]} internal headers of signer/lib included only there"
exit "$status"
