// Path arithmetic on strings, as dirname(1) does it for the paths digsig is
// given (no normalisation, no file system access).
#pragma once

#include <string>

namespace digsig {

// The directory part of `path`: "." for a bare name, "/" for "/name".
inline std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace digsig
