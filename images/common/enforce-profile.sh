# shellcheck shell=sh
# The enforce profile of digsig's board images: one place, sourced by each
# image's init script (images/demo/rcS) from its signed image, installed by
# images/common/profile.bzl. It is read by the shell, not exec'd: its
# integrity is the image's (signed manifest), like the init script's.
#
#   . /lib/digsig/enforce-profile.sh
#   digsig_enforce_profile [MODULE.ko ...]    # the image's other modules
#
# Prints one "digsig-profile: ..." line per step; returns 0 when every step
# took effect (each setting is read back), 1 otherwise, after trying every
# step anyway: a board where one step failed is still closed as far as the
# others go, and the init script decides what happens next (the demo's
# powers off).
#
# The order, and why (docs/runtime.md, "The board's enforce profile"):
#  1. /proc, /sys and securityfs mounted: the settings below live there.
#  2. digsig.ko, first of all modules, with the policy as module parameters
#     (mode=2, enforce; nonelf): from the moment it is loaded it enforces,
#     there is no window in a weaker policy, and every later exec (the
#     image's programs, a modprobe the kernel starts for a module it wants)
#     is checked.
#  3. The image's other modules, before the lock: once locked, digsig
#     refuses every module the kernel's own keys did not sign (the image's
#     are signed by the product's key, which the stock kernel does not
#     trust). A module that fails to load is reported; the rest goes on.
#  4. (Where an image adds runtime certificates, they go here, as the lock
#     refuses them; a revocation list may come before or after the lock.)
#     digsig locked, as soon as its policy is complete: until reboot the
#     mode cannot be lowered, nonelf not relaxed, no certificate added, no
#     module the kernel did not verify loaded, and the module holds itself
#     against rmmod (rmmod -f included).
#  5. kernel.kexec_load_disabled=1 and kernel.yama.ptrace_scope=3: they need
#     nothing before them and nothing after them needs kexec or ptrace; both
#     are one-way until reboot. kernel.unprivileged_userns_clone=0 (a
#     Debian sysctl; root may set it back): users get no user namespaces,
#     so no mount namespace of their own in which to race the ELF
#     interpreter's path, nor FUSE or overlayfs mounts of their own.
#  6. kernel.modules_disabled=1, the very last module-related step: after
#     it nothing loads, not even what the kernel would load on demand (a
#     file system, a crypto driver), and nothing unloads; so every module
#     the board will ever need must be loaded before it.

digsig_module=${DIGSIG_MODULE:-/lib/modules/digsig/digsig.ko}
# deny: a non-ELF executable (a script, a binfmt_misc file) runs only with
# a valid security.ima signature (digsig_rootfs(ima = "all")); `sh script`
# still runs a script, as data of the signed shell.
digsig_nonelf=${DIGSIG_NONELF:-deny}
digsig_fs=/sys/kernel/security/digsig
digsig_profile_status=0

digsig_profile_say() { echo "digsig-profile: $*"; }
digsig_profile_fail() {
  echo "digsig-profile: FAILED: $*"
  digsig_profile_status=1
}

# Is DIR a mount point? Reads /proc/mounts, so needs no applet.
digsig_profile_mounted() {
  [ -r /proc/mounts ] || return 1
  while read -r _ dir _; do
    [ "$dir" = "$1" ] && return 0
  done </proc/mounts
  return 1
}

# TYPE DIR: mounts TYPE on DIR unless something is mounted there.
digsig_profile_mount() {
  digsig_profile_mounted "$2" || mount -t "$1" "$1" "$2" || digsig_profile_fail "mount $1 on $2"
}

# FILE VALUE: writes VALUE to FILE and reads it back.
digsig_profile_write() {
  if echo "$2" >"$1" && [ "$(cat "$1")" = "$2" ]; then
    digsig_profile_say "$1 = $2"
  else
    digsig_profile_fail "$1 = $2 (reads '$(cat "$1" 2>/dev/null)')"
  fi
}

# KEY VALUE: sets the sysctl KEY and reads it back.
digsig_profile_sysctl() {
  if sysctl -w "$1=$2" >/dev/null && [ "$(sysctl -n "$1")" = "$2" ]; then
    digsig_profile_say "$1 = $2"
  else
    digsig_profile_fail "$1 = $2 (reads '$(sysctl -n "$1" 2>/dev/null)')"
  fi
}

digsig_enforce_profile() {
  digsig_profile_status=0
  # 1.
  digsig_profile_mount proc /proc
  digsig_profile_mount sysfs /sys
  digsig_profile_mount securityfs /sys/kernel/security
  # 2.
  if insmod "$digsig_module" mode=2 nonelf="$digsig_nonelf" &&
    [ "$(cat "$digsig_fs/mode")" = enforce ] && [ "$(cat "$digsig_fs/nonelf")" = "$digsig_nonelf" ]; then
    digsig_profile_say "digsig.ko loaded: mode enforce, nonelf $digsig_nonelf"
  else
    digsig_profile_fail "digsig.ko (enforce, nonelf $digsig_nonelf) from $digsig_module"
  fi
  # 3.
  for digsig_image_module in "$@"; do
    if insmod "$digsig_image_module"; then
      digsig_profile_say "module $digsig_image_module loaded"
    else
      digsig_profile_fail "module $digsig_image_module"
    fi
  done
  # 4.
  digsig_profile_write "$digsig_fs/lock" 1
  # 5.
  digsig_profile_sysctl kernel.kexec_load_disabled 1
  digsig_profile_sysctl kernel.yama.ptrace_scope 3
  digsig_profile_sysctl kernel.unprivileged_userns_clone 0
  # 6.
  digsig_profile_sysctl kernel.modules_disabled 1
  return "$digsig_profile_status"
}
