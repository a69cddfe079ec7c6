// Running the --poll command (see shell.hpp).
#include "cli/watch/shell.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::watch {

bool run_shell(const std::string& command, std::string& why) {
  const char* const argv[] = {"sh", "-c", command.c_str(), nullptr};
  const pid_t pid = fork();
  if (pid < 0) {
    why = fmt::format("cannot start '{}': {}", command, std::strerror(errno));
    return false;
  }
  if (pid == 0) {
    dup2(2, 1);  // the command's output must not mix with the events on stdout
    signal(SIGPIPE, SIG_DFL);
    execv("/bin/sh", const_cast<char* const*>(argv));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      why = fmt::format("'{}': {}", command, std::strerror(errno));
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  why = WIFEXITED(status) ? fmt::format("'{}' exited with status {}", command, WEXITSTATUS(status))
                          : fmt::format("'{}' was killed by signal {}", command, WTERMSIG(status));
  return false;
}

}  // namespace sluice::watch
