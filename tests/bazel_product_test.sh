#!/usr/bin/env bash
# The rules from outside: tests/rules/product is a product workspace of its
# own (no .bazelrc) that takes digsig as a local_repository and calls
# digsig_dependencies(), exactly as docs/bazel.md shows. On a copy of this
# checkout, with its own output base:
#   - docs/bazel.md shows the product's WORKSPACE and BUILD, to the letter;
#   - digsig builds from the product's workspace, offline;
#   - the product's own key (made here with `digsig keygen`) signs its
#     program, its shared library, its kernel module and its rootfs: each
#     verifies with the product's certificate and not with digsig's
#     development certificate, and modinfo names the product key as signer.
# Run by tools/test.sh (it runs Bazel itself, so it is not a `bazel test`).
#
#   bash tests/bazel_product_test.sh    # about 3-5 minutes on 2 cores
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/bazel_workspace.sh
source "$REPO/tests/lib/bazel_workspace.sh" product-test
DEV_CERT="$WS/rules/dev_key/cert.pem"
SIGNER="digsig product test key"

# shows FILE: docs/bazel.md holds FILE as a ```python block, to the letter.
shows() {
  python3 - "$WS/docs/bazel.md" "$1" <<'PY'
import sys
doc, shown = (open(p).read() for p in sys.argv[1:])
sys.exit(0 if "```python\n" + shown + "```\n" in doc else f"{sys.argv[2]} differs from docs/bazel.md")
PY
}
check "docs/bazel.md shows the product's WORKSPACE" shows tests/rules/product/WORKSPACE
check "docs/bazel.md shows the product's BUILD" shows tests/rules/product/BUILD

cd tests/rules/product
check "the product has no .bazelrc (digsig's flags are not needed)" test ! -e .bazelrc
# The product key does not exist yet, so the digsig to make it with comes
# from a package of the test's own: the signing actions' own digsig (exec
# configuration), which the product build then reuses.
mkdir keygen
cat >keygen/BUILD <<'BUILD'
genrule(
    name = "digsig",
    outs = ["digsig.bin"],
    cmd = "cp $(execpath @digsig//:digsig) $@",
    exec_tools = ["@digsig//:digsig"],
)
BUILD
echo "bazel_product_test: digsig, built from the product's workspace" >&2
check "digsig builds from the product's workspace, offline" bz build //keygen:digsig
digsig="$W/digsig"
cp bazel-bin/keygen/digsig.bin "$digsig"
check "digsig keygen makes the product's key" "$digsig" keygen --out key --subject "CN=$SIGNER"

echo "bazel_product_test: the product, signed with its own key" >&2
check "the product builds" bz build //...
check "the signed program and shared library verify with the product's certificate" \
  "$digsig" verify --cert key/cert.pem bazel-bin/signed/hello bazel-bin/signed/libgreet.so
check_not "and not with digsig's development certificate" \
  "$digsig" verify --cert "$DEV_CERT" bazel-bin/signed/hello bazel-bin/signed/libgreet.so
check "the signed program runs" bash -c "bazel-bin/signed/hello | grep -q 'signed with its own key'"
check "the kernel module's signer is the product key (modinfo)" \
  bash -c "modinfo -F signer bazel-bin/product_driver.ko | grep -qx '$SIGNER'"
check "the module is the product's (its parameter)" \
  bash -c "modinfo -F parm bazel-bin/product_driver.ko | grep -q '^board_revision:'"
check "the rootfs verifies with the product's certificate (verify-tar)" \
  "$digsig" verify-tar --cert key/cert.pem bazel-bin/image.tar.gz
check_not "and not with digsig's development certificate" \
  "$digsig" verify-tar --cert "$DEV_CERT" bazel-bin/image.tar.gz
tar -tzf bazel-bin/image.tar.gz >image.lst 2>>"$LOG" || true
check "the rootfs holds the program, the library and the module" bash -c \
  "grep -qx ./usr/bin/hello image.lst && grep -qx ./usr/lib/libgreet.so image.lst &&
   grep -qx ./lib/modules/extra/product_driver.ko image.lst"
finish
