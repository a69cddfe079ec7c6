// The data folder's manifest as JSON (see manifest.hpp).
#include "cli/fetch/manifest.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/fetch/series_file.hpp"

namespace sluice::fetch {

std::optional<data_manifest> read_manifest(const std::string& dir, std::string& error) {
  const auto path = std::filesystem::path(dir) / manifest_file_name;
  data_manifest m;
  std::ifstream in(path, std::ios::binary);
  if (!in) return m;
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("{}: not JSON ({})", path.string(), e.what());
    return std::nullopt;
  }
  if (!json.is_object() || json.value("version", 0) != 1 || !json.contains("series") ||
      !json["series"].is_object()) {
    error = fmt::format("{}: not a version 1 Sluice data manifest", path.string());
    return std::nullopt;
  }
  for (const auto& [name, e] : json["series"].items()) {
    if (!e.is_object()) {
      error = fmt::format("{}: series '{}' is not an object", path.string(), name);
      return std::nullopt;
    }
    manifest_entry entry;
    entry.name = name;
    try {
      entry.file = e.value("file", name + ".csv");
      entry.source = e.value("source", "");
      entry.url = e.value("url", "");
      entry.fetched_at = e.value("fetched_at", "");
      entry.first = e.value("first", "");
      entry.last = e.value("last", "");
      entry.rows = e.value("rows", std::size_t{0});
      entry.sha256 = e.value("sha256", "");
      entry.units = e.value("units", "");
      entry.frequency = e.value("frequency", "");
      entry.publication_lag = e.value("publication_lag", "");
      entry.title = e.value("title", "");
    } catch (const nlohmann::json::exception& ex) {
      error = fmt::format("{}: series '{}': {}", path.string(), name, ex.what());
      return std::nullopt;
    }
    m.series.push_back(std::move(entry));
  }
  std::sort(m.series.begin(), m.series.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return m;
}

bool write_manifest(const std::string& dir, const data_manifest& manifest, std::string& error) {
  nlohmann::ordered_json series = nlohmann::ordered_json::object();
  for (const manifest_entry& e : manifest.series) {
    series[e.name] = {{"file", e.file},
                      {"source", e.source},
                      {"url", e.url},
                      {"fetched_at", e.fetched_at},
                      {"first", e.first},
                      {"last", e.last},
                      {"rows", e.rows},
                      {"sha256", e.sha256},
                      {"units", e.units},
                      {"frequency", e.frequency},
                      {"publication_lag", e.publication_lag},
                      {"title", e.title}};
  }
  const nlohmann::ordered_json json = {{"version", 1}, {"series", series}};
  return write_atomically((std::filesystem::path(dir) / manifest_file_name).string(),
                          json.dump(2) + "\n", error);
}

void upsert(data_manifest& manifest, manifest_entry entry) {
  auto it = std::find_if(manifest.series.begin(), manifest.series.end(),
                         [&](const auto& e) { return e.name == entry.name; });
  if (it != manifest.series.end()) *it = std::move(entry);
  else manifest.series.push_back(std::move(entry));
  std::sort(manifest.series.begin(), manifest.series.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
}

}  // namespace sluice::fetch
