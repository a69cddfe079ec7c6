// Fuzz target: rule text through the whole pipeline a host exposes to untrusted users —
// parse, compile (no file access), diagnostics rendering, disassembly and a short batch
// run over fixed data — plus the parser's REPL entry points (looks_like_statement and
// parse_fragment). Any crash, sanitizer report, hang or broken invariant is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fixed_data.hpp"
#include "grammar/parser.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"

using namespace sluice;

namespace {

// Every error must carry a message, and positioned ones must point inside the source
// (a caret past the end would render garbage in the CLI).
void check_diagnostics(const diagnostics& diags, const std::string& text) {
  for (const diagnostic& d : diags.items()) {
    if (d.message.empty()) std::abort();
    if (d.has_pos && d.file == "fuzz.sluice" && d.pos.offset > text.size()) std::abort();
    (void)render(d, text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Built once: nothing here depends on the input.
  static const compile_options options = [] {
    compile_options o;
    o.allow_files = false;  // `load`/`use "file"` must fail cleanly, never read
    o.host = fuzz::fixed_series();
    return o;
  }();
  diagnostics diags;
  auto program = compile_source("fuzz.sluice", text, options, diags);
  check_diagnostics(diags, text);
  if (program && diags.has_errors()) std::abort();  // a program despite errors
  if (program) {
    (void)disassemble(*program);
    fuzz::fixed_provider data;
    run_options run;
    run.block_size = 64;  // several blocks over 300 points: state crosses block edges
    run.keep_watched = true;
    diagnostics run_diags;
    const run_result result = run_batch(*program, data, run, run_diags);
    if (!result.ok) std::abort();  // the fixed provider has every series
  }

  // The REPL classifies a line, then parses expressions as fragments of a module.
  if (!looks_like_statement(text)) {
    module_ast m;
    m.source_name = "<repl>";
    m.source = text;
    diagnostics fragment_diags;
    const node_id n = parse_fragment(m, 0, static_cast<std::uint32_t>(m.source.size()),
                                     fragment_diags);
    if ((n == no_node) != fragment_diags.has_errors()) std::abort();
    check_diagnostics(fragment_diags, text);
  }
  return 0;
}
