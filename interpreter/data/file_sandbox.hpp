// Confinement of the files rule text may read (`load`, `use`) when the text comes from
// outside the host (the embedding API with allow_files): paths must stay inside one folder
// after `..` and symlinks are resolved, only regular files are read (a FIFO would block, a
// device never end), and errors about such files never quote their content.
#pragma once
#include <string>

namespace sluice {

// Is `path` inside `root` once `..` and symlinks are resolved? An empty root allows every
// path (the CLI: the user's own files).
bool inside_root(const std::string& root, const std::string& path);

// Why rule text may not read `path` under `root`, or "" when it may: outside the root, or
// not a regular file. A path that does not exist (yet) is allowed here; opening it fails
// later with its own message. An empty root allows every path.
std::string sandbox_problem(const std::string& root, const std::string& path);

}  // namespace sluice
