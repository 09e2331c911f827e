#include "util/text_escape.hpp"

namespace rdns::text {
namespace {

constexpr char k_hex[] = "0123456789abcdef";
constexpr std::string_view k_replacement = "\xef\xbf\xbd";  // U+FFFD

void append_hex_escape(std::string& out, std::string_view prefix, unsigned char byte) {
  out += prefix;
  out += k_hex[byte >> 4];
  out += k_hex[byte & 0x0f];
}

// The escapes one_line() and quote() share.
bool append_control(std::string& out, unsigned char byte) {
  switch (byte) {
    case '\n': out += "\\n"; return true;
    case '\r': out += "\\r"; return true;
    case '\t': out += "\\t"; return true;
    default: break;
  }
  if (byte < 0x20 || byte == 0x7f) {
    append_hex_escape(out, "\\x", byte);
    return true;
  }
  return false;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  if (i >= text.size()) return 0;
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned code = 0;
  unsigned min = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, code = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, code = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, code = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xc0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

namespace {

// Copies the UTF-8 sequence at text[i] to `out`, or U+FFFD for one byte that starts none;
// returns how many bytes of `text` it consumed.
std::size_t append_utf8_or_replacement(std::string& out, std::string_view text, std::size_t i) {
  const std::size_t length = utf8_sequence_length(text, i);
  if (length == 0) {
    out += k_replacement;
    return 1;
  }
  out.append(text.substr(i, length));
  return length;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      i += append_utf8_or_replacement(out, text, i);
      continue;
    }
    switch (byte) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          append_hex_escape(out, "\\u00", byte);
        } else {
          out += static_cast<char>(byte);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string logfmt_value(std::string_view text) {
  bool needs_quotes = text.empty();
  for (unsigned char c : text) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) needs_quotes = true;
  }
  if (!needs_quotes) return std::string(text);
  return json_string(text);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      i += append_utf8_or_replacement(out, text, i);
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
          out += k_replacement;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!append_control(out, static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (!append_control(out, static_cast<unsigned char>(c))) {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace rdns::text
