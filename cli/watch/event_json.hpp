// An event as `sluice watch` delivers it: the fields of `sluice run --format jsonl` plus its
// stable id: {"type":"event","id":"…","date":"2026-01-08","rule":"…","actions":[…],"values":{…},
// "messages":[…]}.
// Exact-mode values keep their exact decimal text as JSON numbers.
#pragma once
#include <string>

#include "sluice/sluice.hpp"

namespace sluice::watch {

struct outgoing {
  std::string id;
  std::string date;     // "2026-01-08" (or "2026-01-08 00:05")
  std::string rule;
  std::string message;  // the first alert text, or the actions joined by "; "
  std::string json;     // the whole event, one line without the newline
};

outgoing make_outgoing(const api::program& p, const api::event& e);

}  // namespace sluice::watch
