#include <cstdio>

#include "signer/tools/commands.h"

namespace digsig::cli {

int RunDigsig(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    fprintf(stderr, "digsig: missing COMMAND\n\n%s", kUsage);
    return kExitUsage;
  }
  const std::string& command = argv[0];
  if (command == "--version") {
    fputs(VersionText().c_str(), stdout);
    return kExitOk;
  }
  if (command == "--help" || command == "-h") {
    fputs(kUsage, stdout);
    return kExitOk;
  }
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      fputs(kUsage, stdout);
      return kExitOk;
    }
  if (command == "keygen") return RunKeygen(args);
  if (command == "sign") return RunSign(args, SignatureKind::kEmbedded);
  if (command == "sign-module") return RunSign(args, SignatureKind::kModule);
  if (command == "verify") return RunVerify(args);
  if (command == "inspect") return RunInspect(args);
  if (command == "sign-tar") return RunSignTar(args);
  if (command == "verify-tar") return RunVerifyTar(args);
  if (command == "revoke") return RunRevoke(args);
  if (command == "show-revocations") return RunShowRevocations(args);
  return UsageError("unknown command '" + command + "' (try digsig --help)");
}

}  // namespace digsig::cli
