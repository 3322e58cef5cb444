#!/usr/bin/env bash
# digsig --json on file names that are not UTF-8 (an overlong form, a
# surrogate, a code point above U+10FFFF, a truncated sequence, DEL and
# control characters), and on text names: the output is strict JSON
# (python3 decodes the bytes as strict UTF-8, then parses), every file is
# there, valid names come back as written, and file_hex gives back the
# exact bytes of the others.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test json_names

"$digsig" keygen --out key >/dev/null
printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c
mkdir -p names
names=(
  'overlong-\xc0\x80' 'surrogate-\xed\xa0\x80' 'above-max-\xf4\x90\x80\x80' 'truncated-\xe2\x82'
  'stray-\x80' 'del-\x7f' 'escape-\x1b[0m' 'tab-\t' 'newline-\n' 'quote-"-backslash-\\'
  'caf\xc3\xa9' 'emoji-\xf0\x9f\x98\x80'
)
for n in "${names[@]}"; do cp prog "names/$(printf "$n")"; done
"$digsig" sign --key key/key.pem --cert key/cert.pem -r --out-dir names --json names \
  >sign.json 2>>"$LOG" || true
"$digsig" verify --cert key/cert.pem --json names/* >verify.json 2>>"$LOG" || true
"$digsig" verify --cert key/cert.pem -r --json names >verify-r.json 2>>"$LOG" || true

# parse FILE COUNT STATUS: strict UTF-8, strict JSON, COUNT objects with
# STATUS, and each name (from file_hex when present) one that is on disk.
parse() {
  python3 - "$@" <<'PY'
import json, os, sys
path, count, status = sys.argv[1], int(sys.argv[2]), sys.argv[3]
raw = open(path, "rb").read()
items = json.loads(raw.decode("utf-8", errors="strict"))
on_disk = {os.path.join(b"names", n) for n in os.listdir(b"names")}
assert len(items) == count, (len(items), count)
for item in items:
    assert item["status"] == status, item
    name = bytes.fromhex(item["file_hex"]) if "file_hex" in item else item["file"].encode("utf-8")
    assert os.path.normpath(name) in on_disk, (name, item)
    if "file_hex" in item:
        # The text shows the stray bytes as Latin-1 characters.
        assert all(ord(c) < 0x100 or c.encode("utf-8") in name for c in item["file"]), item
PY
}
n=${#names[@]}
check "sign -r --json is strict JSON naming every file" parse sign.json "$n" signed
check "verify --json is strict JSON naming every file" parse verify.json "$n" ok
check "verify -r --json is too" parse verify-r.json "$n" ok
check "a valid name is written as itself" grep -q "\"names/caf$(printf '\xc3\xa9')\"" verify.json
check "an overlong form is one escape per byte" grep -qF '"names/overlong-\u00c0\u0080"' verify.json
check "  ... with the exact bytes beside it" grep -qF '"file_hex":"6e616d65732f6f7665726c6f6e672dc080"' verify.json
check "a surrogate is escaped" grep -qF 'surrogate-\u00ed\u00a0\u0080"' verify.json
check "a code point above U+10FFFF is escaped" grep -qF 'above-max-\u00f4\u0090\u0080\u0080"' verify.json
check "DEL and ESC are escaped" bash -c "grep -qF 'del-\\u007f\"' verify.json && grep -qF 'escape-\\u001b[0m\"' verify.json"
finish
