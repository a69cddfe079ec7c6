// Confinement of rule text's file access (see file_sandbox.hpp).
#include "interpreter/data/file_sandbox.hpp"

#include <filesystem>

namespace sluice {

bool inside_root(const std::string& root, const std::string& path) {
  if (root.empty()) return true;
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(root, ec);
  if (ec) return false;
  // Relative paths are relative to the current directory, as the file will be opened.
  const auto full = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) return false;
  const auto rel = full.lexically_relative(base);
  return !rel.empty() && *rel.begin() != "..";
}

std::string sandbox_problem(const std::string& root, const std::string& path) {
  if (root.empty()) return {};
  if (!inside_root(root, path)) return "outside the allowed folder";
  std::error_code ec;
  // status() follows symlinks: what counts is the file that would be opened.
  const auto st = std::filesystem::status(path, ec);
  if (ec || st.type() == std::filesystem::file_type::not_found) return {};
  if (st.type() != std::filesystem::file_type::regular) return "not a regular file";
  return {};
}

}  // namespace sluice
