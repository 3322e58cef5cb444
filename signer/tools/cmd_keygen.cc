#include <cstdio>

#include "base/arg_parser.h"
#include "signer/lib/keygen.h"
#include "signer/tools/commands.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunKeygen(const std::vector<std::string>& args) {
  ArgParser p;
  p.Value("--out")
      .Value("--algo")
      .Value("--subject")
      .Value("--days")
      .Flag("--force")
      .Flag("--json");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  if (!p.positional().empty()) return UsageError("keygen takes no file arguments");
  if (!p.Has("--out")) return MissingError("keygen", {"--out DIR"});
  KeygenOptions o;
  o.out_dir = p.Get("--out");
  o.algorithm = p.Get("--algo", o.algorithm);
  o.subject = p.Get("--subject", o.subject);
  o.overwrite = p.Has("--force");
  auto days = p.GetNumber("--days", static_cast<unsigned long>(o.valid_days));
  if (!days) return UsageError(days.error());
  o.valid_days = static_cast<int>(*days);
  auto r = GenerateKeyPair(o);
  if (!r) return UsageError(r.error().message());
  if (p.Has("--json")) {
    printf("%s\n", JsonObject()
                       .Add("key", r->key_path)
                       .Add("cert_pem", r->cert_pem_path)
                       .Add("cert_der", r->cert_der_path)
                       .Add("algorithm", o.algorithm)
                       .Add("key_id", r->key_id)
                       .str()
                       .c_str());
  } else {
    printf("private key: %s (mode 0600)\ncertificate: %s, %s\nalgorithm:   %s\nkey id:      %s\n",
           r->key_path.c_str(), r->cert_pem_path.c_str(), r->cert_der_path.c_str(),
           o.algorithm.c_str(), r->key_id.c_str());
  }
  return kExitOk;
}

}  // namespace digsig::cli
