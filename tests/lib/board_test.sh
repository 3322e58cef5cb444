# shellcheck shell=bash
# What the board tests share, sourced after harness.sh's begin_test:
#   R, board, digsig        the runfiles root, board.sh, the digsig tool
#   sign OUT IN             signs IN with the development key (the one the
#                           board's digsig.ko trusts) into OUT
#   board_modules M...      ships each module M (a path under the board
#                           kernel's kernel/ directory, without .ko) as
#                           /opt/modules/NAME.ko: one check per module that
#                           the board kernel's own package has it, and a
#                           FILE:/dest entry appended to the array extras
R="$TEST_SRCDIR/digsig"
board="$R/tests/board/board.sh"
digsig="$R/signer/tools/digsig"
K=(--key "$R/rules/dev_key/key.pem" --cert "$R/rules/dev_key/cert.pem" --allow-insecure-key)
sign() { "$digsig" sign "${K[@]}" -o "$@" 2>>"$LOG"; }
extras=()
board_modules() {
  local kernel modules module
  kernel=$("$board" --kernel)
  modules="/lib/modules/${kernel##*/vmlinuz-}/kernel"
  for module in "$@"; do
    check "the board kernel's package has ${module##*/}.ko" test -f "$modules/$module.ko"
    extras+=("$modules/$module.ko:/opt/modules/${module##*/}.ko")
  done
}
