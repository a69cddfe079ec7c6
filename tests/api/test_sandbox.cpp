// The file sandbox of the embedding API (engine_options::allow_files): rule text from
// outside the host reads only regular files inside one folder, and no error about such a
// file quotes what it holds. Each case below was a hole: an empty root confined nothing,
// and the loader's errors echoed a file's first line to the rule author.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh folder per test case, with a private "secret" file next to it (outside).
struct sandbox_dir {
  fs::path root;
  fs::path secret;
  explicit sandbox_dir(const std::string& name) {
    const fs::path base = fs::temp_directory_path() / ("sluice_sandbox_" + name);
    fs::remove_all(base);
    root = base / "root";
    fs::create_directories(root / "sub");
    secret = base / "secret.csv";
    std::ofstream(secret) << "date,value\n2024-01-01,1\n";
    std::ofstream(root / "x.csv") << "date,value\n2024-01-01,1\n2024-01-02,3\n";
  }
  sluice::engine engine() const {
    sluice::engine_options opt;
    opt.allow_files = true;
    opt.root_dir = root.string();
    return sluice::engine(opt);
  }
};

// Restores the working directory when a test changed it.
struct cwd_guard {
  fs::path saved = fs::current_path();
  ~cwd_guard() { fs::current_path(saved); }
};

bool mentions(const sluice::compile_result& r, const std::string& text) {
  return r.rendered().find(text) != std::string::npos;
}

std::string all_text(const sluice::run_result& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.message + "\n" + d.note + "\n" + d.rendered + "\n";
  return out;
}

}  // namespace

TEST_CASE("sandbox: an empty root_dir means the current directory", "[api][sandbox]") {
  sandbox_dir dir("empty_root");
  cwd_guard guard;
  fs::current_path(dir.root);
  sluice::engine_options opt;
  opt.allow_files = true;  // root_dir left empty
  sluice::engine eng(opt);
  // Before: this compiled and the run read the file.
  const auto passwd = eng.compile("load pw from \"/etc/passwd\"\npw > 1 then watch pw");
  CHECK_FALSE(passwd.ok());
  CHECK(mentions(passwd, "outside the allowed folder"));
  CHECK_FALSE(eng.compile("load s from \"../secret.csv\"\ns > 1 then watch s").ok());
  const auto inside = eng.compile("load x from \"x.csv\"\nx > 2 then watch x");
  INFO(inside.rendered());
  REQUIRE(inside.ok());
  CHECK(inside.value().run().events.size() == 1);  // 3 > 2 on 2024-01-02 only
}

TEST_CASE("sandbox: the C API's NULL root_dir is the current directory", "[api][sandbox]") {
  sandbox_dir dir("c_null_root");
  cwd_guard guard;
  fs::current_path(dir.root);
  sluice_options o;
  sluice_options_default(&o);
  o.allow_files = 1;
  o.root_dir = nullptr;
  sluice_engine* e = sluice_engine_new(&o);
  REQUIRE(e);
  const std::string bad = "load pw from \"/etc/passwd\"\npw > 1 then watch pw";
  CHECK(sluice_compile(e, bad.data(), bad.size(), nullptr) == nullptr);
  CHECK(std::string(sluice_engine_last_error(e)).find("outside the allowed folder") !=
        std::string::npos);
  const std::string good = "load x from \"x.csv\"\nx > 2 then watch x";
  sluice_program* p = sluice_compile(e, good.data(), good.size(), nullptr);
  CHECK(p != nullptr);
  sluice_program_free(p);
  sluice_engine_free(e);
}

TEST_CASE("sandbox: absolute paths, .. and symlinks out are refused", "[api][sandbox]") {
  sandbox_dir dir("escape");
  fs::create_symlink(dir.secret, dir.root / "link.csv");
  fs::create_symlink(dir.root.parent_path(), dir.root / "up");
  fs::create_symlink("/dev/zero", dir.root / "zero.csv");
  std::ofstream(dir.root.parent_path() / "defs.sluice") << "def big(v) = v > 2\n";
  const sluice::engine eng = dir.engine();
  for (const std::string& path : {dir.secret.string(), std::string("../secret.csv"),
                                 std::string("sub/../../secret.csv"), std::string("link.csv"),
                                 std::string("up/secret.csv"), std::string("zero.csv"),
                                 std::string("/dev/zero")}) {
    INFO(path);
    const auto r = eng.compile("let one = 1\nload s from \"" + path + "\"\ns > 1 then watch s");
    CHECK_FALSE(r.ok());
    CHECK(mentions(r, "outside the allowed folder"));
    // At the `load` statement: line 2, column 1.
    REQUIRE_FALSE(r.diagnostics().empty());
    CHECK(r.diagnostics()[0].line == 2);
    CHECK(r.diagnostics()[0].column == 1);
  }
  for (const std::string& path : {std::string("../defs.sluice"), std::string("up/defs.sluice")}) {
    INFO(path);
    const auto r = eng.compile("use \"" + path + "\"\nx > 1 then watch x");
    CHECK(mentions(r, "outside the allowed folder"));
  }
}

TEST_CASE("sandbox: special files are refused, not read", "[api][sandbox]") {
  // A FIFO would block the compile (use) or the run (load) forever: the ctest TIMEOUT is
  // what fails if one is opened.
  sandbox_dir dir("special");
  REQUIRE(::mkfifo((dir.root / "fifo.csv").c_str(), 0600) == 0);
  REQUIRE(::mkfifo((dir.root / "fifo.sluice").c_str(), 0600) == 0);
  const sluice::engine eng = dir.engine();
  for (const std::string& text : {std::string("load f from \"fifo.csv\"\nf > 1 then watch f"),
                                 std::string("use \"fifo.sluice\"\nx > 1 then watch x"),
                                 std::string("load d from \"sub\"\nd > 1 then watch d"),
                                 std::string("use \"sub\"\nx > 1 then watch x")}) {
    INFO(text);
    const auto r = eng.compile(text);
    CHECK_FALSE(r.ok());
    CHECK(mentions(r, "not a regular file"));
  }
}

TEST_CASE("sandbox: a file swapped after the compile is checked again at the run",
          "[api][sandbox]") {
  sandbox_dir dir("swap");
  fs::copy_file(dir.root / "x.csv", dir.root / "y.csv");
  const sluice::engine eng = dir.engine();
  const auto r = eng.compile("load y from \"y.csv\"\ny > 2 then watch y");
  REQUIRE(r.ok());
  // The author's file becomes a link to a file outside (or a FIFO) before the run.
  fs::remove(dir.root / "y.csv");
  fs::create_symlink(dir.secret, dir.root / "y.csv");
  const auto run = r.value().run();
  CHECK_FALSE(run.ok);
  CHECK(all_text(run).find("outside the allowed folder") != std::string::npos);
  fs::remove(dir.root / "y.csv");
  REQUIRE(::mkfifo((dir.root / "y.csv").c_str(), 0600) == 0);
  const auto fifo = r.value().run();
  CHECK_FALSE(fifo.ok);
  CHECK(all_text(fifo).find("not a regular file") != std::string::npos);
}

TEST_CASE("sandbox: load and use errors never quote the file's content", "[api][sandbox]") {
  sandbox_dir dir("quote");
  std::ofstream(dir.root / "pw.csv") << "root:x:0:0:hunter2:/root:/bin/bash\n";
  std::ofstream(dir.root / "cols.csv") << "date,hunter2_a,hunter2_b\n2024-01-01,1,2\n";
  std::ofstream(dir.root / "nodate.csv") << "name,value\nhunter2,1\n";
  std::ofstream(dir.root / "pw.sluice") << "hunter2 is the password\n";
  const sluice::engine eng = dir.engine();
  for (const std::string& text : {std::string("load pw from \"pw.csv\"\npw > 1 then watch pw"),
                                 std::string("load c from \"cols.csv\"\nc > 1 then watch c"),
                                 std::string("load c from \"cols.csv\" column \"zz\"\nc > 1 then watch c"),
                                 std::string("load n from \"nodate.csv\"\nn > 1 then watch n")}) {
    INFO(text);
    const auto r = eng.compile(text);
    REQUIRE(r.ok());  // the compile does not read a loaded file: the run does
    const auto run = r.value().run();
    CHECK_FALSE(run.ok);
    const std::string said = all_text(run);
    INFO(said);
    CHECK_FALSE(said.empty());
    CHECK(said.find("hunter2") == std::string::npos);
  }
  const auto used = eng.compile("use \"pw.sluice\"\nlet x = 1\nx > 1 then alert \"a\"");
  CHECK_FALSE(used.ok());
  INFO(used.rendered());
  CHECK(mentions(used, "pw.sluice:1:"));  // still says where
  CHECK_FALSE(mentions(used, "hunter2"));
}

TEST_CASE("sandbox: quote_file_errors shows a used file's error in full", "[api][sandbox]") {
  // A trusted host (the CLI, `sluice watch` on the user's own files) wants the whole
  // diagnostic; the default stays position-only (the case above).
  sandbox_dir dir("quote_trusted");
  std::ofstream(dir.root / "pw.sluice") << "hunter2 is the password\n";
  sluice::engine_options opt;
  opt.allow_files = true;
  opt.root_dir = dir.root.string();
  opt.quote_file_errors = true;
  const auto used =
      sluice::engine(opt).compile("use \"pw.sluice\"\nlet x = 1\nx > 1 then alert \"a\"");
  REQUIRE_FALSE(used.ok());
  INFO(used.rendered());
  CHECK(mentions(used, "pw.sluice:1:"));
  CHECK(mentions(used, "hunter2 is the password"));  // the source line under the message
  CHECK_FALSE(mentions(used, "the used file has an error here"));

  // The C option says the same.
  sluice_options c;
  sluice_options_default(&c);
  CHECK(c.quote_file_errors == 0);
  c.allow_files = 1;
  const std::string root = dir.root.string();
  c.root_dir = root.c_str();
  c.quote_file_errors = 1;
  sluice_engine* e = sluice_engine_new(&c);
  const std::string text = "use \"pw.sluice\"\nlet x = 1\nx > 1 then alert \"a\"";
  CHECK(sluice_compile(e, text.data(), text.size(), nullptr) == nullptr);
  CHECK(std::string(sluice_last_error()).find("hunter2 is the password") != std::string::npos);
  sluice_engine_free(e);
}
