"""Every fuzz target of the repository, in one table.

Bazel reads it (fuzz_replay_tests below, called from each package that holds
targets) and so does tools/fuzz.sh, which takes the FUZZ_TARGETS literal out
of this file with Python's ast module: keep the table plain data (strings,
lists, dicts), with no computed values.

A target NAME lives in PACKAGE: PACKAGE/NAME.cc defines
LLVMFuzzerTestOneInput, PACKAGE/corpus/NAME/ holds its seeds, and
//PACKAGE:NAME_test replays them (base/fuzz_replay_main.cc). `deps` are the
libraries NAME.cc uses (relative labels are in PACKAGE); tools/fuzz.sh asks
Bazel for their sources, so it compiles and links what the test does.
`replay_args` go to the replay test.
"""

load("//base:build_defs.bzl", "DIGSIG_CXXOPTS")

FUZZ_TARGETS = {
    "elf_reader_fuzzer": {
        "package": "signer/fuzz",
        "deps": [":der_mutator", ":fuzz_common", "//base:fuzz_rng", "//signer/lib"],
    },
    "signature_record_fuzzer": {
        "package": "signer/fuzz",
        "deps": ["//base:fuzz_check", "//signer/format:digsig_format"],
    },
    "pkcs7_fuzzer": {
        "package": "signer/fuzz",
        "deps": [":der_mutator", ":fuzz_common", "//base:fuzz_rng", "//signer/lib", "@openssl//:crypto"],
    },
    # Each run signs and verifies whole archives: fewer mutations per seed.
    "tar_archive_fuzzer": {
        "package": "signer/fuzz",
        "deps": [":fuzz_common", "//signer/lib"],
        "replay_args": ["--mutations=1000"],
    },
    "elf_interp_fuzzer": {
        "package": "signer/fuzz",
        "deps": ["//base:fuzz_check", "//signer/format:digsig_format"],
    },
    "elf_sections_fuzzer": {
        "package": "signer/fuzz",
        "deps": [
            "//base:fuzz_check",
            "//signer/format:digsig_format",
            "//signer/lib",
            "//signer/tests:test_elf",
        ],
    },
    "revocation_list_fuzzer": {
        "package": "signer/fuzz",
        "deps": [":fuzz_common", "//signer/lib"],
    },
    "event_decoder_fuzzer": {
        "package": "aem/tests",
        "deps": [":event_builder", "//aem/runtime:aem", "//base:fuzz_check"],
    },
}

def fuzz_replay_tests():
    """One NAME_test per target of the calling package: NAME.cc linked with
    the replay driver, run over corpus/NAME/ and deterministic mutations."""
    for name, target in FUZZ_TARGETS.items():
        if target["package"] != native.package_name():
            continue
        native.cc_test(
            name = name + "_test",
            copts = DIGSIG_CXXOPTS,
            size = "medium",
            srcs = [name + ".cc"],
            data = native.glob(["corpus/" + name + "/**"]),
            args = target.get("replay_args", []),
            # The driver's sanitizer options and operator new must be in the
            # executable itself to take effect.
            linkstatic = True,
            deps = target["deps"] + ["//base:fuzz_replay_main"],
        )
