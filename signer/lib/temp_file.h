// The temporary file behind every atomic output (file_io.h). Where the file
// system allows, it has no name until it is complete (O_TMPFILE), so a run
// killed with SIGKILL leaves nothing; else it is written under a hidden name,
// ".NAME.digsig-tmp" next to NAME, that `dir/*` does not match. One such name
// per target lets the next write of the same target find a dead run's file
// without listing the directory: it is stale when nobody holds its lock
// (flock; a killed process holds none), and then it is removed.
#pragma once

#include <string>
#include <utility>

#include "signer/lib/result.h"

namespace digsig {

enum class TempFileKind {
  kAuto,   // unnamed where the file system allows, else the hidden name
  kNamed,  // always the hidden name (the fallback, forced: for tests)
};

// ".NAME.digsig-tmp" for `target` ".../NAME" (NAME cut to stay in NAME_MAX).
std::string HiddenTempPath(const std::string& target);

class TempFile {
 public:
  // A new empty file (mode 0600) in the directory of `target`, locked for as
  // long as it is open. A dead run's hidden file for `target` is removed; a
  // live run's (one writing the same target now) makes this fail, kIo.
  static Result<TempFile> Create(const std::string& target, TempFileKind kind);

  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  // Without Commit: the hidden file is removed, an unnamed one vanishes.
  ~TempFile();

  int fd() const { return fd_; }
  bool named() const { return named_; }
  // For messages: the hidden path, or what the unnamed file is for.
  std::string Describe() const;

  // Makes the file `target`, replacing it atomically. An unnamed file is
  // linked in as `target` when that name is free, else under the hidden name
  // (for the moment until the rename), then renamed over `target`.
  Status Commit();

 private:
  TempFile(int fd, std::string target, bool named)
      : fd_(fd), target_(std::move(target)), hidden_(HiddenTempPath(target_)), named_(named) {}
  Status LinkUnnamed();

  int fd_;
  std::string target_;
  std::string hidden_;
  bool named_;  // the file is (now) at hidden_
  bool committed_ = false;
};

}  // namespace digsig
