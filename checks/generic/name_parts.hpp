// A host name cut into labels and tokens for the generic-name rules. Pure, allocation-light:
// views point into NameParts::name, so a NameParts is filled in place and never copied.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rdns::checks::generic {

inline constexpr std::size_t k_max_labels = 40;
inline constexpr std::size_t k_max_tokens = 128;

// Plain aggregates without default member initialisers: NameParts holds fixed arrays of them
// that are filled before being read, and zeroing 4 KB per classify() call showed in profiles.
struct Label {
  std::string_view text;
  std::size_t offset;  // into NameParts::name
};

// A maximal run of letters or of digits inside one label ("host86-128" -> host, 86, 128).
struct Token {
  std::string_view text;
  std::uint8_t label;
  bool numeric;
  // Tokens of one label separated only by '-', '_' or a label boundary, with no letters
  // between: a numeric run ("73-22-11-4") keeps the same run id; a letter token starts a new one.
  std::uint16_t run;
};

struct NameParts {
  NameParts() = default;
  NameParts(const NameParts&) = delete;
  NameParts& operator=(const NameParts&) = delete;

  std::string name;                        // lower case, no trailing dot
  std::array<Label, k_max_labels> labels;  // [0, label_count) are valid
  std::size_t label_count = 0;
  // Labels [0, host_labels) are the host part; the rest is the registered domain
  // ("example.co.uk"), whose words are not evidence ("dynamic-dns-provider.com").
  std::size_t host_labels = 0;
  std::array<Token, k_max_tokens> tokens;  // [0, token_count) are valid
  std::size_t token_count = 0;

  // The text from the start of label `first` to the end of label `last` (inclusive).
  std::string_view label_span(std::size_t first, std::size_t last) const;
};

// Fills `out` from `hostname` (any case, optional trailing dot). Labels and tokens beyond the
// fixed capacity are ignored: hostile 255-octet names cost bounded time.
void split_name(std::string_view hostname, NameParts& out);

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

}  // namespace rdns::checks::generic
