// SHA-256 through OpenSSL's EVP interface (see digest.hpp).
#include "cli/fetch/digest.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <stdexcept>

namespace sluice::fetch {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL could not compute a SHA-256");
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace sluice::fetch
