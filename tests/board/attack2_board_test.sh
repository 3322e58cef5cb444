#!/usr/bin/env bash
# digsig.ko against an attacker on the QEMU board, second round (after the
# fsnotify-watched cache, the source rules and the binfmt lock): each
# attack on the new code next to the legitimate use it must not break.
# Lines whose attack still gets through FAIL; docs in the test's own
# comments say how (the review's report has the kernel lines and fixes).
#  - before the lock: cache_size=0; a cache of two entries under churn;
#    rmmod while an exec is being verified;
#  - the unprivileged user: an interpreter verdict reused for a program
#    (user-namespace bind mount over PT_INTERP); a root-mounted overlay
#    with its upper layer on tmpfs, written through the overlay by a
#    mapping (overlayfs opens the real file FMODE_NONOTIFY); a loop-mounted
#    image the user owns, rewritten underneath; memfds (future-write seal
#    only, /proc/self/fd, a mapping that blocks the seal, hugetlbfs);
#    O_TMPFILE + linkat; writes by copy_file_range, splice, AIO, io_uring,
#    truncate(2) by path on vfat (where only events show them); hard
#    links, rename, bind mounts; inode eviction; an ext4 disk (i_version)
#    where the cache must keep working;
#  - root after the lock: a fanotify listener's O_RDWR event file
#    (FMODE_NONOTIFY); SysV shm by /proc/PID/map_files; an overlay whose
#    lower layer is a user namespace's tmpfs; binfmt_misc loaded and
#    unloaded until the verifier has no copy left to stay first; a module
#    of its own (the kernel does not insist on signed modules).
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test attacks2
# shellcheck source=tests/lib/board_test.sh
source "$TEST_SRCDIR/digsig/tests/lib/board_test.sh"
payload_cc() { cc -O2 -nostdlib -static-pie -fPIE -fno-stack-protector "$@" \
  "$R/tests/board/attack2_payload.c"; }

# In load order; the virtio ones give the board a real disk (BOARD_DISK).
board_modules drivers/block/loop fs/fat/fat fs/fat/vfat fs/nls/nls_cp437 fs/nls/nls_ascii \
  fs/nls/nls_utf8 fs/overlayfs/overlay lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 \
  fs/ext4/ext4 \
  drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
  fs/binfmt_misc

# The unsigned payload (also an ELF interpreter), a small signed program,
# a 32 MiB signed program (slow to hash on the board), the tools signed.
check "the unsigned payload builds" payload_cc -o payload
check "a small program builds" payload_cc -DPAYLOAD_MSG='"attack2-small: signed program ran"' \
  -o small.in
check "a 32 MiB program builds" payload_cc -DPAD_MB=32 -DPAYLOAD_MSG='"attack2-big: signed program ran"' \
  -o big.in
sign signed-small small.in
# Where the small program's message is: the stress flips it there.
grep -obUa 'attack2-small: signed' signed-small | head -1 | cut -d: -f1 >small.msgoff
check "the small program's message is found" test -s small.msgoff
sign signed-big big.in
sign board-tool "$R/tests/board/board_tool"
sign attack2-tool "$R/tests/board/attack2_tool"
sign interp-race "$R/tests/board/interp_race"
# A PIE whose PT_INTERP is a signed copy of the host's loader (as in
# attack_board_test), and the same probe unsigned.
cp -L /lib64/ld-linux-x86-64.so.2 ld.in
sign ld-signed.so ld.in
cc -O2 -nostdlib -fPIE -pie -fno-stack-protector -Wl,--dynamic-linker=/opt/ld-signed.so \
  -o probe-unsigned "$R/tests/board/interp_probe.c"
sign probe-signed probe-unsigned
# The interpreter race: a signed program whose PT_INTERP is a path the
# unprivileged user can bind-mount over in a mount namespace of his own.
cc -O2 -nostdlib -fPIE -pie -fno-stack-protector -Wl,--dynamic-linker=/tmp/race/ld.so \
  -o probe-race.in "$R/tests/board/interp_probe.c"
sign probe-race probe-race.in
# A signed program that names itself as its ELF interpreter.
cc -O2 -nostdlib -fPIE -pie -fno-stack-protector -Wl,--dynamic-linker=/opt/self-interp \
  -o self-interp.in "$R/tests/board/interp_probe.c"
sign self-interp self-interp.in
chmod 0755 payload signed-small signed-big board-tool attack2-tool interp-race probe-race self-interp \
  ld-signed.so \
  probe-unsigned \
  probe-signed
check "an empty vfat image" env PATH="$PATH:/usr/sbin:/sbin" mkfs.vfat -C vfat.img 8192
# The board's disk: ext4 (no journal or metadata checksums). This kernel's
# ext4 always keeps i_version (fs/ext4/super.c, ext4_init_fs_context).
check "an empty ext4 disk" env PATH="$PATH:/usr/sbin:/sbin" mkfs.ext4 -q -F \
  -O ^has_journal,^metadata_csum disk.img 32M
extras+=(payload:/opt/payload signed-small:/opt/signed-small signed-big:/opt/signed-big
  board-tool:/opt/board-tool attack2-tool:/opt/attack2-tool ld-signed.so:/opt/ld-signed.so
  probe-unsigned:/opt/probe-unsigned probe-signed:/opt/probe-signed vfat.img:/opt/vfat.img
  small.msgoff:/opt/small.msgoff "$R/tests/board/digsig_unhook.ko:/opt/digsig_unhook.ko"
  interp-race:/opt/interp-race probe-race:/opt/probe-race self-interp:/opt/self-interp)

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
S=/sys/kernel/security/digsig
counter() { sed -n "s/^$1 //p" $S/stats; }
G=/opt/signed-small
P=/opt/payload
T=/opt/attack2-tool
E=/mnt/ext4
MARK='attack2-payload: unsigned code ran'
# Refused: exec failed (the shell's or the tool's 126), not a program that
# ran and crashed.
refused() { "$@" >/dev/null 2>&1; [ $? -eq 126 ]; }
# attack CMD...: passes when the exec is refused and the payload did not
# run; $out keeps what it printed (the detail of a failing line).
attack() {
  out=$("$@" 2>&1)
  local rc=$?
  out=$(echo "$out" | tr '\n' ' ')
  case "$out" in *"$MARK"*) return 1 ;; esac
  [ $rc -eq 126 ]
}
# hits CMD...: CMD runs and counts as a cache hit.
hits() { local h=$(counter cache_hits); "$@" >/dev/null && [ "$(counter cache_hits)" -gt "$h" ]; }
# verified_again CMD...: CMD runs and was a miss (verified again).
verified_again() { local m=$(counter cache_misses); "$@" >/dev/null && [ "$(counter cache_misses)" -gt "$m" ]; }
last_refusal() { dmesg | grep 'digsig: refused' | tail -1 | grep -q ": $1\$"; }
# as_user CMD...: CMD as the unprivileged user, through sh (126 when refused).
as_user() { /opt/board-tool as-user /bin/sh -c '"$@"' sh "$@"; }
user_sh() { /opt/board-tool as-user /bin/sh -c "$1"; }
userns_sh() { /opt/board-tool as-user /bin/busybox unshare -Urm /bin/sh -c "$1"; }
for m in loop fat vfat nls_cp437 nls_ascii nls_utf8 overlay crc16 crc32c_generic mbcache jbd2 ext4 \
  virtio_ring \
  virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
  insmod /opt/modules/$m.ko || echo "BOARD-INFO insmod $m.ko failed"
done
for i in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
mkdir -p $E && msg=$(mount -t ext4 /dev/vda $E 2>&1) && chmod 1777 $E
result ext4-disk-mounts $? "$msg $(dmesg | tail -2)"
mkdir -p /mnt/vfat && cp /opt/vfat.img /tmp/vfat.img && losetup /dev/loop0 /tmp/vfat.img &&
  mount -t vfat /dev/loop0 /mnt/vfat
result vfat-mounts $?


# --- Root before the lock.
# cache_size=0: nothing is remembered, not even on ext4; every exec verifies.
insmod /lib/modules/digsig/digsig.ko mode=2 cache_size=0; result nocache-module-loads $?
mount -t securityfs securityfs /sys/kernel/security
cp $G $E/c0 && $E/c0 >/dev/null && $E/c0 >/dev/null; result nocache-signed-runs $?
test "$(counter cache_hits)" = 0 && test "$(counter cache_entries)" = 0
result nocache-never-hits $? "$(tr '\n' ' ' <$S/stats)"
cp $G /tmp/c0 && /tmp/c0 >/dev/null && $T overwrite /tmp/c0 $P >/dev/null
attack /tmp/c0; result nocache-mmap-overwrite-refused $? "$out"
rmmod digsig; result nocache-module-unloads $?

# A cache of two entries under churn on ext4: three programs exec'd
# round-robin by two loops (LRU eviction), a writer flipping the message of
# one of them and back (events on committed and pending entries), and
# drop_caches (inode eviction). No exec may print an altered message, and
# the kernel must not warn.
insmod /lib/modules/digsig/digsig.ko mode=2 cache_size=2; result small-cache-module-loads $?
off=$(cat /opt/small.msgoff)
for f in s1 s2 s3; do cp $G $E/$f; done
runs() {
  for f in "$@"; do
    o=$($E/$f 2>/dev/null) && [ -n "$o" ] && [ "$o" != 'attack2-small: signed program ran' ] &&
      echo "$f: $o" >>/tmp/stress.bad
  done
}
end=$(( $(date +%s) + 4 ))
rm -f /tmp/stress.bad
( while [ "$(date +%s)" -lt $end ]; do runs s1 s2 s3; done ) &
( while [ "$(date +%s)" -lt $end ]; do runs s3 s2 s1; done ) &
( while [ "$(date +%s)" -lt $end ]; do
    $T write-at pwrite $E/s3 $off; $T write-at pwrite $E/s3 $off
  done ) &
( while [ "$(date +%s)" -lt $end ]; do echo 2 >/proc/sys/vm/drop_caches; sleep 0.2; done ) &
wait
test ! -s /tmp/stress.bad; result stress-no-altered-run $? "$(head -3 /tmp/stress.bad 2>/dev/null)"
echo "BOARD-INFO stress: $(tr '\n' ' ' <$S/stats)"
test "$(counter cache_hits)" -gt 0; result stress-cache-used $?
test "$(counter cache_entries)" -le 2; result stress-cache-bounded $? "$(counter cache_entries)"
! dmesg | grep -qE 'BUG|WARNING|Oops'; result stress-no-kernel-warning $?
rmmod digsig; result small-cache-module-unloads $?
insmod /lib/modules/digsig/digsig.ko mode=2; result default-cache-module-loads $?

# rmmod (not forced) while an exec is inside the verifier: the exec holds
# the module, rmmod fails, the exec completes; afterwards rmmod works.
/opt/signed-big >/tmp/big.out 2>&1 &
big=$!
busy=1
for i in $(seq 200); do
  set -- $(grep '^digsig ' /proc/modules)
  if [ "$3" -gt 0 ]; then busy=0; break; fi
  kill -0 $big 2>/dev/null || break
  sleep 0.01
done
msg=$(rmmod digsig 2>&1); rc=$?
wait $big; big_rc=$?
result rmmod-during-exec-sees-exec $busy "module refcount stayed 0"
test $rc -ne 0; result rmmod-during-exec-refused $? "$msg"
echo "BOARD-INFO rmmod during the exec: $msg"
test $big_rc = 0 && grep -q 'attack2-big: signed program ran' /tmp/big.out
result exec-during-rmmod-completes $? "rc $big_rc $(cat /tmp/big.out)"
rmmod digsig; result rmmod-after-exec-works $?

insmod /lib/modules/digsig/digsig.ko mode=2; result enforce-module-loads $?

# The ELF interpreter raced (the loader opens PT_INTERP again after digsig
# verified it): the user flips an unsigned loader over the path in a mount
# namespace of his own while exec'ing. digsig.ko checks what the exec
# mapped and kills the process when the loader mapped another file; the
# race must have been won at least once (killed > 0) for the line to mean
# anything, and the signed loader still runs the program.
mkdir -p /tmp/race && cp /opt/ld-signed.so /tmp/race/ld.so && chmod 0755 /tmp/race/ld.so
out=$(/opt/board-tool as-user /opt/interp-race /tmp/race/ld.so /opt/ld-signed.so $P /opt/probe-race 200)
echo "BOARD-INFO $out"
echo "$out" | grep -q ' 0 unsigned ran,'; result interp-race-unsigned-never-ran $? "$out"
echo "$out" | grep -qv ' 0 killed,'; result interp-race-won-and-killed $? "$out"
echo "$out" | grep -qv ': 0 signed ran,'; result interp-race-signed-runs $? "$out"
dmesg | grep -q 'digsig: killed /opt/probe-race (pid [0-9]*): it maps .*, which digsig did not verify'
result interp-race-kill-logged $?
/opt/probe-race | grep -q 'interp-probe ran'; result interp-race-program-runs-unraced $?
# A program that is its own interpreter: one inode verified twice in one
# exec (the second sees the first's pending cache entry); it runs, the
# mapping check sees one file, nothing hangs.
/opt/self-interp | grep -q 'interp-probe ran'; result self-interpreter-runs $?
# A file deleted while open, exec'd by its /proc/self/fd link: judged by
# its content like any other (signed runs, unsigned refused).
cp $G /tmp/del-signed && cp $P /tmp/del-unsigned && chmod 0755 /tmp/del-*
exec 5</tmp/del-signed 6</tmp/del-unsigned
rm /tmp/del-signed /tmp/del-unsigned
/proc/self/fd/5 >/dev/null; result deleted-open-signed-runs $?
attack /proc/self/fd/6; result deleted-open-unsigned-refused $? "$out"
exec 5<&- 6<&-
echo deny >$S/nonelf && echo 1 >$S/lock; result locked $?
# Root after the lock: the module parameters are read-only files.
! (echo 0 >/sys/module/digsig/parameters/mode) 2>/dev/null && test "$(cat $S/mode)" = enforce
result locked-module-parameters-read-only $?
echo "BOARD-INFO unprivileged_userns_clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null)"
mkdir -p /tmp/ui && chown 1000:1000 /tmp/ui

# --- The unprivileged user.
# An interpreter's verdict is cached as "names no interpreter". In a user
# namespace the user binds a signed copy F of a dynamic program over the
# PT_INTERP path of a signed program, runs that program (F verified as its
# interpreter, cached), then binds the unsigned payload over the same path
# and runs F itself: a hit, and F's own interpreter goes unchecked.
/opt/probe-signed | grep -q 'interp-probe ran'; result interp-signed-program-runs $?
cp /opt/probe-signed /tmp/ui/F && cp /opt/probe-signed /tmp/ui/F2 && chown 1000:1000 /tmp/ui/F*
attack userns_sh "mount -o bind $P /opt/ld-signed.so && /tmp/ui/F2"
result userns-unsigned-interp-refused $? "$out"
attack userns_sh "mount -o bind /tmp/ui/F /opt/ld-signed.so && /opt/probe-signed >/dev/null;
  umount /opt/ld-signed.so && mount -o bind $P /opt/ld-signed.so && /tmp/ui/F"
result interp-verdict-reused-as-program-refused $? "$out"

# Root-mounted overlays with a directory of the user's. overlayfs writes
# the real (upper) file through a file it opens FMODE_NONOTIFY with the
# overlay's path: no event reaches the real inode the cache watches. On
# ext4 (i_version) the stamp still moves; on tmpfs a mapping moves none.
mkdir -p /tmp/ol /tmp/ou /tmp/ow /tmp/nl2 /mnt/uovl /mnt/novl $E/ol $E/ou $E/ow /mnt/eovl
cp $G /tmp/ol/cu && chmod 0777 /tmp/ol/cu
mount -t overlay overlay -o lowerdir=/tmp/ol,upperdir=/tmp/ou,workdir=/tmp/ow /mnt/uovl &&
  mount -t overlay overlay -o lowerdir=$E/ol,upperdir=$E/ou,workdir=$E/ow /mnt/eovl
result overlays-mount $?
mkdir /mnt/uovl/home /mnt/eovl/home && chown 1000:1000 /mnt/uovl/home /mnt/eovl/home
user_sh "cp $G /mnt/eovl/home/m && /mnt/eovl/home/m" >/dev/null; result ext4-overlay-upper-signed-runs $?
hits as_user /mnt/eovl/home/m; result ext4-overlay-upper-second-exec-hits $?
as_user $T overwrite /mnt/eovl/home/m $P >/dev/null
attack as_user /mnt/eovl/home/m; result ext4-overlay-upper-mmap-through-overlay-refused $? "$out"
user_sh "cp $G /mnt/uovl/home/m && /mnt/uovl/home/m" >/dev/null; result overlay-upper-signed-runs $?
as_user $T overwrite /mnt/uovl/home/m $P | sed 's/^/BOARD-INFO tmpfs overlay mmap: /'
attack as_user /mnt/uovl/home/m; result overlay-upper-mmap-through-overlay-refused $? "$out"
user_sh "cp $G /mnt/uovl/home/w && /mnt/uovl/home/w >/dev/null &&
  dd if=$P of=/mnt/uovl/home/w conv=notrunc 2>/dev/null"
attack as_user /mnt/uovl/home/w; result overlay-upper-write-through-overlay-refused $? "$out"
# The same inode exec'd by its upper path, written through the overlay.
user_sh "cp $G /mnt/uovl/home/d && /tmp/ou/home/d >/dev/null && $T overwrite /mnt/uovl/home/d $P >/dev/null"
attack as_user /tmp/ou/home/d; result upper-path-mmap-through-overlay-refused $? "$out"
# A nested overlay (the user's overlay as its lower layer): the cache
# watches the bottom inode, the write goes through the middle overlay.
mount -t overlay overlay -o lowerdir=/mnt/uovl:/tmp/nl2 /mnt/novl; result nested-overlay-mounts $?
user_sh "cp $G /mnt/uovl/home/n && /mnt/novl/home/n >/dev/null && $T overwrite /mnt/uovl/home/n $P >/dev/null"
attack as_user /mnt/novl/home/n; result nested-overlay-write-through-middle-refused $? "$out"
# Copy-up after caching: a lower file the user may write, cached, then
# written through the overlay: the copy is a new inode, verified again.
as_user /mnt/uovl/cu >/dev/null; result overlay-lower-signed-runs $?
as_user $T overwrite /mnt/uovl/cu $P >/dev/null; attack as_user /mnt/uovl/cu
result overlay-copy-up-after-cache-refused $? "$out"

# A vfat image the user owns, loop-mounted by root (as udisks does): the
# user rewrites the file's clusters in the image and drops the file's
# clean pages (POSIX_FADV_DONTNEED needs read access only). The kernel
# sees no change to the inode; the next exec reads the new bytes.
cp /opt/vfat.img /tmp/uimg.img && chown 1000:1000 /tmp/uimg.img && mkdir -p /mnt/uimg &&
  losetup /dev/loop1 /tmp/uimg.img && mount -t vfat -o uid=1000,gid=1000 /dev/loop1 /mnt/uimg
result user-image-mounts $?
user_sh "cp $G /mnt/uimg/g && sync && /mnt/uimg/g" >/dev/null; result user-image-signed-runs $?
as_user $T patch-image /tmp/uimg.img /mnt/uimg/g $P | sed 's/^/BOARD-INFO /'
as_user $T dontneed /mnt/uimg/g
attack as_user /mnt/uimg/g; result user-image-rewrite-cached-refused $? "$out"
user_sh "cp $G /mnt/uimg/g2 && sync" && as_user $T patch-image /tmp/uimg.img /mnt/uimg/g2 $P >/dev/null &&
  as_user $T dontneed /mnt/uimg/g2
attack as_user /mnt/uimg/g2; result user-image-rewrite-uncached-refused $? "$out"

# memfds: only the write, shrink and grow seals make one final.
attack as_user $T memfd-exec none fd $P; result memfd-unsealed-refused $? "$out"
attack as_user $T memfd-exec future_write fd $G; result memfd-future-write-only-refused $? "$out"
last_refusal unsealed-memfd; result memfd-future-write-only-reason $?
attack as_user $T memfd-exec none proc $G; result memfd-proc-path-unsealed-refused $? "$out"
last_refusal unsealed-memfd; result memfd-proc-path-reason $?
attack as_user $T memfd-exec write,shrink,grow mapped $G; result memfd-mapped-then-sealed-refused $? "$out"
echo "BOARD-INFO memfd mapped, then sealed: $out"
attack as_user $T memfd-exec write,shrink,grow mapped-ro $G
result memfd-mapped-ro-then-sealed-refused $? "$out"
echo "BOARD-INFO memfd mapped read-only, sealed, mprotect: $out"
as_user $T memfd-exec write,shrink,grow proc $G | grep -q 'attack2-small: signed program ran'
result memfd-sealed-signed-runs $?
attack as_user $T memfd-exec write,shrink,grow fd $P; result memfd-sealed-unsigned-refused $? "$out"
echo 4 >/proc/sys/vm/nr_hugepages
attack $T memfd-exec write,shrink,grow hugetlb $G; result memfd-hugetlb-refused $? "$out"
echo "BOARD-INFO hugetlb memfd: $out"

# O_TMPFILE + linkat: an ordinary file; exec while its writer is open is busy.
as_user $T tmpfile /tmp /tmp/ui/tf $G && as_user /tmp/ui/tf | grep -q 'signed program ran'
result tmpfile-linked-signed-runs $?
msg=$(as_user $T tmpfile /tmp /tmp/ui/tf2 $G held 2>&1); echo "$msg" | grep -q 'busy'
result tmpfile-held-writer-busy $? "$msg"

# vfat keeps 2-second times and no i_version: a change within two seconds
# shows only as an event. Each write path, then the file closed.
for how in pwrite copy-range splice aio uring; do
  cp $G /mnt/vfat/$how && /mnt/vfat/$how >/dev/null && $T write-at $how /mnt/vfat/$how 4000
  rc=$?; refused /mnt/vfat/$how; result vfat-$how-refused $? "write rc $rc"
done
cp $G /mnt/vfat/tr && /mnt/vfat/tr >/dev/null && $T truncate-back /mnt/vfat/tr 4000
refused /mnt/vfat/tr; result vfat-truncate-by-path-refused $?
cp $G /tmp/pu && /tmp/pu >/dev/null && $T punch /tmp/pu 4096 4096; refused /tmp/pu
result tmpfs-punch-hole-refused $?

# ext4 with i_version: the cache keeps working. An untouched file hits;
# an evicted inode takes its entry along and is verified again; an
# attribute change voids the verdict (verified again, still runs).
cp $G $E/keep && $E/keep >/dev/null; hits $E/keep; result ext4-untouched-hits $?
cp $G $E/ev && $E/ev >/dev/null && sync
entries=$(counter cache_entries); ino=$(stat -c %i $E/ev)
# The exec's atime update may leave the inode dirty, and dirty inodes stay.
sync && for i in 1 2 3; do echo 3 >/proc/sys/vm/drop_caches; done
test "$(counter cache_entries)" -lt "$entries"
result ext4-evicted-inode-leaves-cache $? "entries $entries -> $(counter cache_entries)"
verified_again $E/ev; result ext4-evicted-inode-verified-again $? "$(tr '\n' ' ' <$S/stats)"
cp $G $E/xa && $E/xa >/dev/null && $T setxattr $E/xa trusted.attack2 1
verified_again $E/xa; result ext4-xattr-change-verified-again $?
# A cached ext4 file changed in place, by write(2) and by a shared mapping
# (the tmpfs attack): the mark and i_version both see it; refused.
cp $G $E/dd && $E/dd >/dev/null && hits $E/dd &&
  printf '\252\125\252\125' | dd of=$E/dd bs=1 seek=4000 conv=notrunc 2>/dev/null
refused $E/dd; result ext4-cached-rewrite-refused $?
cp $G $E/mm && $E/mm >/dev/null && hits $E/mm && $T overwrite $E/mm $P >/dev/null
attack $E/mm; result ext4-cached-mmap-overwrite-refused $? "$out"

# Other names for the same inode; a new inode under the old name.
cp $G /tmp/hl && ln /tmp/hl /tmp/hl2 && /tmp/hl >/dev/null && $T write-at pwrite /tmp/hl2 4000
refused /tmp/hl; result hardlink-write-refused $?
cp $G /tmp/rn && /tmp/rn >/dev/null && cp $P /tmp/rn.new && mv /tmp/rn.new /tmp/rn
attack /tmp/rn; result rename-over-cached-refused $? "$out"
cp $G /tmp/bd && /tmp/bd >/dev/null && touch /tmp/bdm && mount -o bind /tmp/bd /tmp/bdm &&
  $T overwrite /tmp/bdm $P >/dev/null
attack /tmp/bd; result bind-mount-mmap-write-refused $? "$out"
# Unlinked while it runs, a new file in its place: tmpfs numbers inodes
# from a counter (no reuse) and draws generations at random; the running
# inode keeps its entry until it is evicted.
cp /bin/busybox /tmp/ur && /tmp/ur sleep 2 &
sleep 0.5
ino=$(stat -c %i /tmp/ur); rm /tmp/ur && cp $P /tmp/ur
echo "BOARD-INFO running inode $ino, new file's inode $(stat -c %i /tmp/ur)"
attack /tmp/ur; result unlinked-running-then-new-file-refused $? "$out"
wait
# A writer that never closes: exec is busy; once closed, it runs.
cp $G /tmp/wn && /tmp/wn >/dev/null
exec 5<>/tmp/wn
msg=$(/tmp/wn 2>&1); test $? -ne 0; result writer-open-exec-busy $? "$msg"
exec 5>&-
/tmp/wn >/dev/null; result writer-closed-runs $?

# --- Root after the lock.
# SysV shared memory by its /proc/PID/map_files link: a tmpfs file of the
# kernel's internal mount, unsealed.
attack $T shm-exec $G; result sysv-shm-map-files-refused $? "$out"
last_refusal unsealed-memfd; result sysv-shm-map-files-reason $?
# An overlay mounted by root (in the initial user namespace) whose lower
# layer is a user namespace's tmpfs. From outside, overlayfs itself refuses
# a lower layer of another mount namespace; root enters that namespace and
# mounts it there: the real file's mounter is untrusted.
rm -f /tmp/holder.pid
userns_sh "mount -t tmpfs none /tmp/ui && cp $G /tmp/ui/g && echo \$\$ >/tmp/holder.pid && exec sleep 30" &
for i in $(seq 100); do [ -s /tmp/holder.pid ] && break; sleep 0.1; done
holder=$(cat /tmp/holder.pid)
mkdir -p /tmp/xl2 /mnt/xovl
msg=$(mount -t overlay overlay -o lowerdir=/proc/$holder/root/tmp/ui:/tmp/xl2 /mnt/xovl 2>&1)
test $? -ne 0; result overlay-on-other-namespace-lower-refused $? "$msg"
in_holder() { nsenter -t $holder -m "$@"; }
in_holder mount -t overlay overlay -o lowerdir=/tmp/ui:/tmp/xl2 /mnt/xovl
result overlay-on-userns-lower-mounts $?
attack in_holder /mnt/xovl/g; result overlay-on-userns-lower-refused $? "$out"
last_refusal untrusted-mount; result overlay-on-userns-lower-reason $?
kill $holder 2>/dev/null
# A fanotify listener's event file: O_RDWR and FMODE_NONOTIFY. On tmpfs a
# mapping moves no stamp; on vfat the write moves none when it falls in
# the copy's 2-second window (started just after an even second, so it
# does); on ext4 with i_version the stamp moves.
cp $G /tmp/fan && /tmp/fan >/dev/null
$T fanotify-overwrite /tmp/fan $P | sed 's/^/BOARD-INFO fanotify: /'
attack /tmp/fan; result fanotify-event-file-write-refused $? "$out"
while [ $(( $(date +%s) % 2 )) -ne 0 ]; do sleep 0.05; done
cp $G /mnt/vfat/fan && /mnt/vfat/fan >/dev/null && $T fanotify-overwrite /mnt/vfat/fan $P >/dev/null
attack /mnt/vfat/fan; result fanotify-event-file-write-vfat-refused $? "$out"
cp $G $E/fan && $E/fan >/dev/null && $T fanotify-overwrite $E/fan $P >/dev/null
attack $E/fan; result fanotify-event-file-write-ext4-refused $? "$out"

# binfmt_misc loaded and unloaded until no copy of the verifier is left to
# put first; then its entry hands an unsigned program to the signed loader.
# (Refusing the load that would put it ahead stops this too.)
cp /opt/probe-unsigned /tmp/probe.unsig
loads=0
for i in 1 2 3 4 5 6 7 8; do
  insmod /opt/modules/binfmt_misc.ko || break
  loads=$i
  [ $i -lt 8 ] && { rmmod binfmt_misc || break; }
done
test $loads -ge 1; result binfmt-misc-loads-after-lock $?
echo "BOARD-INFO binfmt_misc loaded $loads times; $(dmesg | grep -c 'the verifier is first again')" \
  "copies put first, $(dmesg | grep -c 'no copy is left') times none left"
if grep -q '^binfmt_misc ' /proc/modules && mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc &&
  echo ':loader:E::unsig::/opt/ld-signed.so:' >/proc/sys/fs/binfmt_misc/register; then
  out=$(/tmp/probe.unsig 2>&1); rc=$?
  echo -1 >/proc/sys/fs/binfmt_misc/status; umount /proc/sys/fs/binfmt_misc
else
  out="binfmt_misc not there"; rc=126
fi
test $rc = 126; result binfmt-reloads-unsigned-via-loader-refused $? "rc $rc: $out"

# Last: a module of root's own, loaded after the lock, takes the verifier
# out of the exec path.
insmod /opt/digsig_unhook.ko; rc=$?
test $rc -ne 0; result after-lock-unsigned-module-refused $? "insmod rc $rc"
sleep 2
attack $P; result after-lock-module-unsigned-refused $? "$out"
dmesg | grep -E 'digsig|unhook' | grep -v 'refused /' | sed 's/^/BOARD-DMESG /'
SCENARIO

export BOARD_TOOL="$R/tests/board/board_tool"
export BOARD_DISK="$W/disk.img"
# Two CPUs: the cache stress races for real.
export BOARD_SMP=2
check "the board boots and finishes the scenario" "$board" "$R/images/demo/rootfs.tar.gz" \
  scenario.sh "$W/out" "${extras[@]}"
cat "$W/out/console.log" >>"$LOG"
# Every result the scenario reports (the vfat write paths by their loop).
names=$(sed -n 's/.*result \([a-z0-9-]*[a-z0-9]\) \$.*/\1/p' scenario.sh)
for how in pwrite copy-range splice aio uring; do names="$names vfat-$how-refused"; done
for name in $names; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
tr -d '\r' <"$W/out/console.log" | grep -aE '^BOARD-(DMESG|INFO)|^BOARD-RESULT .* FAIL' || true
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
