// Golden-file test helpers (see golden_support.hpp).
#include "support/golden_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace sluice::testing {

scratch_folder::scratch_folder(const std::string& data_subfolder) {
  static int counter = 0;
  dir = std::filesystem::temp_directory_path() /
        fmt::format("sluice_scratch_{}_{}", ::getpid(), counter++);
  data = data_subfolder.empty() ? dir : dir / data_subfolder;
  std::filesystem::create_directories(data);
}

scratch_folder::~scratch_folder() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void scratch_folder::series(const std::string& name, const std::vector<std::string>& values) const {
  std::ofstream out(data / (name + ".csv"));
  out << "date,value\n";
  for (std::size_t i = 0; i < values.size(); ++i)
    out << fmt::format("2024-01-{:02},{}\n", i + 1, values[i]);
}

void scratch_folder::write(const std::string& relative_path, const std::string& text) const {
  std::ofstream(dir / relative_path) << text;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<host_series> data_folder(const std::filesystem::path& dir) {
  std::vector<host_series> host;
  for (const auto& f : files_under(dir, ".csv")) host.push_back({f.stem().string(), f.string(), ""});
  return host;
}

std::vector<std::filesystem::path> files_under(const std::filesystem::path& root,
                                               const std::string& extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == extension) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> expected_events(const std::string& source) {
  std::vector<std::string> out;
  std::istringstream in(source);
  std::string line;
  const std::string tag = "# expect: ";
  while (std::getline(in, line)) {
    const auto at = line.find(tag);
    if (at == std::string::npos) continue;
    std::string rest = line.substr(at + tag.size());
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.pop_back();
    if (rest != "none") out.push_back(rest);
  }
  return out;
}

golden_run run_file(const std::filesystem::path& file, const std::vector<host_series>& host,
                    const run_options& options) {
  golden_run result;
  const std::string source = read_text(file);
  compile_options copts;
  copts.host = host;
  copts.base_dir = file.parent_path().string();
  diagnostics diags;
  auto program = compile_source(file.filename().string(), source, copts, diags);
  if (program) {
    csv_provider data;
    run_result r = run_batch(*program, data, options, diags);
    result.ok = r.ok;
    for (const event& e : r.events) result.events.push_back(format_time(e.time) + " " + e.rule_name);
  }
  for (const diagnostic& d : diags.items()) result.diagnostics += render(d, source, false);
  return result;
}

std::string sorted_lines(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return fmt::format("{}", fmt::join(lines, "\n"));
}

}  // namespace sluice::testing
