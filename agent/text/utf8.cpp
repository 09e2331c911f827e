// UTF-8 validation and JSON escaping; see utf8.hpp.
#include "agent/text/utf8.hpp"

#include <cstdint>

namespace rdns::agent::text {
namespace {

bool in(std::uint8_t byte, std::uint8_t low, std::uint8_t high) { return byte >= low && byte <= high; }

void append_u_escape(std::string& out, std::uint32_t code_point) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += k_hex[(code_point >> shift) & 0x0f];
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  if (at >= text.size()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[at + i]); };
  const std::size_t left = text.size() - at;
  const std::uint8_t lead = byte(0);
  if (lead <= 0x7f) return 1;
  // The allowed range of the second byte depends on the lead byte (Unicode table 3-7); every
  // further byte is a plain continuation byte 80..BF.
  std::size_t length = 0;
  std::uint8_t second_low = 0x80, second_high = 0xbf;
  if (in(lead, 0xc2, 0xdf)) {
    length = 2;
  } else if (lead == 0xe0) {
    length = 3, second_low = 0xa0;  // no overlong forms
  } else if (in(lead, 0xe1, 0xec) || lead == 0xee || lead == 0xef) {
    length = 3;
  } else if (lead == 0xed) {
    length = 3, second_high = 0x9f;  // no surrogates
  } else if (lead == 0xf0) {
    length = 4, second_low = 0x90;  // no overlong forms
  } else if (in(lead, 0xf1, 0xf3)) {
    length = 4;
  } else if (lead == 0xf4) {
    length = 4, second_high = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;  // 80..C1 (continuation or overlong lead), F5..FF
  }
  if (left < length || !in(byte(1), second_low, second_high)) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!in(byte(i), 0x80, 0xbf)) return 0;
  }
  return length;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string json_escape_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const auto lead = static_cast<std::uint8_t>(text[i]);
    if (n == 1) {
      switch (lead) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (lead < 0x20 || lead == 0x7f) {
            append_u_escape(out, lead);
          } else {
            out += static_cast<char>(lead);
          }
      }
    } else {
      const auto second = static_cast<std::uint8_t>(text[i + 1]);
      if (n == 2 && lead == 0xc2 && second <= 0x9f) {
        append_u_escape(out, second);  // C1 controls U+0080..U+009F
      } else if (n == 3 && lead == 0xe2 && second == 0x80 &&
                 (static_cast<std::uint8_t>(text[i + 2]) == 0xa8 || static_cast<std::uint8_t>(text[i + 2]) == 0xa9)) {
        append_u_escape(out, 0x2000u | static_cast<std::uint8_t>(text[i + 2] & 0x3f));  // U+2028, U+2029
      } else {
        out.append(text.substr(i, n));
      }
    }
    i += n;
  }
  return out;
}

}  // namespace rdns::agent::text
