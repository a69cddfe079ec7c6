// The parallel driver (see parallel_run.hpp and docs/performance.md, Universes).
#include "interpreter/run/parallel_run.hpp"

#include <algorithm>
#include <memory>
#include <thread>
#include <type_traits>
#include <unordered_set>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/run/alignment.hpp"
#include "interpreter/run/event_build.hpp"
#include "interpreter/run/universe_plan.hpp"
#include "interpreter/vm/cross_section.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

namespace {

// f(begin, end) over [0, count) cut into `threads` contiguous parts, the first on this
// thread. The parts depend only on count and threads, never on timing.
template <class F>
void parallel_for(unsigned threads, std::size_t count, F f) {
  const std::size_t parts = std::min<std::size_t>(threads, count);
  if (parts <= 1) {
    f(std::size_t{0}, count);
    return;
  }
  std::vector<std::jthread> workers;
  workers.reserve(parts - 1);
  for (std::size_t w = 1; w < parts; ++w)
    workers.emplace_back([&f, w, parts, count] { f(count * w / parts, count * (w + 1) / parts); });
  f(std::size_t{0}, count / parts);
}  // the workers join here

std::size_t parallel_block_size(const universe_plan& plan, std::size_t number_size) {
  std::size_t bytes_per_point = 0;
  for (const member_slice& s : plan.slices)
    bytes_per_point += s.code.num_registers * number_size + s.code.cond_registers;
  for (const xs_step& step : plan.steps) bytes_per_point += step.rows() * number_size;
  constexpr std::size_t budget = std::size_t{256} << 20;
  std::size_t block = 1024;
  while (block > 16 && block * bytes_per_point > budget) block /= 2;
  return block;
}

// Frees a container's memory now (clear() keeps its capacity).
template <class Container>
void release(Container& c) {
  Container().swap(c);
}

// Gives freed heap pages back to the system. A member's series (5,219 daily bars: 41 KB)
// is below glibc's mmap threshold, so thousands of them freed stay in the heap, and count
// in the run's resident memory, until trimmed.
void return_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// A firing of one slice, mapped to its global rule.
struct slice_firing {
  std::size_t index;
  std::uint32_t rule;  // global
  std::uint32_t slice;
  std::uint32_t local_rule;  // in the slice
};

template <class Num>
run_result run_parallel_of(const program& p, series_provider& data, const run_options& options,
                           unsigned threads, diagnostics& diags) {
  using T = number_traits<Num>;
  run_result result;
  run_inputs<Num> in;
  if (!prepare_inputs(p, data, options.to, in, diags)) return result;
  data.fetched_all();  // every input is aligned: the provider may free its copies
  // Once every input is a column on the timeline, the series' own observation times are
  // not read again; when the timeline is a union of them (its own storage), they are freed
  // (one time per observation: 200 MB at 5,000 members of 20 years of daily bars).
  // The same for the values of a series that was aligned into a copy (a member whose
  // observations do not cover the whole timeline): its columns read the copy.
  if (!in.merged_times.empty()) {
    const std::unordered_set<const Num*> read(in.columns.begin(), in.columns.end());
    for (auto& [key, obs] : in.fetched) {
      release(obs.times);
      if (!read.count(obs.values.data())) release(obs.values);
    }
  }
  return_freed_memory();
  const std::span<const time_point> timeline = in.timeline;
  result.timeline_points = timeline.size();
  if (!timeline.empty()) {
    result.first = timeline.front();
    result.last = timeline.back();
  }
  universe_plan plan = plan_universe(p);  // its slices are freed before the events are built
  const std::size_t block =
      options.block_size ? options.block_size : parallel_block_size(plan, sizeof(Num));
  const std::size_t slices = plan.slices.size();

  // One VM per slice, built on the workers (each allocates its own registers).
  std::vector<std::unique_ptr<vm<Num>>> machines(slices);
  parallel_for(threads, slices, [&](std::size_t b, std::size_t e) {
    for (std::size_t s = b; s < e; ++s) {
      machines[s] = std::make_unique<vm<Num>>(plan.slices[s].code, block);
      if (options.from) machines[s]->set_report_from(*options.from);
    }
  });
  // Reduction outputs, one row per rank member (else one row), block points each; a
  // slice's feed inputs point at their row for the whole run.
  std::vector<std::vector<Num>> outputs(plan.steps.size());
  for (std::size_t x = 0; x < plan.steps.size(); ++x)
    outputs[x].assign(plan.steps[x].rows() * block, T::na());
  std::vector<std::vector<const Num*>> slice_inputs(slices);
  std::vector<std::vector<std::vector<reg_index>>> event_regs(slices);
  for (std::size_t s = 0; s < slices; ++s) {
    const member_slice& sl = plan.slices[s];
    slice_inputs[s].resize(sl.inputs.size() + sl.feeds.size());
    for (std::size_t f = 0; f < sl.feeds.size(); ++f)
      slice_inputs[s][sl.inputs.size() + f] =
          outputs[sl.feeds[f].step].data() + sl.feeds[f].row * block;
    for (const compiled_rule& r : sl.code.rules) event_regs[s].push_back(event_registers(r));
  }

  // Watched columns (forward stats), read from the slice that holds each register.
  struct watched_place {
    std::uint32_t slice = 0;
    reg_index reg = 0;
    std::vector<reg_index> components;
  };
  std::vector<watched_place> watched_at;
  if (options.keep_watched) {
    result.timeline.assign(timeline.begin(), timeline.end());
    // The slice that reports each rule holds the registers its watch actions read.
    std::vector<std::uint32_t> owner(p.rules.size(), 0);
    for (std::uint32_t s = 0; s < slices; ++s)
      for (std::size_t r = 0; r < plan.slices[s].rules.size(); ++r)
        if (plan.slices[s].reports[r]) owner[plan.slices[s].rules[r]] = s;
    for (std::size_t r = 0; r < p.rules.size(); ++r)
      for (const compiled_action& a : p.rules[r].actions) {
        if (a.what != action::kind::watch) continue;
        bool seen = false;
        for (const watched_series& w : result.watched) seen = seen || w.name == a.name;
        if (seen) continue;
        watched_series w;
        w.name = a.name;
        w.reg = a.watched;
        w.values.reserve(timeline.size());
        find_basket_components(p, w);
        w.components.assign(w.component_regs.size(), {});
        const member_slice& sl = plan.slices[owner[r]];
        watched_place place;
        place.slice = owner[r];
        place.reg = static_cast<reg_index>(find_local(sl.numbers, w.reg));
        for (reg_index c : w.component_regs)
          place.components.push_back(static_cast<reg_index>(find_local(sl.numbers, c)));
        result.watched.push_back(std::move(w));
        watched_at.push_back(std::move(place));
      }
  }

  struct recorded_firing {  // 24 bytes: the time is read from the timeline when needed
    std::size_t index;
    std::uint32_t rule;
    std::size_t first_value;
  };
  std::vector<recorded_firing> recorded;
  std::vector<Num> snapshot;
  std::vector<std::vector<firing>> fired(slices);
  std::vector<slice_firing> merged;
  std::vector<std::size_t> point_starts, point_next;  // per point of the block: its firings
  const int phases = plan.levels + 1;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    const block_view view{n, timeline.data() + start, static_cast<std::int64_t>(start)};
    for (int level = 0; level < phases; ++level) {
      parallel_for(threads, slices, [&](std::size_t b, std::size_t e) {
        for (std::size_t s = b; s < e; ++s) {
          const member_slice& sl = plan.slices[s];
          if (level == 0) {
            fired[s].clear();
            for (std::size_t k = 0; k < sl.inputs.size(); ++k)
              slice_inputs[s][k] = in.columns[sl.inputs[k]] + start;
          }
          machines[s]->execute(view, slice_inputs[s].data(), fired[s],
                               sl.phase_begin[static_cast<std::size_t>(level)],
                               sl.phase_begin[static_cast<std::size_t>(level) + 1]);
        }
      });
      if (level + 1 == phases) break;
      // The reductions of the next level, each point of the block on one thread.
      parallel_for(threads, n, [&](std::size_t b, std::size_t e) {
        std::vector<const Num*> numbers;
        std::vector<const std::uint8_t*> conditions;
        for (std::size_t x = 0; x < plan.steps.size(); ++x) {
          const xs_step& step = plan.steps[x];
          if (step.level != level + 1) continue;
          numbers.clear();
          conditions.clear();
          for (const auto& [s, reg] : step.operands) {
            if (step.op == opcode::xs_breadth)
              conditions.push_back(machines[s]->condition(reg) + b);
            else
              numbers.push_back(machines[s]->number(reg) + b);
          }
          reduce_cross_section<Num>(step.op, e - b, numbers, conditions, outputs[x].data() + b,
                                    block);
        }
      });
    }
    // Firings of every slice in (point, rule) order, as run_batch lists them: placed by
    // point first (a counting sort), then each point's few sorted by rule. One sort of the
    // whole block's firings was a serial 3% of a 1,000-symbol run.
    point_starts.assign(n + 1, 0);
    for (std::uint32_t s = 0; s < slices; ++s)
      for (const firing& f : fired[s])
        if (plan.slices[s].reports[f.rule]) ++point_starts[f.index + 1];
    for (std::size_t i = 0; i < n; ++i) point_starts[i + 1] += point_starts[i];
    merged.resize(point_starts[n]);
    point_next.assign(point_starts.begin(), point_starts.end() - 1);
    for (std::uint32_t s = 0; s < slices; ++s)
      for (const firing& f : fired[s])
        if (plan.slices[s].reports[f.rule])
          merged[point_next[f.index]++] = {f.index, plan.slices[s].rules[f.rule], s, f.rule};
    for (std::size_t i = 0; i < n; ++i)
      std::sort(merged.begin() + static_cast<std::ptrdiff_t>(point_starts[i]),
                merged.begin() + static_cast<std::ptrdiff_t>(point_starts[i + 1]),
                [](const slice_firing& a, const slice_firing& b) { return a.rule < b.rule; });
    for (const slice_firing& f : merged) {
      recorded.push_back({start + f.index, f.rule, snapshot.size()});
      for (reg_index r : event_regs[f.slice][f.local_rule])
        snapshot.push_back(machines[f.slice]->number(r)[f.index]);
    }
    for (std::size_t w = 0; w < watched_at.size(); ++w) {
      const vm<Num>& m = *machines[watched_at[w].slice];
      const Num* column = m.number(watched_at[w].reg);
      for (std::size_t i = 0; i < n; ++i)
        result.watched[w].values.push_back(T::to_double(column[i]));
      for (std::size_t j = 0; j < watched_at[w].components.size(); ++j) {
        const Num* part = m.number(watched_at[w].components[j]);
        for (std::size_t i = 0; i < n; ++i)
          result.watched[w].components[j].push_back(T::to_double(part[i]));
      }
    }
  }
  // The members' VMs (window state and registers), the reduction outputs and the plan are
  // not needed for the events: freed first, so that they do not add to the run's peak
  // memory while the events are built (at 5,000 members, hundreds of MB).
  release(machines);
  release(outputs);
  release(slice_inputs);
  release(event_regs);
  release(fired);
  release(plan.slices);
  // So are the aligned inputs (one column per member: 200 MB at 5,000 members of 20 years
  // of daily bars); the events read only the timeline's times, kept here (a few thousand).
  const std::vector<time_point> times(timeline.begin(), timeline.end());
  release(in.aligned);
  release(in.columns);
  in.fetched.clear();
  in.timeline = {};
  release(in.merged_times);
  return_freed_memory();
  // Events as run_batch builds them: one value store, each rule's values in the order of
  // event_registers (the slice's copy of a rule lists them in the same order).
  auto store = std::make_shared<event_value_store>();
  std::vector<std::vector<reg_index>> registers_of;
  for (const compiled_rule& rule : p.rules) {
    store->names.push_back(rule.value_names);
    registers_of.push_back(event_registers(rule));
  }
  result.events.reserve(recorded.size());
  for (const recorded_firing& f : recorded) {
    const std::vector<reg_index>& regs = registers_of[f.rule];
    auto value_of = [&](reg_index r) {
      const auto at =
          static_cast<std::size_t>(std::find(regs.begin(), regs.end(), r) - regs.begin());
      return snapshot[f.first_value + at];
    };
    result.events.push_back(build_event<Num>(p, f.rule, times[f.index], f.index,
                                             event_values(store, f.rule, f.first_value), value_of));
  }
  if constexpr (std::is_same_v<Num, double>)
    store->numbers = std::move(snapshot);
  else
    store_numbers(*store, snapshot.data(), snapshot.size());
  result.ok = true;
  return result;
}

}  // namespace

bool has_universe(const program& p) {
  if (!p.universes.empty()) return true;
  for (const compiled_rule& r : p.rules)
    if (!r.symbol.empty()) return true;
  return false;
}

unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

run_result run_parallel(const program& p, series_provider& data, const run_options& options,
                        unsigned threads, diagnostics& diags) {
  threads = std::max(1u, threads);
  if (options.exact) return run_parallel_of<decimal>(p, data, options, threads, diags);
  return run_parallel_of<double>(p, data, options, threads, diags);
}

}  // namespace sluice
