// The providers behind `sluice fetch`: each turns a spec (and the date to start from,
// for an incremental fetch) into dated values, or an error in words. One file each:
// fred.cpp, yahoo.cpp, coingecko.cpp, file_source.cpp.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/fetch/http.hpp"
#include "cli/fetch/spec.hpp"
#include "interpreter/time.hpp"

namespace sluice::fetch {

struct observation {
  time_point date = 0;  // midnight UTC of the observation's date
  std::string value;    // decimal text as the provider gave it; "" when it has none
};

struct download {
  bool ok = false;
  std::string error;                 // why not, when !ok
  std::string url;                   // what was asked, secrets removed (for messages and the manifest)
  std::string column;                // the value column's header in the saved file
  std::vector<observation> rows;     // ascending dates, one per date
  std::optional<std::string> raw_csv;  // file: the body itself, saved as it came
  std::vector<std::string> notes;    // things the user should know (rows left out, ...)
};

struct fetch_context {
  std::optional<time_point> since;   // ask only for dates from here (incremental)
  time_point now = 0;
  long timeout_seconds = 60;
  int retries = 3;
  long backoff_ms = 1000;
  std::function<void(const std::string&)> log;
};

download fetch_fred(const series_spec& spec, const fetch_context& ctx);
download fetch_yahoo(const series_spec& spec, const fetch_context& ctx);
download fetch_coingecko(const series_spec& spec, const fetch_context& ctx);
download fetch_file(const series_spec& spec, const fetch_context& ctx);

// Shared by the providers ----------------------------------------------------------

// $env_name when set and not empty (without a trailing `/`), else `fallback`.
std::string base_url(const char* env_name, const char* fallback);
// GET with the context's timeout and retry policy.
http_result get(const fetch_context& ctx, std::string url, std::vector<std::string> headers = {});
// "HTTP 404 from URL: <first line of the body>" for a failed request.
std::string failure_message(const http_result& r, const std::string& shown_url);
// When `body` is an HTML page (a login wall, an error page served with status 200),
// a sentence saying so; else "".
std::string html_instead_of(const std::string& body, const std::string& expected);
// Midnight UTC of the day `t` falls in.
time_point day_of(time_point t);
// A JSON number as the shortest decimal text that reads back as the same double.
std::string number_text(double v);

}  // namespace sluice::fetch
