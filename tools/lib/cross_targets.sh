# The foreign architectures digsig is tested on: one row each, read by the
# bootstrap (packages to install, then a smoke build of each target) and by
# tests/elf_matrix_test.sh (what to build, sign and run).
#
# triple | qemu-user binary (empty: runs natively) | ELF class | byte order |
#   machine name `digsig inspect` reports | compiler package | C library package
#
# The C library packages are only Recommends of the compilers, and the
# bootstrap installs without recommends: both must be listed.
# shellcheck disable=SC2034  # used by the scripts that source this file
CROSS_TARGETS=(
  "x86_64-linux-gnu||ELF64|little|x86_64|gcc|libc6-dev"
  "i686-linux-gnu|qemu-i386|ELF32|little|i386|gcc-i686-linux-gnu|libc6-dev-i386-cross"
  "aarch64-linux-gnu|qemu-aarch64|ELF64|little|aarch64|gcc-aarch64-linux-gnu|libc6-dev-arm64-cross"
  "arm-linux-gnueabihf|qemu-arm|ELF32|little|arm|gcc-arm-linux-gnueabihf|libc6-dev-armhf-cross"
  "riscv64-linux-gnu|qemu-riscv64|ELF64|little|riscv|gcc-riscv64-linux-gnu|libc6-dev-riscv64-cross"
  "powerpc-linux-gnu|qemu-ppc|ELF32|big|ppc|gcc-powerpc-linux-gnu|libc6-dev-powerpc-cross"
  "s390x-linux-gnu|qemu-s390x|ELF64|big|s390|gcc-s390x-linux-gnu|libc6-dev-s390x-cross"
  "mips-linux-gnu|qemu-mips|ELF32|big|mips|gcc-mips-linux-gnu|libc6-dev-mips-cross"
)
