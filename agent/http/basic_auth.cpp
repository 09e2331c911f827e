#include "agent/http/basic_auth.hpp"

#include <array>
#include <cstring>

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/ascii.hpp"

namespace rdns::agent {
namespace {

constexpr std::string_view k_base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  const auto pos = k_base64_alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

bool looks_like_bcrypt(const std::string& hash) {
  return hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
         (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$';
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after '='
      v[k] = base64_value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const unsigned triple = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                            (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out += static_cast<char>((triple >> 16) & 0xff);
    if (padding < 2) out += static_cast<char>((triple >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(triple & 0xff);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    unsigned triple = static_cast<unsigned char>(bytes[i]) << 16;
    if (n > 1) triple |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (n > 2) triple |= static_cast<unsigned char>(bytes[i + 2]);
    out += k_base64_alphabet[(triple >> 18) & 63];
    out += k_base64_alphabet[(triple >> 12) & 63];
    out += n > 1 ? k_base64_alphabet[(triple >> 6) & 63] : '=';
    out += n > 2 ? k_base64_alphabet[triple & 63] : '=';
  }
  return out;
}

std::optional<BasicCredentials> parse_basic_authorization(std::string_view header_value) {
  const auto space = header_value.find(' ');
  if (space == std::string_view::npos || !util::iequals_ascii(header_value.substr(0, space), "basic")) {
    return std::nullopt;
  }
  std::string_view encoded = header_value.substr(space + 1);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  auto decoded = base64_decode(encoded);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  // crypt(3) reads the password up to its first NUL: "secret\0anything" would pass for
  // "secret". No browser or Prometheus sends one; refuse such credentials outright.
  if (decoded->find('\0') != std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string bcrypt_hash(const std::string& password, int cost) {
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt.data(),
                       static_cast<int>(salt.size())) == nullptr) {
    return {};
  }
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on a worker thread's stack
  const char* hashed = crypt_r(password.c_str(), salt.data(), data.get());
  if (hashed == nullptr || hashed[0] == '*') return {};
  return hashed;
}

BcryptVerifier::BcryptVerifier() = default;
BcryptVerifier::~BcryptVerifier() = default;

bool BcryptVerifier::bcrypt_matches(const std::string& password, const std::string& hash) const {
  if (!looks_like_bcrypt(hash)) return false;
  if (password.find('\0') != std::string::npos) return false;  // crypt_r would stop at it
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (computed == nullptr || std::strlen(computed) != hash.size()) return false;
  return CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

const std::string& BcryptVerifier::dummy_hash() {
  std::call_once(m_dummy_once, [this] { m_dummy_hash = bcrypt_hash("rdns_exporter dummy", 10); });
  return m_dummy_hash;
}

bool BcryptVerifier::verify(const std::string& user, const std::string& password, const std::string* hash) {
  if (hash == nullptr) {
    (void)bcrypt_matches(password, dummy_hash());
    return false;
  }
  std::string key_material;
  key_material.reserve(user.size() + password.size() + hash->size() + 2);
  key_material.append(user).append(1, '\0').append(*hash).append(1, '\0').append(password);
  const std::string key = sha256(key_material);
  OPENSSL_cleanse(key_material.data(), key_material.size());
  if (key.empty()) return false;
  {
    std::lock_guard lock(m_mutex);
    if (m_verified.contains(key)) return true;
  }
  if (!bcrypt_matches(password, *hash)) return false;
  std::lock_guard lock(m_mutex);
  if (m_verified.size() >= k_max_cache_entries) m_verified.clear();  // bounded; rebuilt on demand
  m_verified.insert(key);
  return true;
}

std::size_t BcryptVerifier::cache_size() const {
  std::lock_guard lock(m_mutex);
  return m_verified.size();
}

}  // namespace rdns::agent
