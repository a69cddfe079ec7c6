// SHA-256 through OpenSSL's EVP interface (see digest.hpp).
#include "cli/digest.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace sluice {

namespace {

std::string hex(const unsigned char* digest, unsigned int length) {
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL could not compute a SHA-256");
  return hex(digest, length);
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL could not compute a SHA-256");
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return hex(digest, length);
}

}  // namespace sluice
