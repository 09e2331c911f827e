#include "agent/json_text.hpp"

namespace rdns::agent {

std::string json_string(std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20 || byte >= 0x7f) {
          out += "\\u00";
          out += k_hex[byte >> 4];
          out += k_hex[byte & 0x0f];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace rdns::agent
