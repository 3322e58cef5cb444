#include "signer/lib/temp_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "signer/lib/path.h"

namespace digsig {
namespace {

Error IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno));
}

// Linking an unnamed file needs AT_EMPTY_PATH (with CAP_DAC_READ_SEARCH,
// else ENOENT) or /proc/self/fd; without /proc an unprivileged run could
// write a whole file it cannot link, so it takes a named one from the start.
bool ProcFdAvailable() { return access("/proc/self/fd", X_OK) == 0; }

int LinkFd(int fd, const std::string& path) {
  if (linkat(fd, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOENT && errno != EPERM) return -1;
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  return linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW);
}

void SyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);  // best effort: the data is already durable
  close(fd);
}

// What was at a target's hidden name: nothing (or a dead run's file, now
// removed), or a live run's file.
enum class HiddenState { kFree, kBusy };

// A dead run's file is a regular file nobody holds the lock of; it is
// removed while this holds the lock, so no run can take it up meanwhile, and
// only if the name still leads to the file that was locked.
Result<HiddenState> ClearStale(const std::string& hidden) {
  int fd = open(hidden.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return HiddenState::kFree;
  if (fd < 0) return IoError("cannot check the temporary file", hidden);
  struct stat held, now;
  Result<HiddenState> state = HiddenState::kBusy;
  if (fstat(fd, &held) != 0 || !S_ISREG(held.st_mode))
    state = Error(ErrorCode::kIo, hidden + " is in the way (not a file digsig left)");
  else if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
           (stat(hidden.c_str(), &now) != 0 || now.st_ino != held.st_ino ||
            unlink(hidden.c_str()) == 0 || errno == ENOENT))
    state = HiddenState::kFree;
  close(fd);
  return state;
}

Error Busy(const std::string& target, const std::string& hidden) {
  return Error(ErrorCode::kIo, "another run is writing " + target + " (" + hidden + " is locked)");
}

// True while `fd` is still the file at `path` (not removed or replaced).
bool StillAt(int fd, const std::string& path) {
  struct stat mine, there;
  return fstat(fd, &mine) == 0 && mine.st_nlink > 0 && stat(path.c_str(), &there) == 0 &&
         mine.st_ino == there.st_ino && mine.st_dev == there.st_dev;
}

}  // namespace

std::string HiddenTempPath(const std::string& target) {
  constexpr size_t kMaxBase = 200;  // + ".", ".digsig-tmp" < NAME_MAX
  const size_t slash = target.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  return target.substr(0, base) + "." + target.substr(base, kMaxBase) + ".digsig-tmp";
}

Result<TempFile> TempFile::Create(const std::string& target, TempFileKind kind) {
  const std::string hidden = HiddenTempPath(target);
  if (kind == TempFileKind::kAuto && ProcFdAvailable()) {
    int fd = open(DirName(target).c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
      flock(fd, LOCK_EX);  // a new inode: nobody else can hold its lock
      // A dead run may have left the hidden name in its last moment.
      (void)ClearStale(hidden);
      return TempFile(fd, target, false);
    }
    // No unnamed files on this file system (or kernel): the hidden name.
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      return IoError("cannot create temporary file for", target);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = open(hidden.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno != EEXIST) return IoError("cannot create temporary file", hidden);
      auto state = ClearStale(hidden);
      if (!state) return state.error();
      if (*state == HiddenState::kBusy) return Busy(target, hidden);
      continue;
    }
    // Between creating and locking, another run clearing a stale file may
    // have taken this one for it: then try again.
    flock(fd, LOCK_EX);
    if (StillAt(fd, hidden)) return TempFile(fd, target, true);
    close(fd);
  }
  return Error(ErrorCode::kIo, "cannot create temporary file " + hidden + ": taken repeatedly");
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      target_(std::move(other.target_)),
      hidden_(std::move(other.hidden_)),
      named_(std::exchange(other.named_, false)),
      committed_(other.committed_) {}

TempFile::~TempFile() {
  if (!committed_ && named_ && StillAt(fd_, hidden_)) unlink(hidden_.c_str());
  if (fd_ >= 0) close(fd_);
}

std::string TempFile::Describe() const {
  return named_ ? hidden_ : "the unnamed temporary file for " + target_;
}

Status TempFile::LinkUnnamed() {
  // A new target appears whole in one step.
  if (LinkFd(fd_, target_) == 0) {
    committed_ = true;
    return Status::Ok();
  }
  if (errno != EEXIST) return IoError("cannot link the new file in as", target_);
  // A live run holds the hidden name only from its link to its rename:
  // that is waited out; a dead run's file is removed.
  for (int waited_ms = 0;;) {
    if (LinkFd(fd_, hidden_) == 0) {
      named_ = true;
      return Status::Ok();
    }
    if (errno != EEXIST) return IoError("cannot link the new file in as", hidden_);
    auto state = ClearStale(hidden_);
    if (!state) return state.error();
    if (*state == HiddenState::kBusy) {
      if (waited_ms++ >= 1000) return Busy(target_, hidden_);
      usleep(1000);
    }
  }
}

Status TempFile::Commit() {
  if (!named_) DIGSIG_RETURN_IF_ERROR(LinkUnnamed());
  if (!committed_) {
    if (rename(hidden_.c_str(), target_.c_str()) != 0)
      return IoError("cannot rename onto", target_);
    committed_ = true;
  }
  SyncDirectory(DirName(target_));
  return Status::Ok();
}

}  // namespace digsig
