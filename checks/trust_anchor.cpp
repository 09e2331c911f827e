#include "checks/trust_anchor.hpp"

#include <strings.h>
#include <algorithm>
#include <charconv>
#include <optional>

namespace rdns::checks {
namespace {

constexpr std::uint16_t k_flag_revoke = 0x0080;
// libunbound's autotrust states (validator/autotrust.h): START 0, ADDPEND 1, VALID 2, MISSING 3,
// REVOKED 4, REMOVED 5. VALID and MISSING keys are the ones it trusts.
constexpr int k_state_valid = 2;
constexpr int k_state_missing = 3;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string_view> tokens_of(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '(' || text[i] == ')' || text[i] == '\r')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '(' && text[i] != ')' &&
           text[i] != '\r') {
      ++i;
    }
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// The RFC 5011 state a `;;state=N [ NAME ]` comment gives, when there is one.
std::optional<int> autotrust_state(std::string_view comment) {
  const auto at = comment.find("state=");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t end = at + 6;
  while (end < comment.size() && comment[end] >= '0' && comment[end] <= '9') ++end;
  return number<int>(comment.substr(at + 6, end - at - 6));
}

// The key tag one anchor line trusts, if it is a root DS or a trusted root DNSKEY.
std::optional<std::uint16_t> root_tag_of_line(std::string_view line) {
  const auto semicolon = line.find(';');
  const auto data = line.substr(0, semicolon);
  const auto comment = semicolon == std::string_view::npos ? std::string_view{} : line.substr(semicolon);
  if (data.empty() || data.front() == ' ' || data.front() == '\t') return std::nullopt;  // no owner
  const auto tokens = tokens_of(data);
  if (tokens.empty() || tokens.front() != ".") return std::nullopt;
  if (const auto state = autotrust_state(comment); state && *state != k_state_valid && *state != k_state_missing) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (iequals(tokens[i], "DS") && i + 1 < tokens.size()) return number<std::uint16_t>(tokens[i + 1]);
    if (!iequals(tokens[i], "DNSKEY") || i + 4 >= tokens.size()) continue;
    const auto flags = number<std::uint16_t>(tokens[i + 1]);
    const auto protocol = number<std::uint8_t>(tokens[i + 2]);
    const auto algorithm = number<std::uint8_t>(tokens[i + 3]);
    std::string key;
    for (std::size_t k = i + 4; k < tokens.size(); ++k) key += tokens[k];
    const auto decoded = base64_decode(key);
    if (!flags || !protocol || !algorithm || !decoded || (*flags & k_flag_revoke) != 0) return std::nullopt;
    return dnskey_key_tag(*flags, *protocol, *algorithm, *decoded);
  }
  return std::nullopt;
}

}  // namespace

std::uint16_t dnskey_key_tag(std::uint16_t flags, std::uint8_t protocol, std::uint8_t algorithm,
                             std::span<const std::uint8_t> public_key) {
  std::vector<std::uint8_t> rdata = {static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags & 0xFF),
                                     protocol, algorithm};
  rdata.insert(rdata.end(), public_key.begin(), public_key.end());
  std::uint32_t ac = 0;
  for (std::size_t i = 0; i < rdata.size(); ++i) {
    ac += (i & 1) != 0 ? rdata[i] : static_cast<std::uint32_t>(rdata[i]) << 8;
  }
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<std::uint16_t>(ac & 0xFFFF);
}

std::vector<std::uint16_t> root_anchor_key_tags(std::string_view anchor_text) {
  std::vector<std::uint16_t> tags;
  while (!anchor_text.empty()) {
    const auto newline = anchor_text.find('\n');
    const auto line = anchor_text.substr(0, newline);
    anchor_text = newline == std::string_view::npos ? std::string_view{} : anchor_text.substr(newline + 1);
    if (const auto tag = root_tag_of_line(line)) tags.push_back(*tag);
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

std::string key_tags_text(const std::vector<std::uint16_t>& tags) {
  std::string text;
  for (const auto tag : tags) {
    if (!text.empty()) text += ',';
    text += std::to_string(tag);
  }
  return text;
}

std::string_view builtin_root_anchors() {
  // From IANA's root-anchors.xml, as Debian's dns-root-data ships them in root.ds.
  return ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
         ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";
}

}  // namespace rdns::checks
