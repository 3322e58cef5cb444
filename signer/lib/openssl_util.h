// Ownership wrappers for OpenSSL objects and error-queue draining.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace digsig {

template <typename T, void (*F)(T*)>
struct OsslDeleter {
  void operator()(T* p) const { F(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509, X509_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OsslDeleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO, BIO_free_all>>;

// Drains this thread's OpenSSL error queue into one line. OpenSSL's messages
// name functions and reasons, never key material, so they are safe to show.
std::string TakeOpensslErrors();

// Shared so that a certificate can be handed to several verifiers.
using CertPtr = std::shared_ptr<X509>;
inline CertPtr ShareCert(X509* x) { return CertPtr(x, X509_free); }

}  // namespace digsig
