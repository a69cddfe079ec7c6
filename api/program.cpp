// The embedding API's programs and sessions: batch runs over the engine's series snapshot,
// streaming sessions over stream_session, and the conversions to the public vocabulary.
#define SLUICE_BUILDING_LIBRARY
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "api/api_internal.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/run/run.hpp"

namespace sluice::api {

const char* version() noexcept { return SLUICE_VERSION_STRING; }

timestamp_ms to_timestamp_ms(date d) {
  // A day outside its month used to roll over silently ({2024, 13, 45} gave 2025-02-14).
  if (!valid_civil(d.year, d.month, d.day))
    throw std::invalid_argument(
        fmt::format("{:04}-{:02}-{:02} is not a calendar date", d.year, d.month, d.day));
  return days_from_civil(d.year, d.month, d.day) * ms_per_day;
}
timestamp to_timestamp(date d) { return to_timestamp_ms(d) / ms_per_second; }

date to_date_ms(timestamp_ms t) noexcept {
  // Floor: times before 1970 belong to the earlier day.
  const civil_date c = civil_from_days(day_number(t));
  return {static_cast<int>(c.year), c.month, c.day};
}
date to_date(timestamp t) noexcept {
  const civil_date c = civil_from_days(floor_div(t, ms_per_day / ms_per_second));
  return {static_cast<int>(c.year), c.month, c.day};
}

// The CLI's form (format_time): date, then hours:minutes, seconds when there are some, and
// milliseconds when there are some: two ticks must not print alike.
std::string format_timestamp_ms(timestamp_ms t) { return sluice::format_time(t); }
std::string format_timestamp(timestamp t) { return sluice::format_time(detail::from_seconds(t)); }

std::optional<timestamp> parse_date(std::string_view iso) {
  const auto t = parse_iso_date(iso);
  return t ? std::optional<timestamp>(*t / ms_per_second) : std::nullopt;
}

const char* to_string(push_status s) noexcept {
  switch (s) {
    case push_status::accepted: return "accepted";
    case push_status::unknown_series: return "unknown series (ignored)";
    case push_status::missing_value: return "missing value (ignored)";
    case push_status::duplicate: return "duplicate time (the first value is kept)";
    case push_status::out_of_order: return "out of order: earlier than the series' previous observation";
    case push_status::late: return "late: dated at or before the session's clock";
    case push_status::invalid_number: return "not a decimal number: rejected";
    case push_status::invalid_value: return "not a finite value: rejected";
    case push_status::no_session: return "no session: it was moved from; nothing was pushed";
    case push_status::pending_full:
      return "too many observations wait for the clock (max_pending): rejected";
  }
  return "?";
}

namespace detail {

sluice::duration to_duration(period p) {
  return {p.kind == period::unit::months ? sluice::duration::unit::months : sluice::duration::unit::days,
          p.count};
}

api::event to_public(const sluice::event& e) {
  api::event out;
  out.time = detail::to_seconds(e.time);
  out.time_ms = e.time;
  out.point = e.index;
  out.rule = e.rule_name;
  out.actions.assign(e.actions.begin(), e.actions.end());
  out.values.reserve(e.values.size());  // one allocation, not 1, 2, 4, ... copies of names
  for (const event_value& v : e.values) out.values.push_back({v.name, v.value, v.text});
  out.messages = e.messages;
  out.rule_index = e.rule;
  return out;
}

api::diagnostic to_public(const sluice::diagnostic& d, std::string_view source) {
  api::diagnostic out;
  out.file = d.file;
  out.line = d.has_pos ? d.pos.line : 0;
  out.column = d.has_pos ? d.pos.column : 0;
  out.is_error = d.level == severity::error;
  out.message = d.message;
  out.note = d.note;
  out.rendered = render(d, source);
  return out;
}

}  // namespace detail

// --- program ---

program::program(std::shared_ptr<const detail::program_impl> impl) : impl_(std::move(impl)) {}

run_result program::run(const run_options& options) const {
  const auto start = std::chrono::steady_clock::now();
  run_result out;
  memory_provider data(impl_->series, impl_->file_root);
  sluice::run_options ro;
  ro.from = detail::from_ms_or_seconds(options.from_ms, options.from);
  ro.to = detail::from_ms_or_seconds(options.to_ms, options.to);
  ro.exact = options.exact;
  ro.time_rules = true;  // a clock read per rule per block of points: see docs/performance.md
  diagnostics diags;
  sluice::run_result r;
  try {
    r = run_batch(*impl_->code, data, ro, diags);
  } catch (const std::bad_alloc&) {
    diags.add({severity::error, "<run>", {}, "out of memory during the run", {}, false});
  }
  for (const sluice::diagnostic& d : diags.items()) out.diagnostics.push_back(detail::to_public(d, {}));
  out.ok = r.ok;
  out.points = r.timeline_points;
  out.host_function_failures =
      detail::name_host_failures(detail::host_function_names(*impl_->code), r.host_failures);
  out.events.reserve(r.events.size());
  for (const sluice::event& e : r.events) out.events.push_back(detail::to_public(e));
  detail::count_rules(*impl_->code, r, out);
  out.evaluation_time = std::chrono::steady_clock::now() - start;
  return out;
}

namespace {

// The staleness a session uses for program series s (docs/embedding.md, "Staleness"):
// the session's option, else the program's (`load ... stale`, or the host's registration),
// else the batch default computed from the series' data as registered (or its CSV file),
// else 7 days (the batch default for any series observed at least every 42 hours).
sluice::duration session_stale(const detail::program_impl& p, std::uint32_t s,
                               const stream_options& options) {
  const series_spec& spec = p.code->series[s];
  for (const auto& [name, period] : options.stale)
    if (name == spec.name) return detail::to_duration(period);
  if (spec.stale) return *spec.stale;
  if (spec.path.empty()) {
    auto found = p.series->find(spec.name);
    if (found != p.series->end()) return default_staleness(*found->second);
  } else {
    csv_provider files;
    files.confine_to(p.file_root);
    observations obs;
    diagnostics ignored;
    if (files.fetch(spec, "", obs, ignored)) return default_staleness(obs);
  }
  return {sluice::duration::unit::days, 7};
}

}  // namespace

session program::stream(event_callback on_event, const stream_options& options) const {
  std::vector<sluice::duration> stale;
  for (std::uint32_t s = 0; s < impl_->code->series.size(); ++s)
    stale.push_back(session_stale(*impl_, s, options));
  auto impl = std::make_unique<detail::session_impl>();
  impl->max_pending = options.max_pending;
  for (const compiled_rule& r : impl_->code->rules) impl->counters.firings.emplace_back(r.name, 0);
  impl->host_function_names = detail::host_function_names(*impl_->code);
  // The impl lives on the heap and outlives its stream_session: the sink may point at it.
  auto sink = [cb = std::move(on_event), counted = impl.get()](const sluice::event& e) {
    if (counted->warming) return;  // a warm start's history: evaluated, not reported
    if (e.rule < counted->counters.firings.size()) ++counted->counters.firings[e.rule].second;
    if (cb) cb(detail::to_public(e));
  };
  impl->stream = std::make_unique<stream_session>(
      impl_->code, std::move(stale), std::move(sink),
      detail::from_ms_or_seconds(options.from_ms, options.from), options.exact);
  if (options.warm_from_registered) detail::warm_from_history(*impl_, *impl, options.exact);
  // After the warm start: its history counts in no counter.
  if (options.time_rules) impl->stream->time_rules();
  return session(std::move(impl));
}

std::vector<std::string> program::rules() const {
  std::vector<std::string> names;
  for (const compiled_rule& r : impl_->code->rules) names.push_back(r.name);
  return names;
}

std::vector<std::string> program::series() const {
  std::vector<std::string> names;
  for (const input_spec& in : impl_->code->inputs) {
    const std::string& base = impl_->code->series[in.series].name;
    std::string name = in.field.empty() ? base : base + "." + in.field;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  }
  return names;
}

std::string program::disassemble() const { return sluice::disassemble(*impl_->code); }

// --- event ids ---
std::string program::event_id(const event& e) const {
  // Two FNV-1a passes from different starting points make 128 bits, so that ids of distinct
  // events do not collide in practice; the text hashed separates its fields by NUL bytes.
  // Hex written with to_chars, as fmt's {:016x} writes it: a watch of frequent firings spent
  // more time formatting ids than evaluating rules.
  auto hex16 = [](std::string& out, std::uint64_t v) {
    char digits[16];
    const auto end = std::to_chars(digits, digits + 16, v, 16).ptr;
    out.append(16 - static_cast<std::size_t>(end - digits), '0').append(digits, end);
  };
  std::string key;
  key.reserve(40 + e.rule.size());
  hex16(key, impl_->text_hash);
  key.append(1, '\0').append(e.rule).append(1, '\0');
  // The time as decimal seconds, `.mmm` added when it is not a whole second: ids of events
  // at whole seconds are those of the releases whose times were seconds.
  key.append(std::to_string(e.time));
  // A host's own event may carry only `time`: time_ms counts when it agrees with it.
  if (detail::to_seconds(e.time_ms) == e.time) {
    if (const std::int64_t ms = e.time_ms - e.time * ms_per_second; ms != 0) {  // 1..999
      const char digits[4] = {'.', static_cast<char>('0' + ms / 100),
                              static_cast<char>('0' + ms / 10 % 10),
                              static_cast<char>('0' + ms % 10)};
      key.append(digits, 4);
    }
  }
  const std::uint64_t a = detail::fnv1a(key);
  const std::uint64_t b = detail::fnv1a(key, a ^ 0x9e3779b97f4a7c15ull);
  std::string id;
  id.reserve(32);
  hex16(id, a);
  hex16(id, b);
  return id;
}

std::optional<program::series_file> program::loaded_file(std::string_view series) const {
  const std::size_t dot = series.find('.');
  const std::string_view base = series.substr(0, dot);
  for (const input_spec& in : impl_->code->inputs) {
    const series_spec& spec = impl_->code->series[in.series];
    if (spec.name != base || spec.path.empty()) continue;
    if ((dot == std::string_view::npos) != in.field.empty()) continue;
    if (dot != std::string_view::npos && in.field != series.substr(dot + 1)) continue;
    return series_file{spec.path, in.field.empty() ? spec.column : in.field};
  }
  return std::nullopt;
}
// --- end event ids ---

// --- session ---

session::session(std::unique_ptr<detail::session_impl> impl) : impl_(std::move(impl)) {}
session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;
session::~session() = default;

// A moved-from session has no state: using it is a host bug, reported, never a crash.
detail::session_impl& session::live() const {
  if (!impl_ || !impl_->stream)
    throw std::logic_error("sluice::session: used after it was moved from");
  return *impl_;
}

push_status session::push_ms(std::string_view series, timestamp_ms t, double value) {
  if (!impl_ || !impl_->stream) return push_status::no_session;
  const std::string name = lower(series);
  return impl_->counted_push(
      t, [&] { return static_cast<push_status>(impl_->stream->push(name, t, value)); });
}
push_status session::push(std::string_view series, timestamp t, double value) {
  return push_ms(series, detail::from_seconds(t), value);
}

push_status session::push_decimal_ms(std::string_view series, timestamp_ms t,
                                     std::string_view text) {
  if (!impl_ || !impl_->stream) return push_status::no_session;
  const std::string name = lower(series);
  return impl_->counted_push(
      t, [&] { return static_cast<push_status>(impl_->stream->push_decimal(name, t, text)); });
}
push_status session::push_decimal(std::string_view series, timestamp t, std::string_view text) {
  return push_decimal_ms(series, detail::from_seconds(t), text);
}

std::size_t session::advance_to_ms(timestamp_ms t) {
  detail::session_impl& s = live();
  return s.timed([&] { return s.stream->advance_to(t); });
}
std::size_t session::advance_to(timestamp t) { return advance_to_ms(detail::from_seconds(t)); }
std::size_t session::finish() {
  detail::session_impl& s = live();
  return s.timed([&] { return s.stream->finish(); });
}
session_counters session::counters() const {
  session_counters c = live().counters;
  c.pending = live().pending.size();
  c.host_function_failures =
      detail::name_host_failures(live().host_function_names, live().stream->host_failures());
  c.rule_evaluation_time = detail::name_rule_times(c.firings, live().stream->rule_nanoseconds());
  return c;
}
std::optional<timestamp_ms> session::clock_ms() const { return live().stream->clock(); }
std::optional<timestamp> session::clock() const {
  const auto t = clock_ms();
  return t ? std::optional<timestamp>(detail::to_seconds(*t)) : std::nullopt;
}
std::size_t session::points() const { return live().stream->points(); }
std::size_t session::state_bytes() const { return live().stream->state_bytes(); }
std::size_t session::retained_observations() const { return live().stream->retained_observations(); }
std::vector<std::string> session::series() const { return live().stream->columns(); }

const program& compile_result::value() const {
  if (!program_)
    throw std::logic_error("sluice::compile_result::value(): the compile failed; check ok() first");
  return *program_;
}

}  // namespace sluice::api
