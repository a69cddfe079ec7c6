// SHA-256 of data files, as recorded in `sluice fetch`'s manifest and shown in the header of
// `sluice report`, so a reader can tell whether a series file is still the one a manifest or
// a report names (OpenSSL's libcrypto computes it).
#pragma once
#include <string>
#include <string_view>

namespace sluice {

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file's bytes, read in chunks; "" when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sluice
