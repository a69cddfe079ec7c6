// `sluice watch`: live alerts from a rule file (docs/watch.md).
#pragma once

namespace sluice::watch {

// argv[1] is "watch". Exit status: 0 (also after SIGINT/SIGTERM), 1 rule or data errors,
// 2 usage errors.
int watch_main(int argc, char** argv);

}  // namespace sluice::watch
