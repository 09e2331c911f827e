#include "checks/generic/subscriber_label.hpp"

namespace rdns::checks::generic {

bool is_location_code(std::string_view label) {
  std::size_t i = 0;
  while (i < label.size() && is_lower(label[i])) ++i;
  if (i < 2 || i == label.size()) return false;
  const std::size_t digits_from = i;
  while (i < label.size() && is_digit(label[i])) ++i;
  return i == label.size() && i - digits_from <= 3;
}

SubscriberLabel find_subscriber_label(const NameParts& parts) {
  SubscriberLabel out;
  if (parts.host_labels < 2) return out;
  const std::string_view label = parts.labels[0].text;
  // A digit run of 5+ framed by letters on both sides ("pcp04024417pcs", "udp135632uds"). A
  // server number has letters on one side only ("www12345", "s12345"); "tk2-236-27544" has none.
  std::size_t i = 0;
  bool found = false;
  while (i < label.size() && !found) {
    if (!is_digit(label[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < label.size() && is_digit(label[j])) ++j;
    const bool letter_before = i > 0 && is_lower(label[i - 1]);
    const bool letter_after = j < label.size() && is_lower(label[j]);
    if (j - i >= 5 && letter_before && letter_after) found = true;
    i = j;
  }
  if (!found) return out;
  out.found = true;
  out.label = label;
  out.region = parts.label_span(1, parts.host_labels - 1);
  return out;
}

}  // namespace rdns::checks::generic
