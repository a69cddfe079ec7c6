// Helpers shared by the golden-file tests: reading files, running a rule file with a
// data folder, and collecting `# expect:` lines.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"

namespace sluice::testing {

std::string read_text(const std::filesystem::path& path);

// Every CSV in `dir` as a host series named by its stem.
std::vector<host_series> data_folder(const std::filesystem::path& dir);

// All files under `root` with the extension, sorted.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& root,
                                               const std::string& extension);

// "2024-01-06 rule name" lines from `# expect: ...` comments ("none" gives no lines).
std::vector<std::string> expected_events(const std::string& source);

// Event lines sorted and joined, so that two sets compare (and print) as one text.
std::string sorted_lines(std::vector<std::string> lines);

struct golden_run {
  std::string diagnostics;          // rendered, without colour
  std::vector<std::string> events;  // "date rule name", in firing order
  bool ok = false;
};

// A temporary folder, removed at the end of the test. series() writes a CSV of cells on
// consecutive days from 2024-01-01 into `data` (the folder itself, or a subfolder of it);
// write() puts any other file in the folder.
struct scratch_folder {
  std::filesystem::path dir, data;
  explicit scratch_folder(const std::string& data_subfolder = "");
  ~scratch_folder();
  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;
  void series(const std::string& name, const std::vector<std::string>& values) const;
  void write(const std::string& relative_path, const std::string& text) const;
};

golden_run run_file(const std::filesystem::path& file, const std::vector<host_series>& host,
                    const run_options& options = {});

}  // namespace sluice::testing
