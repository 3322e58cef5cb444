"""Compiler flags every digsig target carries itself.

A product workspace that builds digsig's tools (through @digsig's rules) uses
its own .bazelrc, not digsig's: the language level and warnings belong to the
targets, so that digsig builds the same way from any workspace.
"""

# C++ code (signer, libaem, tests, tools).
DIGSIG_CXXOPTS = [
    "-std=c++20",
    "-Wall",
    "-Wextra",
]

# Plain C userspace code (board test tools, benchmarks).
DIGSIG_COPTS = [
    "-Wall",
    "-Wextra",
]
