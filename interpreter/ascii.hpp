// ASCII case folding, the one copy: names, keywords, units, missing-value tokens and header
// names compare without case. Only A-Z fold (no locale: `std::tolower` would depend on the
// host program's locale, and rule text must mean the same in every host).
#pragma once
#include <string>
#include <string_view>

namespace sluice {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

constexpr bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace sluice
