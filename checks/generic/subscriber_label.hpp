// Opaque per-subscriber encodings of large cable and DSL providers: the customer as a long
// digit run framed by letters in the leftmost label, under a regional sub-domain
// ("pcp04024417pcs.toresd01.pa.comcast.net", "bgp542174bgs.ewndsr01.nj.comcast.net").
#pragma once

#include <string_view>

#include "checks/generic/name_parts.hpp"

namespace rdns::checks::generic {

struct SubscriberLabel {
  bool found = false;
  std::string_view label;   // the leftmost label
  std::string_view region;  // the sub-domain labels between it and the registered domain
};

// Needs letters on both sides of the run and a sub-domain between the leftmost label and the
// registered domain: a numbered server ("www12345.web.example-hoster.com") or one directly
// under its provider's domain ("h2066373.stratoserver.net") is a named server, not a line.
SubscriberLabel find_subscriber_label(const NameParts& parts);

// Does the label look like a location or equipment code (letters, then digits: "lsancax1",
// "toresd01", "hsd1", "cm2")?
bool is_location_code(std::string_view label);

}  // namespace rdns::checks::generic
