#!/usr/bin/env bash
# Runs the README's two commands as a new user would: in a brand-new Debian 12
# root (mmdebstrap minbase, plus git, which the user cloned with) holding a
# clean clone of this repository's HEAD, with /proc, /sys and /dev bound in.
# Prints each command's exit status, time and last lines; exits non-zero when
# either fails. Packages installed on this machine by hand cannot hide a
# missing install step here.
#
#   bash tools/fresh_check.sh           # both commands (demo, then tests)
#   bash tools/fresh_check.sh --keep    # keep the root for a look afterwards
#   FRESH_COMMANDS="bash tools/demo.sh" bash tools/fresh_check.sh   # a subset
#
# Needs root (chroot, mounts) and the machine's Debian mirror, as configured
# for apt on this host (its sources and apt.conf.d are used for the new root).
# Takes about as long as the two commands on a fresh machine (20-40 minutes).
set -euo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "fresh_check: $*" >&2; }

keep=0
[ "${1:-}" = --keep ] && keep=1
[ "$(id -u)" -eq 0 ] || { log "needs root (chroot and bind mounts)"; exit 2; }
command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing (apt-get install mmdebstrap)"; exit 2; }

# The commands are the README's first shell block: what a new user types.
commands=()
if [ -n "${FRESH_COMMANDS:-}" ]; then
  commands=("$FRESH_COMMANDS")
else
  while IFS= read -r line; do
    commands+=("$line")
  done < <(awk '/^```sh$/ {inside = 1; next} inside && /^```/ {exit} inside' "$REPO/README.md" |
    sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d')
fi
[ ${#commands[@]} -gt 0 ] || { log "README.md has no shell block to run"; exit 2; }

work=$(mktemp -d /var/tmp/digsig-fresh.XXXXXX)
root="$work/root"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  if [ "$keep" -eq 1 ]; then
    log "kept $root"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The host's apt sources and options, so the new root reaches the same mirror.
mirrors=()
[ -s /etc/apt/sources.list ] && mirrors+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && mirrors+=("$f")
done
aptopts=()
for f in /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] && aptopts+=(--aptopt="$f")
done

start=$(date +%s)
log "building a Debian bookworm minbase root in $root"
mmdebstrap --quiet --mode=root --variant=minbase --include=git "${aptopts[@]}" \
  bookworm "$root" "${mirrors[@]}" >"$work/mmdebstrap.log" 2>&1 ||
  { tail -20 "$work/mmdebstrap.log" >&2; log "mmdebstrap failed"; exit 1; }
# mmdebstrap wrote the mirrors into the root's sources.list; keep apt's
# options there too, as the host has them.
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
log "root ready in $(($(date +%s) - start)) s"

# A clean clone of HEAD, as CI and a new user get it.
git clone --quiet --no-local "$REPO" "$root/root/digsig"
git -C "$root/root/digsig" log --oneline -1 >&2

for m in proc sys dev; do
  mount --rbind "/$m" "$root/$m"
  mount --make-rslave "$root/$m"
  mounted+=("$root/$m")
done
mount -t tmpfs tmpfs "$root/tmp"
mounted+=("$root/tmp")

failed=0
for cmd in "${commands[@]}"; do
  out="$work/$(echo "$cmd" | tr -c 'a-zA-Z0-9' _).log"
  log "running: $cmd (log: $out)"
  t0=$(date +%s)
  set +e
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/digsig && $cmd" </dev/null >"$out" 2>&1
  rc=$?
  set -e
  t=$(($(date +%s) - t0))
  echo "=== $cmd: exit $rc in $((t / 60)) min $((t % 60)) s; last lines:"
  tail -n "${FRESH_TAIL:-8}" "$out" | sed 's/^/    /'
  [ "$rc" -eq 0 ] || failed=1
  # The log outlives the root when it is removed.
  [ "$keep" -eq 1 ] || cp "$out" "/var/tmp/digsig-fresh-last-$(basename "$out")" 2>/dev/null || true
done
# Bazel servers started in the root would keep its files open.
chroot "$root" bash -c 'cd /root/digsig && command -v bazel >/dev/null && bazel shutdown' >/dev/null 2>&1 || true
total=$(($(date +%s) - start))
echo "fresh_check: $([ "$failed" -eq 0 ] && echo passed || echo FAILED) in $((total / 60)) min $((total % 60)) s"
exit "$failed"
