#include "signer/lib/result.h"

namespace digsig {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kNotElf: return "not-elf";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kUnsigned: return "unsigned";
    case ErrorCode::kAltered: return "altered";
    case ErrorCode::kUnknownSigner: return "unknown-signer";
    case ErrorCode::kUnsupported: return "unsupported-algorithm";
    case ErrorCode::kTooLarge: return "too-large";
    case ErrorCode::kUnsuitableCertificate: return "unsuitable-certificate";
    case ErrorCode::kCrypto: return "crypto";
    case ErrorCode::kKey: return "key";
    case ErrorCode::kConfig: return "config";
  }
  return "unknown";
}

}  // namespace digsig
