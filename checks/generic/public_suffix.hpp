// The registered domain of a host name from the Public Suffix List (libpsl), ICANN and private
// sections: "mout.web.de" -> "web.de", "dd1234.kasserver.com" -> the whole name (a hosting
// provider's private suffix). Loaded once per process; lookups are pure and thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct psl_ctx_st;

namespace rdns::checks::generic {

class PublicSuffixList {
public:
  // The newest list on the system (Debian's publicsuffix data file) or libpsl's built-in
  // one, loaded on first use. Never null: without any list, the fallback rule answers.
  static const PublicSuffixList& instance();

  // How many trailing labels of `name` (lower case, no trailing dot, NUL-terminated) form its
  // registered domain. `label_count` is the number of labels in `name`. When the whole name is
  // itself a public suffix (a cloud's wildcard suffix: "ec2-54-1-2-3.compute-1.amazonaws.com"),
  // the ICANN part decides (here "amazonaws.com": 2).
  std::size_t registered_domain_labels(const std::string& name, std::size_t label_count) const;

  // Answers are memoised per thread by parent domain (all but the leftmost label).

  // The same without the memo: libpsl on every call (tests compare the two).
  std::size_t registered_domain_labels_uncached(const std::string& name, std::size_t label_count) const;

  // "builtin", "system file", or "fallback rule" (no list at all): for tests and diagnostics.
  const char* source() const { return m_source; }

private:
  PublicSuffixList();
  std::size_t lookup(const std::string& name, std::size_t label_count) const;  // libpsl, no memo
  struct Free {
    void operator()(psl_ctx_st* ctx) const;
  };
  std::unique_ptr<psl_ctx_st, Free> m_owned;  // a loaded file; null when the built-in is used
  const psl_ctx_st* m_ctx = nullptr;          // the list in use (owned or built-in), or null
  const char* m_source = "fallback rule";
};

// The rule used when no list can be had: two labels, three under a ccTLD second level
// ("example.co.uk"). Exposed for tests.
std::size_t fallback_registered_domain_labels(const std::string& name, std::size_t label_count);

}  // namespace rdns::checks::generic
