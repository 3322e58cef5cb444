// The files a batch command (sign, sign-module, verify) works on, and where
// each signed file goes: the command line's paths as given, or with
// -r/--recursive every entry below the directories among them.
#pragma once

#include <string>
#include <vector>

#include "signer/lib/result.h"

namespace digsig::cli {

struct Input {
  std::string path;      // as given, or the walked directory joined with `relative`
  std::string relative;  // the name below --out-dir: the base name, or the path
                         // below the walked directory (a mirror of the tree)
  // A directory entry that is not a regular file (symlink, FIFO, socket,
  // device): listed so the summary counts it, never opened.
  bool not_regular = false;
};

// Without `recursive`, one Input per path, named by its base name. With it,
// a directory (or a symlink to one, on the command line) is walked in name
// order without following the symlinks inside it; every entry but the
// directories becomes an Input. Errors: kIo when a directory cannot be read.
Result<std::vector<Input>> ExpandInputs(const std::vector<std::string>& paths, bool recursive);

// Where each input's result goes: exactly one of `output` (-o, one input),
// `out_dir` (every input under its relative name; two with the same name
// are refused) or `in_place`. Errors: kInvalidArgument.
struct OutputChoice {
  std::string output;
  std::string out_dir;
  bool in_place = false;
};
Result<std::vector<std::string>> OutputPaths(const OutputChoice& choice,
                                             const std::vector<Input>& inputs);

// Creates the directories below `out_dir` that the outputs of the regular
// inputs need (the mirror of the walked trees), with the mode of the
// directory each mirrors. Errors: kIo.
Status MakeOutputDirectories(const std::string& out_dir, const std::vector<Input>& inputs);

}  // namespace digsig::cli
