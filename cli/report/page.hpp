// The HTML of a `sluice report` page: the template (page.html) with the charting library,
// the page's stylesheet and script and the data block inlined, so the file needs nothing
// else to open. A Content-Security-Policy in the page forbids every request (scripts and
// styles run only inline, images only from data: URLs), so a page that tried to reach the
// network would fail visibly in the browser instead of leaking a request.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::report {

// The data block as it is written into the page: compact JSON with every `<` escaped
// (\u003c) so that no text inside it can end the <script> element that holds it.
std::string data_block(const nlohmann::ordered_json& doc);

std::string render_page(const nlohmann::ordered_json& doc);

}  // namespace sluice::report
