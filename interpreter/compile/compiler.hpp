// The compiler: resolves names (series, let, def, signals, prelude, use), checks types and
// windows, shares common subexpressions across rules, and lowers the AST to bytecode.
// All semantic errors of a file are reported in one pass.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/ast.hpp"
#include "interpreter/diagnostics.hpp"
#include "interpreter/limits.hpp"  // compile_limits
#include "interpreter/program.hpp"

namespace sluice {

// A series the host provides without a `load` statement (`--data DIR`, `--series n=path`).
struct host_series {
  std::string name;    // lower case
  std::string path;    // CSV file, or empty when the host supplies observations itself
  std::string column;  // optional column
  std::optional<duration> lag{};    // as in `load ... lag D` (embedding API registrations)
  std::optional<duration> stale{};  // as in `load ... stale D`
};

// A universe the host declares (`--universe NAME=DIR`): its members are series names.
struct host_universe {
  std::string name;
  std::vector<std::string> members;
};

struct compile_options {
  std::vector<host_series> host;
  std::vector<host_universe> universes;  // besides the `universe` statements of the rules
  bool allow_files = true;  // may `load` and `use` read files?
  std::string base_dir;     // relative paths in `load`/`use` start here ("" = current dir)
  std::string file_root;    // non-empty: `load`/`use` may only read files under this folder
  std::vector<host_function> functions;  // host functions callable from rule text
  // Every bound on untrusted text; each exceeded one is a diagnostic. Embedding hosts pass
  // their own (api/engine_limits.hpp).
  compile_limits limits = own_files_limits;
  // A compile that runs past `deadline` or sees `*cancel` set stops with one diagnostic.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;
};

// Compiles a parsed module (with the prelude in scope). Returns nullptr when `diags` has
// errors. The program keeps `main` (and every module it used) alive for disasm/explain.
std::shared_ptr<const program> compile(std::shared_ptr<const module_ast> main,
                                       const compile_options& options, diagnostics& diags);

// Parses and compiles source text.
std::shared_ptr<const program> compile_source(std::string source_name, std::string source,
                                              const compile_options& options, diagnostics& diags);

}  // namespace sluice
