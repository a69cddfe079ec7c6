// Filling the page template (see page.hpp).
#include "cli/report/page.hpp"

#include <cctype>
#include <stdexcept>
#include <string_view>

#include "interpreter/ascii.hpp"

namespace sluice::report_assets {
extern const std::string_view chart_js, chart_css, chart_license, page_html, page_css, page_js,
    chart_name;
}

namespace sluice::report {

std::string data_block(const nlohmann::ordered_json& doc) {
  const std::string text = doc.dump();
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    if (c == '<') out += "\\u003c";  // '<' only occurs inside JSON strings
    else out += c;
  }
  return out;
}

namespace {

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Text inlined into a <script> or <style> element must not close it early.
std::string_view inline_safe(std::string_view text, std::string_view closing, const char* what) {
  if (sluice::lower(text).find(closing) != std::string::npos)
    throw std::runtime_error(std::string(what) + " contains " + std::string(closing) +
                             " and cannot be inlined");
  return text;
}

}  // namespace

std::string render_page(const nlohmann::ordered_json& doc) {
  using namespace report_assets;
  std::string page(page_html);
  std::string license(chart_license);
  for (auto at = license.find("--"); at != std::string::npos; at = license.find("--"))
    license.replace(at, 2, "- -");  // keeps the HTML comment well formed
  const std::string title = "Sluice report: " + doc.value("rule_file", std::string());
  std::string out;
  out.reserve(page.size() + chart_js.size() + (1 << 20));
  // Filled in order of appearance, each once; inserted text is never searched again.
  auto next = [&](std::string_view key, std::string_view value) {
    const auto at = page.find(key);
    if (at == std::string::npos) throw std::runtime_error("page template lacks " + std::string(key));
    out.append(page, 0, at);
    out.append(value);
    page.erase(0, at + key.size());
  };
  next("@TITLE@", escape_html(title));
  next("@CHART_NAME@", chart_name);
  next("@CHART_LICENSE@", license);
  next("@CHART_CSS@", inline_safe(chart_css, "</style", "the chart stylesheet"));
  next("@PAGE_CSS@", inline_safe(page_css, "</style", "the page stylesheet"));
  next("@DATA@", data_block(doc));
  next("@CHART_JS@", inline_safe(chart_js, "</script", "the chart library"));
  next("@PAGE_JS@", inline_safe(page_js, "</script", "the page script"));
  out += page;
  return out;
}

}  // namespace sluice::report
