// Where a run gets its data: series providers (CSV files, host memory) and the
// observations they hand over.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "interpreter/data/csv_loader.hpp"
#include "interpreter/diagnostics.hpp"
#include "interpreter/program.hpp"

namespace sluice {

// One series column in a run's number type: doubles as fetched, or (exact mode, Num =
// decimal) the cells' decimal text parsed as decimals, never through double.
template <class Num>
struct series_values {
  std::vector<time_point> times;
  std::vector<Num> values;
};

// The defined observations of one series column, ascending in time.
using observations = series_values<double>;

// Exact mode's observations: each value as decimal text ("2612.48"), never a double.
struct text_observations {
  std::vector<time_point> times;
  std::vector<std::string> values;
};

// Where a run gets its data: the CLI reads CSV files, hosts hand over memory.
class series_provider {
 public:
  virtual ~series_provider() = default;
  // Fills `out` for spec's column (`field` empty) or the named field. Reports problems
  // to `diags` and returns false when the series cannot be provided.
  virtual bool fetch(const series_spec& spec, const std::string& field, observations& out,
                     diagnostics& diags) = 0;
  // Exact mode (run_options::exact) asks for the values' decimal text instead. The
  // default calls fetch() and writes each double in its shortest round-trip form (0.1 ->
  // "0.1"); providers that hold the text (CSV files) override it.
  virtual bool fetch_text(const series_spec& spec, const std::string& field,
                          text_observations& out, diagnostics& diags);
  // Called by a run once it has fetched every series it reads: a provider may drop what
  // it keeps only to answer fetch. The default keeps everything.
  virtual void fetched_all() {}
};

// Reads CSV files (each once) and keeps their load reports for the user.
class csv_provider : public series_provider {
 public:
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override;
  // The cells' text as written in the file (exact mode).
  bool fetch_text(const series_spec& spec, const std::string& field, text_observations& out,
                  diagnostics& diags) override;
  // Loads the files at `paths` that are not loaded yet on up to `threads` threads, kept in
  // the order of `paths`, ahead of fetch (a universe reads thousands of files, and loading
  // them one after another was most of a 2-thread run's serial part). A file that fails is
  // left to fetch, which reports why; a confined provider (confine_to) loads nothing here.
  void preload(const std::vector<std::string>& paths, unsigned threads);
  // Per file: rows read/used/rejected, notes; in load order.
  const std::vector<const csv_table*>& tables() const { return order_; }
  // After this, fetched_all() frees each table's observations (times, cells, source
  // lines), keeping what its load report prints (path, columns, row counts, notes,
  // rejected rows): at 5,000 files of 20 years of daily bars the tables are ~650 MB that
  // a run no longer reads once its inputs are aligned. A caller that reads tables() for
  // more than the load report (coverage) does so before the run.
  void keep_only_reports_after_fetch() { keep_only_reports_ = true; }
  void fetched_all() override;
  // Rule text from outside the host (embedding API with files allowed): reads only regular
  // files inside `root`, checked again when read, and failures never quote file content.
  void confine_to(std::string root) { root_ = std::move(root); }

 private:
  // The table and value column behind spec/field (loading the file once), or null after
  // reporting why not.
  const csv_table* locate(const series_spec& spec, const std::string& field, int& column,
                          diagnostics& diags);

  std::map<std::string, csv_table> tables_;
  std::map<std::string, csv_failure> failures_;
  std::vector<const csv_table*> order_;
  std::string root_;  // empty: not confined (the CLI reads its user's own files)
  bool keep_only_reports_ = false;
  bool released_ = false;  // fetched_all() freed the observations: fetch would see none
};

}  // namespace sluice
