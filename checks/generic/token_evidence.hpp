// Evidence for the generic-name classifier, gathered from a name's tokens and from where its
// address sits in it. Each piece is a weight and a reason text; generic_hostname.cpp adds the
// weights up. Pure: no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "checks/generic/address_embedding.hpp"
#include "checks/generic/name_parts.hpp"

namespace rdns::checks::generic {

struct Evidence {
  double weight = 0.0;
  std::string text;
};

// Everything scan_tokens() found; weight 0 = not found.
struct Scan {
  Evidence embed;
  Evidence pool;  // the strongest pool keyword
  Evidence cloud;
  Evidence runs;
  Evidence subscriber;
  Evidence numbers_label;  // the leftmost label is numbers only
  Evidence mail;
  Evidence infrastructure;
  bool static_word = false;
  bool host_digits = false;
  int long_runs = 0;
  int numbers = 0;          // numeric tokens in the host part
  std::size_t longest = 0;  // digits in the longest of them
};

// `text` in double quotes, for reasons.
std::string quoted(std::string_view text);

// Fills `scan` from the host part's tokens. `embedded`: an address (any kind) was found.
void scan_tokens(const NameParts& parts, bool embedded, Scan& scan);

// The evidence of an embedding; `ip_text` is the address as given, named in the reason.
Evidence embed_evidence(const NameParts& parts, const Embedding& e, bool static_word, std::string_view ip_text);

}  // namespace rdns::checks::generic
