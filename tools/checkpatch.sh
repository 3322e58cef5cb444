#!/usr/bin/env bash
# Runs the Linux kernel's scripts/checkpatch.pl over the project's kernel C:
# kmod/, signer/format/ (shared with the module), the demo product's module,
# aem.ko (aem/kernel/) and its ABI header (aem/include/). Debian's
# linux-headers packages do not ship checkpatch, so it comes from Debian's
# linux-source-X.Y package, fetched with apt-get (the Debian mirror is the
# only network it needs) and cached.
#
#   tools/checkpatch.sh                   # every kernel C file of the project
#   tools/checkpatch.sh FILE...           # just these files
#   tools/checkpatch.sh --strict [FILE...] # any option starting with '-' goes
#                                         # to checkpatch.pl (--opt=value form)
#   tools/checkpatch.sh --refresh         # fetch checkpatch again, then check
#
# Checks are checkpatch's defaults on whole files (--no-tree -f), with the
# check type of each finding shown (--show-types) so it can be named in
# --ignore=TYPE. Prints each finding as `FILE:LINE: ERROR|WARNING|CHECK:TYPE:
# message`, then one summary line per file and a total. Exit status: 0 clean,
# 1 any ERROR or WARNING (CHECKs, which only --strict reports, are shown but
# do not fail), 2 usage or setup error.
#
# Which kernel's checkpatch: $DIGSIG_CHECKPATCH_SOURCE (e.g. linux-source-6.12)
# if set, else the series of the newest installed kernel headers (the kernel
# the module builds against) when apt offers its source, else the series the
# `linux-source` metapackage points at, else the newest series apt offers.
# The first run downloads that package (~140 MB, a few seconds from a Debian
# mirror; runs `apt-get update` once when apt knows no linux-source-* and we
# are root) and extracts only checkpatch.pl and the files it reads:
# spelling.txt, const_structs.checkpatch and, for --verbose,
# Documentation/dev-tools/checkpatch.rst. They are kept in
# $DIGSIG_CACHE/checkpatch/linux-source-X.Y/ (DIGSIG_CACHE defaults to
# ${XDG_CACHE_HOME:-~/.cache}/digsig) and later runs neither ask apt nor
# download: checkpatch stays at the fetched version until --refresh.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DIGSIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/digsig}/checkpatch
export LC_ALL=C

die() { echo "checkpatch.sh: $*" >&2; exit 2; }
log() { echo "checkpatch.sh: $*" >&2; }

refresh=0
opts=()
files=()
for arg in "$@"; do
  case "$arg" in
    --refresh) refresh=1 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) opts+=("$arg") ;;
    *) [[ -f "$arg" ]] || die "$arg: no such file"; files+=("$arg") ;;
  esac
done
command -v perl >/dev/null || die "perl not found (apt-get install perl)"

# --- Obtaining checkpatch ---------------------------------------------------

# The linux-source-X.Y package to take checkpatch from (apt must offer it).
pick_source() {
  if [[ -n "${DIGSIG_CHECKPATCH_SOURCE:-}" ]]; then
    echo "$DIGSIG_CHECKPATCH_SOURCE"
    return
  fi
  local offered
  offered=$(apt-cache pkgnames linux-source- 2>/dev/null | grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V || true)
  if [[ -z "$offered" && $(id -u) -eq 0 ]]; then
    log "apt knows no linux-source-* package: running apt-get update"
    apt-get update -qq >&2 || true
    offered=$(apt-cache pkgnames linux-source- 2>/dev/null | grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V || true)
  fi
  [[ -n "$offered" ]] ||
    die "apt offers no linux-source-* package to take checkpatch.pl from (run apt-get update as root; needs a Debian main mirror in the apt sources)"
  # The series of the newest installed kernel headers, e.g. 6.1 for
  # /usr/src/linux-headers-6.1.0-56-amd64.
  local series
  series=$(ls -d /usr/src/linux-headers-[0-9]* 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -1 |
    sed -nE 's/^([0-9]+\.[0-9]+).*/\1/p')
  if [[ -n "$series" ]] && grep -qx "linux-source-$series" <<<"$offered"; then
    echo "linux-source-$series"
    return
  fi
  local meta
  meta=$(apt-cache depends linux-source 2>/dev/null | sed -nE 's/^ *Depends: (linux-source-[0-9]+\.[0-9]+)$/\1/p' | head -1)
  if [[ -n "$meta" ]] && grep -qx "$meta" <<<"$offered"; then
    echo "$meta"
    return
  fi
  tail -1 <<<"$offered"
}

# Downloads package $1 and extracts checkpatch and its data files into
# $CACHE/$1 (replaced whole, so a failed fetch leaves the old copy), then
# points $CACHE/current at it.
fetch_source() {
  local pkg=$1 tmp deb inner zflag version
  command -v apt-get >/dev/null || die "apt-get not found: checkpatch.pl comes from Debian's $pkg package"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/digsig-checkpatch.XXXXXX")
  # shellcheck disable=SC2064  # expanded now: tmp is local to this function
  trap "rm -rf '$tmp'" EXIT
  # As root apt downloads as the unprivileged _apt user, which must be able
  # to write the directory (else apt warns and downloads as root).
  if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  log "fetching checkpatch.pl from Debian's $pkg (~140 MB download, once)"
  (cd "$tmp" && apt-get download -q=2 "$pkg" >&2) ||
    die "apt cannot provide $pkg: apt-get download failed (apt-get update? a Debian mirror in the apt sources?)"
  local debs=("$tmp"/*.deb)
  deb=${debs[0]}
  [[ -f "$deb" ]] || die "apt-get download $pkg left no .deb"
  version=$(dpkg-deb -f "$deb" Version)
  # The .deb holds the kernel tree as one tarball, /usr/src/linux-source-X.Y.tar.xz.
  inner=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./usr/src/linux-source-[^/]*\.tar\.(xz|bz2|gz)$' | head -1 || true)
  [[ -n "$inner" ]] || die "$(basename "$deb") holds no usr/src/linux-source-*.tar.* tarball"
  case "$inner" in *.xz) zflag=J ;; *.bz2) zflag=j ;; *.gz) zflag=z ;; esac
  # Only the files checkpatch reads; tar still has to read through the whole
  # ~1.3 GB tree (about 10 s). tar's status is not trusted either way: the
  # files needed are checked below.
  mkdir "$tmp/tree"
  dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "$inner" |
    tar -x${zflag}f - -C "$tmp/tree" --wildcards --strip-components=1 \
      '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' \
      '*/Documentation/dev-tools/checkpatch.rst' 2>"$tmp/tar.log" || true
  local f
  for f in scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch; do
    [[ -s "$tmp/tree/$f" ]] || { cat "$tmp/tar.log" >&2; die "$pkg $version has no $f"; }
  done
  echo "$pkg $version" >"$tmp/tree/VERSION"
  rm -rf "$CACHE/$pkg.old"
  if [[ -e "$CACHE/$pkg" ]]; then mv "$CACHE/$pkg" "$CACHE/$pkg.old"; fi
  mv "$tmp/tree" "$CACHE/$pkg"
  rm -rf "$CACHE/$pkg.old"
  ln -sfn "$pkg" "$CACHE/current.new" && mv -T "$CACHE/current.new" "$CACHE/current"
  rm -rf "$tmp"
  trap - EXIT
  log "cached $pkg $version in $CACHE/$pkg"
}

if [[ -n "${DIGSIG_CHECKPATCH_SOURCE:-}" ]]; then
  dir=$CACHE/$DIGSIG_CHECKPATCH_SOURCE
else
  dir=$CACHE/current
fi
if [[ $refresh -eq 1 || ! -s "$dir/scripts/checkpatch.pl" ]]; then
  mkdir -p "$CACHE"
  # One fetcher at a time; a waiting one then finds the cache filled.
  exec 9>"$CACHE/.lock"
  flock 9
  if [[ $refresh -eq 1 || ! -s "$dir/scripts/checkpatch.pl" ]]; then
    pkg=$(pick_source)
    fetch_source "$pkg"
    dir=$CACHE/$pkg
  fi
  exec 9>&-
fi
checkpatch=$dir/scripts/checkpatch.pl

# --- Checking ----------------------------------------------------------------

if [[ ${#files[@]} -eq 0 ]]; then
  cd "$REPO"
  shopt -s nullglob
  files=(kmod/*.c kmod/*.h signer/format/*.c signer/format/*.h images/demo/kmod/*.c aem/kernel/*.c aem/kernel/*.h aem/include/*.h)
  shopt -u nullglob
  [[ ${#files[@]} -gt 0 ]] || die "no kernel C files found under $REPO"
fi

# checkpatch takes ~0.35 s to start and ~0.15 s a file, so the files are
# cut into one contiguous run of about equal size per core, each checked by
# one checkpatch process; their outputs, read in order, keep the argument
# order. --terse prints findings as FILE:LINE: LEVEL:TYPE: message and, with
# --summary-file, a "FILE total: ..." line after each file that has findings;
# files without a total line are clean. awk turns this into one summary line
# per file and a last line "checkpatch: ... E errors, W warnings" that decides
# the exit status. Options given on the command line come last, so
# --no-terse (findings with their source lines) works too; checkpatch's
# closing notes are dropped.
jobs=$(nproc 2>/dev/null || echo 1)
[[ $jobs -le ${#files[@]} ]] || jobs=${#files[@]}
mapfile -t sizes < <(stat -c %s -- "${files[@]}")
total=1
for size in "${sizes[@]}"; do total=$((total + size)); done
out=$(mktemp -d "${TMPDIR:-/tmp}/digsig-checkpatch-out.XXXXXX")
trap 'rm -rf "$out"' EXIT
starts=()   # run j checks files[starts[j]] up to the next run's start
done_bytes=0
for i in "${!files[@]}"; do
  j=$((done_bytes * jobs / total))
  [[ -n "${starts[j]:-}" ]] || starts[j]=$i
  done_bytes=$((done_bytes + sizes[i]))
done
runs=("${!starts[@]}")
pids=()
for k in "${!runs[@]}"; do
  j=${runs[k]}
  next=${#files[@]}
  [[ -z "${runs[k + 1]:-}" ]] || next=${starts[runs[k + 1]]}
  perl "$checkpatch" --no-tree -f --show-types --terse --summary-file --color=never \
    ${opts[@]+"${opts[@]}"} "${files[@]:starts[j]:next-starts[j]}" >"$out/$j" &
  pids[j]=$!
done
for j in "${runs[@]}"; do
  rc=0
  wait "${pids[j]}" || rc=$?
  # checkpatch exits 1 when it reports anything, and also (printing its
  # usage, no total line) on an unknown option.
  if [[ $rc -eq 1 ]] && ! grep -q ' total: ' "$out/$j"; then
    die "checkpatch.pl refused the options (${opts[*]:-}); see: perl $checkpatch --help"
  elif [[ $rc -gt 1 ]]; then
    cat "$out/$j" >&2
    die "$checkpatch failed (exit $rc)"
  fi
done

awk -v nfiles="${#files[@]}" '
  BEGIN {
    for (i = 1; i <= nfiles; i++) name[i] = ARGV[i + 1]
    ARGC = 2
    next_file = 1
  }
  function plural(n, word) { return n " " word (n == 1 ? "" : "s") }
  function clean_until(f) {   # files before f without a total line are clean
    while (next_file <= nfiles && name[next_file] != f) print name[next_file++] ": ok"
    if (next_file <= nfiles) next_file++
  }
  /^-+$/ { header = !header; next }    # --no-terse: ---/FILE/--- between files
  header { next }
  /^NOTE: / { note = 1; next }
  note && /^ / { next }
  { note = 0 }
  / has (no obvious )?style problems/ { next }
  match($0, / total: [0-9]+ errors, [0-9]+ warnings, ([0-9]+ checks, )?[0-9]+ lines checked$/) {
    f = substr($0, 1, RSTART - 1)
    split(substr($0, RSTART + 8), n, /[^0-9]+/)
    e = n[1]; w = n[2]; c = (substr($0, RSTART) ~ / checks, / ? n[3] : 0)
    errors += e; warnings += w; checks += c
    clean_until(f)
    sub(/\n+$/, "\n", findings)
    printf "%s", findings
    findings = ""
    if (e + w + c == 0) print f ": ok"
    else print f ": " plural(e, "error") ", " plural(w, "warning") (c ? ", " plural(c, "check") : "")
    next
  }
  /^$/ && findings == "" { next }
  { findings = findings $0 "\n" }   # the findings of the file whose total line comes next
  END {
    printf "%s", findings
    clean_until("")
    print "checkpatch: " plural(nfiles, "file") ", " plural(errors + 0, "error") ", " plural(warnings + 0, "warning") \
      (checks ? ", " plural(checks, "check") : "")
    exit (errors + warnings > 0)
  }
' <(for j in "${runs[@]}"; do cat "$out/$j"; done) "${files[@]}"
