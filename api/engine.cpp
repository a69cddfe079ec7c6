// The embedding API's engine: registration of host series and functions (validated at the
// boundary), and compile() with the limits for untrusted text. Programs: program.cpp.
#define SLUICE_BUILDING_LIBRARY
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "api/api_internal.hpp"
#include "api/engine_limits.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/compile/builtins.hpp"
#include "interpreter/compile/state_estimate.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/run/run.hpp"

namespace sluice::api {

namespace {

// Host functions take at most this many arguments: a bound on the per-call buffer.
constexpr unsigned max_host_arity = 64;

// A Sluice name: a letter, then letters, digits or `_`.
bool is_identifier(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// "btc" or "btc.volume".
bool is_column_name(std::string_view s) {
  const auto dot = s.find('.');
  if (dot == std::string_view::npos) return is_identifier(s);
  return is_identifier(s.substr(0, dot)) && is_identifier(s.substr(dot + 1));
}

status fail(std::string message) { return {false, std::move(message)}; }

}  // namespace

engine::engine(engine_options options) : impl_(std::make_unique<detail::engine_impl>()) {
  impl_->options = std::move(options);
}
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;
engine::~engine() = default;

const engine_options& engine::options() const { return impl_->options; }

namespace {

__extension__ typedef __int128 wide;  // t * 1000 for any int64 t

// Times counted in units of 1/PerSecond of a second, converted to Sluice's milliseconds.
// Units finer than a millisecond divide (by a multiplication when the divisor is known at
// compile time: a run-time one costs a division per observation); coarser ones multiply.
template <std::int64_t PerSecond>
struct fixed_unit {
  static constexpr std::int64_t per_second() { return PerSecond; }
};
struct any_unit {
  std::int64_t n;
  std::int64_t per_second() const { return n; }
};

// The first time that does not convert exactly to milliseconds (a fraction of a millisecond,
// or beyond int64 milliseconds), as a refusal naming its index and date; the fast loops only
// know that there is one.
status refuse_time(std::string_view name, std::span<const std::int64_t> times,
                   std::int64_t per_second) {
  for (std::size_t i = 0; i < times.size(); ++i) {
    const wide scaled = static_cast<wide>(times[i]) * ms_per_second;  // in 1/per_second ms
    wide ms = scaled / per_second;
    if (scaled % per_second < 0) --ms;  // the millisecond it lies in, before 1970 too
    if (ms > std::numeric_limits<time_point>::max() || ms < std::numeric_limits<time_point>::min())
      return fail(
          fmt::format("series '{}': the time at index {} ({} s since 1970) is beyond "
                      "+-292 million years",
                      name, i, static_cast<double>(times[i]) / static_cast<double>(per_second)));
    const wide rest = scaled - ms * per_second;
    if (rest != 0)  // never rounded: two ticks would become one
      return fail(fmt::format(
          "series '{}': the time at index {} ({} + {:g} s) has a fraction of a millisecond; "
          "Sluice's times are milliseconds",
          name, i, format_time(static_cast<time_point>(ms)),
          static_cast<double>(rest) / static_cast<double>(per_second) / ms_per_second));
  }
  return fail(fmt::format("series '{}': a time does not convert to milliseconds", name));
}

// What one pass over the observations found: every time converted exactly, the converted
// times strictly ascending, every value finite (no NaN: the series is copied as it is).
struct pass_result {
  bool exact = true;
  bool ascending = true;
  bool finite = true;
};

// A value that is NaN or infinite: all exponent bits set (one mask and compare, no branch).
inline bool not_finite(double v) {
  constexpr std::uint64_t exponent = 0x7ff0'0000'0000'0000ull;
  return (std::bit_cast<std::uint64_t>(v) & exponent) == exponent;
}

// Converts every time to milliseconds into `out` (sized like `in`) and checks, in the same
// pass, the order of the converted times and the values. One straight loop per unit kind,
// without early exits or calls: remainders, range checks, order and finiteness are OR-ed
// together, so the compiler keeps it tight (about ten instructions per observation for
// nanoseconds: a division by a constant is a multiplication).
template <class Unit>
pass_result to_milliseconds(std::span<const std::int64_t> in, std::span<const double> values,
                            time_point* out, Unit unit) {
  const std::int64_t per_second = unit.per_second();
  const std::size_t n = in.size();
  std::int64_t rest = 0;
  bool outside = false, disorder = false, bad_value = false;
  time_point previous = std::numeric_limits<time_point>::min();
  if (per_second == ms_per_second) {
    for (std::size_t i = 0; i < n; ++i) {
      disorder |= in[i] <= previous;
      previous = in[i];
      out[i] = in[i];
      bad_value |= not_finite(values[i]);
    }
  } else if (per_second > ms_per_second && per_second % ms_per_second == 0) {  // us, ns, ...
    const std::int64_t divisor = per_second / ms_per_second;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t q = in[i] / divisor;
      rest |= in[i] - q * divisor;
      disorder |= q <= previous;
      previous = q;
      out[i] = q;
      bad_value |= not_finite(values[i]);
    }
  } else if (ms_per_second % per_second == 0) {  // seconds, tenths, ...
    const std::int64_t factor = ms_per_second / per_second;
    const std::int64_t limit = std::numeric_limits<time_point>::max() / factor;
    for (std::size_t i = 0; i < n; ++i) {
      outside |= (in[i] > limit) | (in[i] < -limit);
      // Multiplied as unsigned: a time outside the range wraps (and is refused through
      // `outside`) instead of overflowing a signed multiply, which is undefined.
      const time_point t = static_cast<time_point>(static_cast<std::uint64_t>(in[i]) *
                                                   static_cast<std::uint64_t>(factor));
      disorder |= t <= previous;
      previous = t;
      out[i] = t;
      bad_value |= not_finite(values[i]);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {  // anything else (60ths of a second): exact or refused
      const wide ms = static_cast<wide>(in[i]) * ms_per_second;
      const wide q = ms / per_second;
      if (q * per_second != ms || q > std::numeric_limits<time_point>::max() ||
          q < std::numeric_limits<time_point>::min())
        return {false, false, false};
      out[i] = static_cast<time_point>(q);
      disorder |= out[i] <= previous;
      previous = out[i];
      bad_value |= not_finite(values[i]);
    }
  }
  // The first time may be INT64_MIN itself: `<= previous` then flagged it; that rare case
  // takes the per-observation path, which compares only kept neighbours.
  return {rest == 0 && !outside, !disorder, !bad_value};
}

// add_series, add_series_ms and add_series_units: the observations checked and copied into
// the engine's own storage, each time converted to milliseconds on the way (no converted
// copy first). The usual series (every value finite) is copied by straight loops; NaN values
// (no observation) and the errors take the per-observation path.
template <class Unit>
status add_observations(detail::engine_impl& impl, std::string_view name_text,
                        std::span<const std::int64_t> times, Unit unit,
                        std::span<const double> values, const series_options& options) {
  const std::string name = lower(name_text);
  if (!is_column_name(name))
    return fail(fmt::format("'{}' is not a series name (letters, digits and _, starting with a "
                            "letter; 'name.field' for a field)", name_text));
  if (times.size() != values.size())
    return fail(fmt::format("series '{}': {} times but {} values", name, times.size(), values.size()));
  for (const std::optional<period>& p : {options.lag, options.stale})
    if (p && p->count < 0) return fail(fmt::format("series '{}': a negative lag or staleness", name));
  auto obs = std::make_shared<observations>();
  const std::size_t n = times.size();
  obs->times.resize(n);
  const pass_result pass = to_milliseconds(times, values, obs->times.data(), unit);
  if (!pass.exact) return refuse_time(name, times, unit.per_second());
  if (pass.finite && pass.ascending) {
    obs->values.assign(values.begin(), values.end());
  } else {
    // Compacts in place: kept observations move down over the NaN ones (k <= i).
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const time_point t = obs->times[i];
      if (std::isnan(values[i])) continue;  // no observation, like an empty CSV cell
      if (!std::isfinite(values[i]))        // the CSV loader refuses these too
        return fail(fmt::format("series '{}': the value at index {} ({}) is not finite", name, i,
                                format_time(t)));
      if (k > 0 && t <= obs->times[k - 1])
        return fail(
            fmt::format("series '{}': times must be strictly ascending (index {}: {} after {})",
                        name, i, format_time(t), format_time(obs->times[k - 1])));
      obs->times[k++] = t;
      obs->values.push_back(values[i]);
    }
    obs->times.resize(k);
  }
  impl.series[name] = std::move(obs);

  const std::string series = name.substr(0, name.find('.'));
  host_series h{series, "", "", {}, {}};
  if (options.lag) h.lag = detail::to_duration(*options.lag);
  if (options.stale) h.stale = detail::to_duration(*options.stale);
  auto& regs = impl.registrations;
  auto found = std::find_if(regs.begin(), regs.end(), [&](const host_series& r) { return r.name == series; });
  if (found == regs.end()) {
    regs.push_back(h);
  } else if (series == name) {
    *found = h;  // the series' own column decides its lag and staleness
  }
  return {};
}

}  // namespace

status engine::add_series(std::string_view name, std::span<const timestamp> times,
                          std::span<const double> values, const series_options& options) {
  return add_observations(*impl_, name, times, fixed_unit<1>{}, values, options);
}

status engine::add_series_ms(std::string_view name, std::span<const timestamp_ms> times,
                             std::span<const double> values, const series_options& options) {
  return add_observations(*impl_, name, times, fixed_unit<ms_per_second>{}, values, options);
}

status engine::add_series_csv(std::string_view name, const std::string& path,
                              std::string_view column, const series_options& options) {
  std::string error;
  const std::optional<series_data> data = read_csv(path, column, &error);
  if (!data) return fail(error);
  return add_series_ms(name, data->times_ms, data->values, options);
}

std::optional<series_data> read_csv(const std::string& path, std::string_view column,
                                    std::string* error) {
  return read_csv(path, column, error, nullptr);  // api/insight.cpp
}

status engine::add_function(std::string_view name_text, unsigned arity, host_function fn,
                            std::optional<std::int64_t> window_bars) {
  const std::string name = lower(name_text);
  if (!is_identifier(name)) return fail(fmt::format("'{}' is not a function name", name_text));
  const auto builtins = builtin_names();
  if (std::find(builtins.begin(), builtins.end(), name) != builtins.end())
    return fail(fmt::format("'{}' is a builtin function", name));
  if (arity > max_host_arity)
    return fail(fmt::format("function '{}': more than {} arguments", name, max_host_arity));
  if (!fn) return fail(fmt::format("function '{}': no callable given", name));
  if (window_bars && (*window_bars < 1 || *window_bars > impl_->options.max_window_bars))
    return fail(fmt::format("function '{}': window must be 1 to {} bars", name,
                            impl_->options.max_window_bars));
  sluice::host_function f{name, arity, window_bars.value_or(0), std::move(fn)};
  auto& fs = impl_->functions;
  auto found = std::find_if(fs.begin(), fs.end(), [&](const auto& g) { return g.name == name; });
  if (found == fs.end())
    fs.push_back(std::move(f));
  else
    *found = std::move(f);
  return {};
}

compile_result engine::compile(std::string_view source, std::string_view name) const {
  compile_result result;
  const engine_options& opt = impl_->options;
  const std::string source_name(name.empty() ? "<rules>" : name);
  auto refuse = [&](std::string message) {
    sluice::diagnostic d;
    d.file = source_name;
    d.message = std::move(message);
    d.has_pos = false;
    result.diagnostics_.push_back(detail::to_public(d, ""));
    return result;
  };
  if (source.size() > opt.max_source_bytes)
    return refuse(fmt::format("the rule text is {} bytes, over the limit of {}", source.size(),
                              opt.max_source_bytes));

  compile_options co;
  co.host = impl_->registrations;
  co.functions = impl_->functions;
  co.allow_files = opt.allow_files;
  // Files allowed with no root: the current directory, as sluice.h documents (never "all").
  std::string root;
  if (opt.allow_files) {
    std::error_code ec;
    root = opt.root_dir.empty() ? std::filesystem::current_path(ec).string()
                                : std::filesystem::absolute(opt.root_dir, ec).string();
    if (ec || root.empty())
      return refuse(fmt::format("file access is allowed, but its folder '{}' cannot be resolved: {}",
                                opt.root_dir, ec.message()));
  }
  co.base_dir = root;
  co.file_root = root;
  co.limits = detail::limits_of(opt);
  if (opt.max_compile_time.count() > 0)
    co.deadline = std::chrono::steady_clock::now() + opt.max_compile_time;
  co.cancel = opt.cancel;

  diagnostics diags;
  std::shared_ptr<const sluice::program> code;
  try {
    code = compile_source(source_name, std::string(source), co, diags);
  } catch (const std::bad_alloc&) {
    return refuse("out of memory while compiling the rule text");
  }
  std::map<std::string, std::string> used_texts;  // quote_file_errors: the used files' text
  for (const sluice::diagnostic& d : diags.items()) {
    const bool used_file = d.file != source_name && !d.file.starts_with("<");
    std::string_view text = d.file == source_name ? source : std::string_view();
    if (opt.allow_files && opt.quote_file_errors && used_file) {
      auto [at, fresh] = used_texts.try_emplace(d.file);
      if (fresh) {
        std::ifstream in(d.file, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (content.size() <= opt.max_source_bytes) at->second = std::move(content);
      }
      text = at->second;
    }
    api::diagnostic out = detail::to_public(d, text);
    // A problem inside a file the rule text used: its position, never its text (the message
    // may quote the file), so `use` cannot be used to read files the author may not see.
    if (opt.allow_files && !opt.quote_file_errors && used_file) {
      sluice::diagnostic hidden = d;
      hidden.message = "the used file has an error here";
      hidden.note = "its content is not shown: files read by rule text stay private";
      out = detail::to_public(hidden, "");
    }
    result.diagnostics_.push_back(std::move(out));
  }
  if (!code) return result;
  // Registers are counted for one block of the length batch runs will use.
  const std::size_t need = estimate_state_bytes(*code, block_size_for(*code));
  if (need > opt.max_state_bytes)
    return refuse(fmt::format("the rules need about {} KiB of run state (windows and registers), "
                              "over the limit of {} KiB", need / 1024, opt.max_state_bytes / 1024));

  auto impl = std::make_shared<detail::program_impl>();
  impl->code = std::move(code);
  impl->series = std::make_shared<const series_table>(impl_->series);
  impl->text_hash = detail::fnv1a(source);
  impl->file_root = root;
  result.program_.emplace(program(std::move(impl)));
  return result;
}

std::string compile_result::rendered() const {
  std::string out;
  for (const diagnostic& d : diagnostics_) out += d.rendered;
  return out;
}

// ---- times in integer units (the Python package's datetime64[ns]; docs/python.md) ----
status engine::add_series_units(std::string_view name, std::span<const std::int64_t> times,
                                std::int64_t units_per_second, std::span<const double> values,
                                const series_options& options) {
  switch (units_per_second) {  // the usual units divide by a multiplication
    case 1:
      return add_observations(*impl_, name, times, fixed_unit<1>{}, values, options);
    case 1'000:
      return add_observations(*impl_, name, times, fixed_unit<1'000>{}, values, options);
    case 1'000'000:
      return add_observations(*impl_, name, times, fixed_unit<1'000'000>{}, values, options);
    case 1'000'000'000:
      return add_observations(*impl_, name, times, fixed_unit<1'000'000'000>{}, values, options);
    default:
      break;
  }
  if (units_per_second < 1)
    return fail(fmt::format("series '{}': units_per_second must be at least 1, not {}", name,
                            units_per_second));
  return add_observations(*impl_, name, times, any_unit{units_per_second}, values, options);
}
// ---- end of times in integer units ----

}  // namespace sluice::api
