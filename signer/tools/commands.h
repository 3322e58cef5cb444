// The digsig subcommands. Each takes the arguments after its name and
// returns the process exit status: 0 success, 1 some file failed, 2 usage,
// configuration or key error.
#pragma once

#include <string>
#include <vector>

#include "base/arg_parser.h"
#include "signer/lib/file_signing.h"

namespace digsig::cli {

using base::ArgParser;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFileFailed = 1;
inline constexpr int kExitUsage = 2;

int RunKeygen(const std::vector<std::string>& args);
int RunSign(const std::vector<std::string>& args, SignatureKind kind);
int RunVerify(const std::vector<std::string>& args);
int RunInspect(const std::vector<std::string>& args);
int RunSignTar(const std::vector<std::string>& args);
int RunVerifyTar(const std::vector<std::string>& args);
int RunRevoke(const std::vector<std::string>& args);
int RunShowRevocations(const std::vector<std::string>& args);

// "digsig: message" on stderr; returns kExitUsage.
int UsageError(const std::string& message);

// "digsig COMMAND: missing A, B and C (try digsig --help)": what the
// command cannot run without. MissingError prints it on stderr and returns
// kExitUsage.
std::string MissingMessage(const std::string& command, const std::vector<std::string>& missing);
int MissingError(const std::string& command, const std::vector<std::string>& missing);

// The whole command line after the program name: dispatches to a command,
// or prints the usage (--help) or the version (--version).
int RunDigsig(const std::vector<std::string>& args);

// The usage text --help prints.
extern const char kUsage[];

// What --version prints: the tool's version and every format it writes and
// reads, with its version (docs/format.md).
std::string VersionText();

}  // namespace digsig::cli
