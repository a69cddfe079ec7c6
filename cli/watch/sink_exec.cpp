// The --exec sink: runs a shell command per event with the event's JSON on its stdin and its
// fields in SLUICE_EVENT_ID, SLUICE_EVENT_DATE, SLUICE_EVENT_RULE, SLUICE_EVENT_MESSAGE and
// SLUICE_EVENT_JSON. Exit status 0 is a delivery; anything else a failed one (tried again).
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "cli/watch/sinks.hpp"

namespace sluice::watch {
namespace {

class exec_sink final : public sink {
 public:
  explicit exec_sink(std::string command) : command_(std::move(command)) {}
  std::string name() const override { return "exec " + command_; }

  delivery deliver(const outgoing& e, std::string& why) override {
    // The child's environment is built before fork(): after it, only async-signal-safe
    // calls are allowed (libcurl may run a resolver thread in this process).
    std::vector<std::string> vars = {"SLUICE_EVENT_ID=" + e.id, "SLUICE_EVENT_DATE=" + e.date,
                                     "SLUICE_EVENT_RULE=" + e.rule, "SLUICE_EVENT_MESSAGE=" + e.message,
                                     "SLUICE_EVENT_JSON=" + e.json};
    std::vector<char*> env;
    for (std::string& v : vars) env.push_back(v.data());
    for (char** p = environ; *p; ++p)
      if (std::strncmp(*p, "SLUICE_EVENT_", 13) != 0) env.push_back(*p);
    env.push_back(nullptr);
    const char* const argv[] = {"sh", "-c", command_.c_str(), nullptr};
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
      why = fmt::format("cannot create a pipe: {}", std::strerror(errno));
      return delivery::retry_later;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      why = fmt::format("cannot start '{}': {}", command_, std::strerror(errno));
      close(in[0]);
      close(in[1]);
      return delivery::retry_later;
    }
    if (pid == 0) {
      dup2(in[0], 0);
      signal(SIGPIPE, SIG_DFL);
      execve("/bin/sh", const_cast<char* const*>(argv), env.data());
      _exit(127);
    }
    close(in[0]);
    const std::string body = e.json + "\n";
    // A command that does not read its stdin is fine: the write then fails with EPIPE
    // (SIGPIPE is ignored by watch) and the exit status alone decides.
    for (std::size_t off = 0; off < body.size();) {
      const ssize_t n = write(in[1], body.data() + off, body.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(in[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        why = fmt::format("'{}': {}", command_, std::strerror(errno));
        return delivery::retry_later;
      }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return delivery::delivered;
    why = WIFEXITED(status) ? fmt::format("'{}' exited with status {}", command_, WEXITSTATUS(status))
                            : fmt::format("'{}' was killed by signal {}", command_, WTERMSIG(status));
    return delivery::retry_later;
  }

 private:
  std::string command_;
};

}  // namespace

std::unique_ptr<sink> make_exec_sink(const std::string& command) { return std::make_unique<exec_sink>(command); }

}  // namespace sluice::watch
