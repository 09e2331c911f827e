// Bounds-checked wire-format decoding; see dns_wire.hpp.
#include "checks/dns_wire.hpp"

#include <arpa/inet.h>

#include <array>

namespace rdns::checks::wire {
namespace {

bool is_plain(std::uint8_t c) {
  // Printable ASCII except the characters that are special in presentation form.
  if (c <= 0x20 || c >= 0x7f) {
    return false;
  }
  switch (c) {
    case '.':
    case '"':
    case '\\':
    case '(':
    case ')':
    case ';':
    case '@':
    case '$': return false;
    default: return true;
  }
}

bool is_special(std::uint8_t c) {
  return c == '.' || c == '"' || c == '\\' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$';
}

std::uint32_t read_u32(Bytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

std::uint16_t read_u16(Bytes b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }

}  // namespace

void append_escaped_label(std::string& out, Bytes label) {
  for (const std::uint8_t c : label) {
    if (is_plain(c)) {
      out.push_back(static_cast<char>(c));
    } else if (is_special(c)) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      const std::array<char, 4> ddd = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + (c / 10) % 10),
                                       static_cast<char>('0' + c % 10)};
      out.append(ddd.data(), ddd.size());
    }
  }
}

tl::expected<DecodedName, std::string> decode_name_at(Bytes message, std::size_t offset, bool allow_compression) {
  std::string name;
  std::size_t octets = 1;  // the root label
  std::size_t pos = offset;
  std::optional<std::size_t> next;  // set at the first pointer followed
  std::size_t pointers = 0;
  // Every pointer must point strictly before the pointer itself, so the walk always ends; the
  // cap keeps it short.
  while (true) {
    if (pos >= message.size()) {
      return tl::unexpected(std::string("name truncated"));
    }
    const std::uint8_t len = message[pos];
    const std::uint8_t kind = len & 0xC0;
    if (kind == 0xC0) {
      if (!allow_compression) {
        return tl::unexpected(std::string("compression pointer where none is allowed"));
      }
      if (pos + 1 >= message.size()) {
        return tl::unexpected(std::string("compression pointer truncated"));
      }
      const std::size_t target = static_cast<std::size_t>(read_u16(message, pos) & 0x3FFF);
      if (target >= pos) {
        return tl::unexpected(std::string("compression pointer does not point backwards"));
      }
      if (++pointers > k_max_compression_pointers) {
        return tl::unexpected(std::string("too many compression pointers"));
      }
      if (!next) {
        next = pos + 2;
      }
      pos = target;
      continue;
    }
    if (kind != 0) {
      return tl::unexpected(std::string("reserved label type"));
    }
    if (len == 0) {
      break;
    }
    octets += 1 + len;
    if (octets > k_max_name_octets) {
      return tl::unexpected(std::string("name longer than 255 octets"));
    }
    if (pos + 1 + len > message.size()) {
      return tl::unexpected(std::string("label truncated"));
    }
    append_escaped_label(name, message.subspan(pos + 1, len));
    name.push_back('.');
    pos += 1 + len;
  }
  if (name.empty()) {
    // The root name. push_back, not `name = "."`: GCC 12 at -O3 inlines that assignment into a
    // memcpy whose bounds it cannot prove and warns (a known -Wrestrict false positive).
    name.push_back('.');
  }
  return DecodedName{std::move(name), next.value_or(pos + 1)};
}

tl::expected<std::string, std::string> decode_name(Bytes rdata) {
  auto decoded = decode_name_at(rdata, 0, false);
  if (!decoded) {
    return tl::unexpected(decoded.error());
  }
  if (decoded->next != rdata.size()) {
    return tl::unexpected(std::string("trailing bytes after the name"));
  }
  return std::move(decoded->name);
}

namespace {

// SOA rdata starting at `offset` of `message` and ending at `end`.
[[nodiscard]] tl::expected<Soa, std::string> decode_soa_in(Bytes message, std::size_t offset, std::size_t end,
                                                           bool allow_compression) {
  auto mname = decode_name_at(message, offset, allow_compression);
  if (!mname) {
    return tl::unexpected("SOA MNAME: " + mname.error());
  }
  auto rname = decode_name_at(message, mname->next, allow_compression);
  if (!rname) {
    return tl::unexpected("SOA RNAME: " + rname.error());
  }
  if (rname->next > end || end - rname->next != 20) {
    return tl::unexpected(std::string("SOA rdata has the wrong length"));
  }
  const std::size_t p = rname->next;
  return Soa{std::move(mname->name),   std::move(rname->name),    read_u32(message, p),     read_u32(message, p + 4),
             read_u32(message, p + 8), read_u32(message, p + 12), read_u32(message, p + 16)};
}

}  // namespace

tl::expected<Soa, std::string> decode_soa_rdata(Bytes rdata) { return decode_soa_in(rdata, 0, rdata.size(), false); }

std::string soa_text(const Soa& soa) {
  return soa.mname + " " + soa.rname + " " + std::to_string(soa.serial) + " " + std::to_string(soa.refresh) + " " +
         std::to_string(soa.retry) + " " + std::to_string(soa.expire) + " " + std::to_string(soa.minimum);
}

std::string without_trailing_dot(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') {
    // "a\." ends in an escaped dot, which is part of the label, not the root separator.
    std::size_t backslashes = 0;
    for (std::size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      name.remove_suffix(1);
    }
  }
  return std::string(name);
}

std::string rname_to_mail(std::string_view rname) {
  if (rname.empty() || rname == ".") {
    return "";
  }
  std::string local;
  std::size_t i = 0;
  for (; i < rname.size(); ++i) {
    const char c = rname[i];
    if (c == '\\' && i + 1 < rname.size() && rname[i + 1] == '.') {
      local.push_back('.');
      ++i;
    } else if (c == '\\' && i + 1 < rname.size()) {
      local.push_back(c);
      local.push_back(rname[++i]);
    } else if (c == '.') {
      break;
    } else {
      local.push_back(c);
    }
  }
  const std::string domain = without_trailing_dot(rname.substr(std::min(i + 1, rname.size())));
  if (domain.empty() || domain == ".") {
    return local;
  }
  return local + "@" + domain;
}

std::optional<SoaInfo> find_authority_soa(Bytes message) {
  constexpr std::size_t k_header = 12;
  if (message.size() < k_header) {
    return std::nullopt;
  }
  const std::size_t qdcount = read_u16(message, 4);
  const std::size_t ancount = read_u16(message, 6);
  const std::size_t nscount = read_u16(message, 8);
  std::size_t pos = k_header;
  for (std::size_t i = 0; i < qdcount; ++i) {
    auto name = decode_name_at(message, pos, true);
    if (!name || name->next + 4 > message.size()) {
      return std::nullopt;
    }
    pos = name->next + 4;
  }
  for (std::size_t i = 0; i < ancount + nscount; ++i) {
    auto owner = decode_name_at(message, pos, true);
    if (!owner || owner->next + 10 > message.size()) {
      return std::nullopt;
    }
    const std::size_t fixed = owner->next;
    const std::uint16_t type = read_u16(message, fixed);
    const std::uint16_t klass = read_u16(message, fixed + 2);
    const std::size_t rdlength = read_u16(message, fixed + 8);
    const std::size_t rdata = fixed + 10;
    if (rdata + rdlength > message.size()) {
      return std::nullopt;
    }
    if (i >= ancount && type == static_cast<std::uint16_t>(RrType::SOA) && klass == 1) {
      auto soa = decode_soa_in(message, rdata, rdata + rdlength, true);
      if (!soa) {
        return std::nullopt;
      }
      return SoaInfo{without_trailing_dot(owner->name), without_trailing_dot(soa->mname), rname_to_mail(soa->rname)};
    }
    pos = rdata + rdlength;
  }
  return std::nullopt;
}

tl::expected<std::string, std::string> decode_address(Bytes rdata, RrType type) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (type == RrType::A && rdata.size() == 4) {
    return std::string(inet_ntop(AF_INET, rdata.data(), text.data(), text.size()));
  }
  if (type == RrType::AAAA && rdata.size() == 16) {
    return std::string(inet_ntop(AF_INET6, rdata.data(), text.data(), text.size()));
  }
  return tl::unexpected("address rdata of " + std::to_string(rdata.size()) + " bytes");
}

tl::expected<std::string, std::string> decode_txt(Bytes rdata) {
  if (rdata.empty()) {
    return tl::unexpected(std::string("empty TXT rdata"));
  }
  std::string text;
  text.reserve(rdata.size());
  std::size_t pos = 0;
  while (pos < rdata.size()) {
    const std::size_t len = rdata[pos];
    if (pos + 1 + len > rdata.size()) {
      return tl::unexpected(std::string("TXT character-string truncated"));
    }
    text.append(reinterpret_cast<const char*>(rdata.data() + pos + 1), len);
    pos += 1 + len;
  }
  return text;
}

tl::expected<std::string, std::string> decode_mx(Bytes rdata) {
  if (rdata.size() < 3) {
    return tl::unexpected("MX rdata of " + std::to_string(rdata.size()) + " bytes");
  }
  const unsigned preference = (unsigned{rdata[0]} << 8U) | rdata[1];
  auto exchange = decode_name(rdata.subspan(2));
  if (!exchange) {
    return tl::unexpected("MX exchange: " + exchange.error());
  }
  return std::to_string(preference) + " " + *exchange;
}

}  // namespace rdns::checks::wire
