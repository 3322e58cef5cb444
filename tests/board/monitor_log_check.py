#!/usr/bin/env python3
"""Checks what digsig-monitor wrote on the board (aem_board_test.sh).

The scenario runs the monitor (all event types, channel "board", alarm
threshold 5) while the board runs the signed digsig-hello once, the
unsigned copy ten times (each refused), and posts one user event to
"board" and one to "elsewhere". The console carries the monitor's stdout
as "BOARD-MON-<tag> " lines and its stderr as "BOARD-MONERR-<tag> " lines.

    monitor_log_check.py CONSOLE_LOG TAG

Exit 0 when everything is there; otherwise one line per problem, exit 1.
"""
import json
import sys

REFUSED = "/opt/unsigned-hello"
SIGNED = "/usr/bin/digsig-hello"
EXPECTED_BACKEND = {"uring": "io_uring", "epoll": "epoll"}


def lines_with(console, prefix):
    out = []
    for raw in console.splitlines():
        line = raw.rstrip("\r")
        if line.startswith(prefix):
            out.append(line[len(prefix):])
    return out


def check(events, errors, tag):
    problems = []
    seqs = [e["seq"] for e in events]
    if not events:
        return ["no JSON lines at all"]
    if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        problems.append("seq numbers are not consecutive: %s" % seqs)
    by_type = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e)
    if by_type.get("lost"):
        problems.append("lost records: %s" % by_type["lost"])

    refusals = [v for v in by_type.get("verdict", []) if v["path"] == REFUSED]
    if len(refusals) != 10:
        problems.append("%d verdicts for %s, expected 10" % (len(refusals), REFUSED))
    for v in refusals:
        if not (v["refused"] and v["reason"] == "unsigned" and not v["interp"]):
            problems.append("verdict not a refusal of an unsigned file: %s" % v)
            break

    execs = [x for x in by_type.get("exec", []) if x["path"] == SIGNED]
    if len(execs) != 1:
        problems.append("%d exec records of %s, expected 1" % (len(execs), SIGNED))
    else:
        pid = execs[0]["pid"]
        exits = [x for x in by_type.get("exit", []) if x["pid"] == pid]
        if len(exits) != 1 or exits[0]["exit_code"] != 0:
            problems.append("exit of %s (pid %d): %s" % (SIGNED, pid, exits))
        forks = [f for f in by_type.get("fork", []) if f["child"]["pid"] == pid]
        if len(forks) != 1:
            problems.append("%d fork records for pid %d, expected 1" % (len(forks), pid))

    users = by_type.get("user", [])
    if [(u["channel"], u.get("data")) for u in users] != [("board", "hello from the board")]:
        problems.append("user events %s, expected the one posted to 'board'" % users)

    alarms = [e for e in errors if "ALARM" in e]
    if len(alarms) != 1 or REFUSED not in alarms[0]:
        problems.append("alarm lines %s, expected one naming %s" % (alarms, REFUSED))
    stats = [e for e in errors if e.startswith("digsig-monitor: ") and " events, " in e]
    want = "10 refusals, 0 lost, 0 unaccounted, backend %s" % EXPECTED_BACKEND[tag]
    if len(stats) != 1 or want not in stats[0]:
        problems.append("stats line %s, expected one with '%s'" % (stats, want))
    others = [e for e in errors if e not in alarms and e not in stats]
    if others:
        problems.append("unexpected stderr: %s" % others)
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in EXPECTED_BACKEND:
        sys.exit("usage: monitor_log_check.py CONSOLE_LOG uring|epoll")
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        console = f.read()
    tag = sys.argv[2]
    events = []
    problems = []
    for line in lines_with(console, "BOARD-MON-%s " % tag):
        try:
            events.append(json.loads(line))
        except ValueError as e:
            problems.append("not JSON (%s): %s" % (e, line))
    if not problems:
        problems = check(events, lines_with(console, "BOARD-MONERR-%s " % tag), tag)
    for p in problems:
        print("digsig-monitor on %s: %s" % (tag, p))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
