// The signing profile a command runs with: --config/--profile first, then
// individual flags on top (flags always win).
#pragma once

#include <vector>

#include "base/arg_parser.h"
#include "signer/lib/config.h"
#include "signer/lib/openssl_util.h"
#include "signer/tools/commands.h"

namespace digsig::cli {

// Registers --config, --profile, --key, --cert, --hash, --pkcs11-module and
// --allow-insecure-key on `parser`.
void AddKeyOptions(ArgParser& parser);

Result<SigningProfile> ResolveProfile(const ArgParser& parser);

// Registers --cert (repeatable), --config and --profile for verifiers.
void AddTrustOptions(ArgParser& parser);

// The trust anchors: every --cert, plus the selected profile's certificate.
Result<std::vector<CertPtr>> LoadTrustedCertificates(const ArgParser& parser);

}  // namespace digsig::cli
