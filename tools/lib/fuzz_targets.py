#!/usr/bin/env python3
"""Prints the fuzz targets of tools/fuzz_targets.bzl, one "NAME PACKAGE" line
each, in table order: the table Bazel reads, taken out of the .bzl file as a
Python literal (the file is Starlark, which parses as Python)."""
import ast
import sys


def targets(path):
    tree = ast.parse(open(path).read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "FUZZ_TARGETS" for t in node.targets):
            return ast.literal_eval(node.value)
    sys.exit(f"{path}: no FUZZ_TARGETS table")


if __name__ == "__main__":
    for name, target in targets(sys.argv[1]).items():
        print(name, target["package"])
