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

}  // namespace digsig::cli
