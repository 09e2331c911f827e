#include "checks/generic/name_parts.hpp"

#include "checks/generic/public_suffix.hpp"
#include "util/ascii.hpp"

namespace rdns::checks::generic {

std::string_view NameParts::label_span(std::size_t first, std::size_t last) const {
  if (first >= label_count || last >= label_count || last < first) return {};
  const std::size_t begin = labels[first].offset;
  const std::size_t end = labels[last].offset + labels[last].text.size();
  return std::string_view(name).substr(begin, end - begin);
}

void split_name(std::string_view hostname, NameParts& out) {
  out.name.assign(hostname);
  for (char& c : out.name) c = util::ascii_lower(c);
  if (!out.name.empty() && out.name.back() == '.') out.name.pop_back();
  out.label_count = 0;
  out.token_count = 0;
  out.host_labels = 0;

  const std::string_view name = out.name;
  std::size_t start = 0;
  while (start <= name.size() && out.label_count < k_max_labels) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    if (dot > start) out.labels[out.label_count++] = Label{name.substr(start, dot - start), start};
    start = dot + 1;
  }

  std::uint16_t run = 0;
  for (std::size_t li = 0; li < out.label_count; ++li) {
    const std::string_view label = out.labels[li].text;
    std::size_t i = 0;
    while (i < label.size() && out.token_count < k_max_tokens) {
      const char c = label[i];
      if (c == '\\') {  // a presentation escape (\DDD or \c) is one odd byte, not digits
        i += (i + 3 < label.size() && is_digit(label[i + 1]) && is_digit(label[i + 2]) && is_digit(label[i + 3])) ? 4
                                                                                                                  : 2;
        continue;
      }
      if (!is_digit(c) && !is_lower(c)) {  // '-', '_', anything odd: a separator
        ++i;
        continue;
      }
      const bool numeric = is_digit(c);
      std::size_t j = i;
      while (j < label.size() && (numeric ? is_digit(label[j]) : is_lower(label[j]))) ++j;
      if (!numeric) ++run;  // letters break a numeric run; the next numbers start a new one
      out.tokens[out.token_count++] = Token{label.substr(i, j - i), static_cast<std::uint8_t>(li), numeric, run};
      if (!numeric) ++run;
      i = j;
    }
  }
  const std::size_t domain = PublicSuffixList::instance().registered_domain_labels(out.name, out.label_count);
  // A bare single label ("ubuntu-s-1vcpu-1gb-nyc1-01") is all host part.
  out.host_labels = out.label_count == 1 ? 1 : out.label_count > domain ? out.label_count - domain : 0;
}

}  // namespace rdns::checks::generic
