#include "signer/lib/config.h"

#include <gtest/gtest.h>

namespace digsig {
namespace {

TEST(Config, ParsesProfilesAndResolvesPaths) {
  auto cfg = ParseSigningConfig(R"(
default_profile: dev
profiles:
  dev:
    key: keys/dev.pem
    cert: /abs/cert.pem
    hash: sha384
    include: ["*/bin/*", "*.so*"]
    exclude: ["*.debug"]
  release:
    key: "pkcs11:token=prod;object=rel"
    cert: rel.pem
    algorithm: rsa-3072
    pkcs11_module: /usr/lib/softhsm/libsofthsm2.so
)",
                                "/cfg", "test.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  auto dev = SelectProfile(*cfg, "");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->key.key, "/cfg/keys/dev.pem");
  EXPECT_EQ(dev->key.cert, "/abs/cert.pem");
  EXPECT_EQ(dev->hash, HashAlgo::kSha384);
  EXPECT_TRUE(dev->Selects("root/usr/bin/ls"));
  EXPECT_TRUE(dev->Selects("lib/libc.so.6"));
  EXPECT_FALSE(dev->Selects("usr/bin/ls.debug"));
  EXPECT_FALSE(dev->Selects("etc/passwd"));
  auto rel = SelectProfile(*cfg, "release");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->key.key, "pkcs11:token=prod;object=rel");  // URIs are not paths
  EXPECT_EQ(rel->algorithm, "rsa-3072");
  EXPECT_TRUE(rel->Selects("anything"));
}

TEST(Config, RejectsMistakes) {
  EXPECT_FALSE(ParseSigningConfig("profiles: {a: {kee: x}}", "", "t").ok());
  EXPECT_FALSE(ParseSigningConfig("profiles: {a: {hash: md5}}", "", "t").ok());
  EXPECT_FALSE(ParseSigningConfig("profile: {}", "", "t").ok());
  EXPECT_FALSE(ParseSigningConfig("profiles: [", "", "t").ok());
  auto two = ParseSigningConfig("profiles: {a: {key: k}, b: {key: k}}", "", "t");
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE(SelectProfile(*two, "").ok());  // ambiguous without default
  EXPECT_FALSE(SelectProfile(*two, "c").ok());
}

}  // namespace
}  // namespace digsig
