#include "signer/tools/inputs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>

namespace digsig::cli {
namespace {

namespace fs = std::filesystem;

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Error WalkError(const std::string& path, const std::error_code& ec) {
  return Error(ErrorCode::kIo, path + ": cannot read directory: " + ec.message());
}

// Every entry below `root`, symlinks not followed, in name order so that the
// output (and any failure) is the same on every run.
Status Walk(const std::string& root, std::vector<Input>& out) {
  std::error_code ec;
  std::vector<Input> found;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return WalkError(root, ec);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return WalkError(root, ec);
    const fs::file_status st = it->symlink_status(ec);
    if (ec) return WalkError(it->path().string(), ec);
    if (fs::is_directory(st)) continue;
    Input in;
    // Lexically: fs::relative would resolve a symlink to its target's name.
    in.relative = it->path().lexically_relative(root).string();
    in.path = it->path().string();
    in.not_regular = !fs::is_regular_file(st);
    found.push_back(std::move(in));
  }
  if (ec) return WalkError(root, ec);
  std::sort(found.begin(), found.end(),
            [](const Input& a, const Input& b) { return a.relative < b.relative; });
  out.insert(out.end(), found.begin(), found.end());
  return Status::Ok();
}

}  // namespace

Result<std::vector<Input>> ExpandInputs(const std::vector<std::string>& paths, bool recursive) {
  std::vector<Input> inputs;
  for (const std::string& path : paths) {
    std::error_code ec;
    // A command-line symlink to a directory is walked, as find -H does.
    if (recursive && fs::is_directory(path, ec)) {
      DIGSIG_RETURN_IF_ERROR(Walk(path, inputs));
      continue;
    }
    inputs.push_back({path, BaseName(path), false});
  }
  return inputs;
}

Result<std::vector<std::string>> OutputPaths(const OutputChoice& choice,
                                             const std::vector<Input>& inputs) {
  const int modes = !choice.output.empty() + !choice.out_dir.empty() + choice.in_place;
  if (modes != 1)
    return Error(ErrorCode::kInvalidArgument,
                 "say where signed files go: exactly one of -o OUT, --out-dir DIR, --in-place");
  std::vector<std::string> out;
  if (choice.in_place) {
    for (const Input& in : inputs) out.push_back(in.path);
    return out;
  }
  if (!choice.output.empty()) {
    if (inputs.size() != 1)
      return Error(ErrorCode::kInvalidArgument,
                   "-o takes one input file; use --out-dir for several");
    return std::vector<std::string>{choice.output};
  }
  std::set<std::string> seen;
  for (const Input& in : inputs) {
    if (!seen.insert(in.relative).second)
      return Error(ErrorCode::kInvalidArgument,
                   "two inputs named " + in.relative + " would collide in --out-dir");
    out.push_back(choice.out_dir + "/" + in.relative);
  }
  return out;
}

Status MakeOutputDirectories(const std::string& out_dir, const std::vector<Input>& inputs) {
  std::set<std::string> made;
  for (const Input& in : inputs) {
    if (in.not_regular) continue;
    // Each directory of `relative`, outermost first, mirrors the one at the
    // same depth above `path`.
    const fs::path rel(in.relative);
    fs::path source = fs::path(in.path);
    std::vector<std::pair<fs::path, fs::path>> dirs;  // (output dir, source dir)
    for (fs::path p = rel.parent_path(); !p.empty(); p = p.parent_path()) {
      source = source.parent_path();
      dirs.emplace_back(fs::path(out_dir) / p, source);
    }
    for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
      if (!made.insert(d->first.string()).second) continue;
      struct stat st;
      const mode_t mode = stat(d->second.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0755;
      if (mkdir(d->first.c_str(), mode | 0700) != 0 && errno != EEXIST)
        return Error(ErrorCode::kIo,
                     d->first.string() + ": cannot create directory: " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace digsig::cli
