#!/usr/bin/env python3
"""The spawns a build executed (not served from a cache), from Bazel's
--execution_log_json_file: one "MNEMONIC COUNT" line per mnemonic, sorted;
nothing when every spawn was a cache hit. `--all` counts every spawn the log
holds, cache hits too; `--list` prints one line per executed spawn instead:
its mnemonic and its first output.

  executed_spawns.py [--all | --list] EXECLOG.json
"""
import collections
import json
import sys


def spawns(text):
    # The log is a sequence of JSON objects, not one JSON document.
    decoder, i = json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        spawn, i = decoder.raw_decode(text, i)
        yield spawn


def main(argv):
    listing = argv[:1] == ["--list"]
    everything = argv[:1] == ["--all"]
    with open(argv[-1]) as f:
        executed = [s for s in spawns(f.read()) if everything or not s.get("remoteCacheHit")]
    if listing:
        for s in executed:
            outputs = s.get("actualOutputs") or s.get("listedOutputs") or [{}]
            first = outputs[0].get("path", "?") if isinstance(outputs[0], dict) else outputs[0]
            print(s.get("mnemonic", "?"), first)
        return
    counts = collections.Counter(s.get("mnemonic", "?") for s in executed)
    for mnemonic, n in sorted(counts.items()):
        print(mnemonic, n)


if __name__ == "__main__":
    main(sys.argv[1:])
