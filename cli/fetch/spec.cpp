// Parsing fetch specs and naming the files they are saved in (see spec.hpp).
#include "cli/fetch/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "interpreter/ascii.hpp"
#include "interpreter/time.hpp"

namespace sluice::fetch {
namespace {

bool same_ascii(std::string_view a, std::string_view b) { return equals_ignoring_case(a, b); }

std::string to_stem(std::string_view id) {
  std::string out;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? lower(c) : '_';
  }
  // `^RUT` -> `_rut` reads badly as a file name; leading underscores go.
  const auto first = out.find_first_not_of('_');
  return first == std::string::npos ? out : out.substr(first);
}

}  // namespace

std::string_view provider_name(provider p) {
  switch (p) {
    case provider::fred: return "fred";
    case provider::yahoo: return "yahoo";
    case provider::coingecko: return "coingecko";
    case provider::file: return "file";
  }
  return "?";
}

std::optional<series_spec> parse_spec(std::string_view text, std::string& error) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    error = fmt::format("'{}' is not a series spec: write PROVIDER:ID, e.g. fred:WTREGEN, "
                        "yahoo:^RUT, coingecko:ethereum or file:https://host/data.csv", text);
    return std::nullopt;
  }
  series_spec spec;
  spec.text = std::string(text);
  const std::string_view prefix = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  if (same_ascii(prefix, "fred")) spec.source = provider::fred;
  else if (same_ascii(prefix, "yahoo")) spec.source = provider::yahoo;
  else if (same_ascii(prefix, "coingecko")) spec.source = provider::coingecko;
  else if (same_ascii(prefix, "file")) spec.source = provider::file;
  else {
    error = fmt::format("unknown provider '{}' in '{}': use fred, yahoo, coingecko or file",
                        prefix, text);
    return std::nullopt;
  }
  if (spec.source == provider::fred) {
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
      const std::string_view date = rest.substr(at + 1);
      if (!parse_iso_date(date)) {
        error = fmt::format("'{}': the vintage after '@' must be a date like 2026-01-08, found '{}'",
                            text, date);
        return std::nullopt;
      }
      spec.vintage = std::string(date);
      rest = rest.substr(0, at);
    }
  }
  if (rest.empty()) {
    error = fmt::format("'{}' names no series after '{}:'", text, prefix);
    return std::nullopt;
  }
  if (spec.source == provider::file) {
    if (!rest.starts_with("http://") && !rest.starts_with("https://")) {
      error = fmt::format("'{}': file: takes an http:// or https:// URL", text);
      return std::nullopt;
    }
  } else {
    // Ids of all three services are short runs of letters, digits and a few marks; a
    // space or slash is a typo, and would change the URL's path.
    for (char c : rest) {
      const auto u = static_cast<unsigned char>(c);
      if (!std::isalnum(u) && c != '^' && c != '-' && c != '_' && c != '.' && c != '=') {
        error = fmt::format("'{}': character '{}' is not allowed in a {} id", text, c, prefix);
        return std::nullopt;
      }
    }
  }
  spec.id = std::string(rest);
  // FRED ids are upper case (its CSV header and the catalogue spell them so); the service
  // accepts any case, so `fred:wtregen` and `fred:WTREGEN` name one file and one column.
  if (spec.source == provider::fred)
    for (char& c : spec.id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // The text recorded in the manifest and messages: the provider in lower case, and for
  // file: the URL without its query, which may carry a key (`?apikey=...`).
  if (spec.source == provider::file) {
    const auto q = spec.id.find('?');
    spec.text = "file:" + (q == std::string::npos ? spec.id : spec.id.substr(0, q) + "?...");
  } else {
    spec.text = fmt::format("{}:{}{}", provider_name(spec.source), spec.id,
                            spec.vintage ? "@" + *spec.vintage : "");
  }
  return spec;
}

const catalog_entry* catalog_row(const series_spec& spec) {
  if (spec.source == provider::file) return nullptr;
  const std::string source = fmt::format("{}:{}", provider_name(spec.source), spec.id);
  for (const catalog_entry& e : series_catalog())
    if (same_ascii(e.source, source)) return &e;
  return nullptr;
}

std::string default_name(const series_spec& spec) {
  if (spec.source == provider::file) {
    std::string_view url = spec.id;
    url = url.substr(0, url.find_first_of("?#"));
    const auto slash = url.find_last_of('/');
    std::string_view last = slash == std::string_view::npos ? url : url.substr(slash + 1);
    if (const auto dot = last.find_last_of('.'); dot != std::string_view::npos && dot > 0)
      last = last.substr(0, dot);
    const std::string stem = to_stem(last);
    return stem.empty() ? "download" : stem;
  }
  const catalog_entry* row = catalog_row(spec);
  std::string name = row ? std::string(row->stem) : to_stem(spec.id);
  if (spec.vintage) {
    name += '_';
    for (char c : *spec.vintage)
      if (c != '-') name += c;
  }
  return name;
}

bool same_source(std::string_view a, std::string_view b) { return same_ascii(a, b); }

bool valid_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace sluice::fetch
