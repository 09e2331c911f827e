// HTTP basic auth against bcrypt hashes, as the Prometheus exporter-toolkit does it.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace rdns::agent {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// Parses an `Authorization: Basic <base64(user:password)>` header value. nullopt for any other
// scheme, malformed base64, no ':', or a NUL byte in user or password. Pure; thread-safe.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view header_value);

// Strict RFC 4648 base64 (padding required, no whitespace). Pure; thread-safe.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

// Verifies passwords against bcrypt ($2b$/$2y$/$2a$) hashes with libxcrypt's crypt_r.
// bcrypt is slow on purpose (tens of ms), and Prometheus scrapes every few seconds with the same
// credentials, so successful verifications are remembered, keyed by a SHA-256 of
// user, password and hash (a changed hash or password is a new key; the password itself is never
// stored). Failures are never cached.
// Thread-safety: verify() may be called from any number of threads at once.
class BcryptVerifier {
public:
  BcryptVerifier();
  ~BcryptVerifier();
  BcryptVerifier(const BcryptVerifier&) = delete;
  BcryptVerifier& operator=(const BcryptVerifier&) = delete;

  // `hash` is the stored hash for `user`, or nullptr when the user is unknown; an unknown user
  // still costs one bcrypt so response time does not tell which users exist. A password with a
  // NUL byte never matches (crypt(3) would compare only what comes before it).
  bool verify(const std::string& user, const std::string& password, const std::string* hash);

  std::size_t cache_size() const;

private:
  static constexpr std::size_t k_max_cache_entries = 1024;

  bool bcrypt_matches(const std::string& password, const std::string& hash) const;
  const std::string& dummy_hash();

  mutable std::mutex m_mutex;                  // guards m_verified (never held while bcrypt runs)
  std::unordered_set<std::string> m_verified;  // SHA-256 digests, guarded by m_mutex
  std::once_flag m_dummy_once;
  std::string m_dummy_hash;
};

// bcrypt of `password` with a fresh salt at `cost` (4..31); empty on failure. For tests and
// tooling; thread-safe.
std::string bcrypt_hash(const std::string& password, int cost);

}  // namespace rdns::agent
