// The SHA-256 recorded per file in the data manifest, so a later reader can tell whether
// a series file is still the one `sluice fetch` wrote (OpenSSL's libcrypto computes it).
#pragma once
#include <string>
#include <string_view>

namespace sluice::fetch {

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace sluice::fetch
