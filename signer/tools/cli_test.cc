// The command line as a whole: usage errors name what is missing, --help
// and --version go to stdout, and --version states the formats the library
// really writes.
#include <gtest/gtest.h>

#include "signer/lib/revocation_list.h"
#include "signer/lib/tar_manifest.h"
#include "signer/tools/commands.h"

namespace digsig::cli {
namespace {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome Digsig(const std::vector<std::string>& args) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int status = RunDigsig(args);
  Outcome r{status, testing::internal::GetCapturedStdout(), ""};
  r.err = testing::internal::GetCapturedStderr();
  return r;
}

TEST(Cli, NoCommandIsAUsageError) {
  Outcome r = Digsig({});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("digsig: missing COMMAND\n", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("usage: digsig COMMAND"), std::string::npos);
}

TEST(Cli, HelpAndVersionGoToStdout) {
  for (const char* help : {"--help", "-h"}) {
    Outcome r = Digsig({help});
    EXPECT_EQ(r.status, kExitOk);
    EXPECT_EQ(r.out, kUsage);
    EXPECT_EQ(r.err, "");
  }
  Outcome sign_help = Digsig({"sign", "--key", "k", "--help"});
  EXPECT_EQ(sign_help.status, kExitOk);
  EXPECT_EQ(sign_help.out, kUsage);
  Outcome v = Digsig({"--version"});
  EXPECT_EQ(v.status, kExitOk);
  EXPECT_EQ(v.out, VersionText());
  EXPECT_EQ(v.out.rfind("digsig 0.1.0\n", 0), 0u) << v.out;
}

TEST(Cli, MissingOptionsAreNamedTogether) {
  EXPECT_EQ(MissingMessage("sign", {"--cert CERT"}),
            "digsig sign: missing --cert CERT (try digsig --help)");
  EXPECT_EQ(MissingMessage("x", {"A", "B", "C"}),
            "digsig x: missing A, B and C (try digsig --help)");
  Outcome r = Digsig({"sign", "--key", "x"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "digsig sign: missing --cert CERT, (-o OUT | --out-dir DIR | --in-place) and FILE... "
            "(try digsig --help)\n");
  Outcome module = Digsig({"sign-module", "--in-place"});
  EXPECT_EQ(module.status, kExitUsage);
  EXPECT_NE(module.err.find("missing --key KEY, --cert CERT and MODULE.ko..."), std::string::npos)
      << module.err;
  Outcome verify = Digsig({"verify"});
  EXPECT_EQ(verify.status, kExitUsage);
  EXPECT_NE(verify.err.find("digsig verify: missing --cert CERT and FILE..."), std::string::npos)
      << verify.err;
  Outcome tar = Digsig({"sign-tar", "in.tar"});
  EXPECT_EQ(tar.status, kExitUsage);
  EXPECT_NE(tar.err.find("missing --key KEY, --cert CERT and -o OUT"), std::string::npos)
      << tar.err;
  EXPECT_EQ(Digsig({"inspect"}).status, kExitUsage);
  EXPECT_EQ(Digsig({"keygen"}).status, kExitUsage);
  EXPECT_EQ(Digsig({"verify-tar", "--cert", "c"}).status, kExitUsage);
  EXPECT_EQ(Digsig({"revoke", "--key", "k", "--cert", "c"}).status, kExitUsage);
  EXPECT_EQ(Digsig({"show-revocations"}).status, kExitUsage);
}

TEST(Cli, UnknownCommandsAndOptionsAreUsageErrors) {
  Outcome r = Digsig({"sgin"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.err, "digsig: unknown command 'sgin' (try digsig --help)\n");
  Outcome o = Digsig({"verify", "--nope"});
  EXPECT_EQ(o.status, kExitUsage);
  EXPECT_EQ(o.err, "digsig: unknown option --nope\n");
}

// --version names each format by the line the library writes first.
TEST(Cli, VersionStatesTheFormatsTheLibraryWrites) {
  const std::string v = VersionText();
  const std::string manifest = SerializeManifest(Manifest{});
  EXPECT_NE(v.find(manifest.substr(0, manifest.find('\n'))), std::string::npos) << manifest;
  RevocationList list;
  list.sequence = 1;
  auto body = RevocationListBody(list);
  ASSERT_TRUE(body.ok());
  EXPECT_NE(v.find(body->substr(0, body->find('\n'))), std::string::npos) << *body;
  EXPECT_NE(v.find("payload version 1, trailer ~digsig-v1~"), std::string::npos) << v;
  EXPECT_NE(v.find("digital signature version 2"), std::string::npos) << v;
}

}  // namespace
}  // namespace digsig::cli
