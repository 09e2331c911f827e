// Query encoding and reply decoding for direct questions to name servers; see server_wire.hpp.
#include "checks/zone/server_wire.hpp"

#include <cctype>

namespace rdns::checks::zone {
namespace {

constexpr std::size_t k_header = 12;

std::uint16_t read_u16(wire::Bytes b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }
std::uint32_t read_u32(wire::Bytes b, std::size_t at) {
  return (std::uint32_t{read_u16(b, at)} << 16) | std::uint32_t{read_u16(b, at + 2)};
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

// Presentation form -> wire labels, escapes resolved.
tl::expected<std::vector<std::uint8_t>, std::string> encode_name(std::string_view name) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> label;
  auto close_label = [&]() -> bool {
    if (label.empty()) return true;
    if (label.size() > wire::k_max_label_octets) return false;
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    label.clear();
    return true;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 3 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 1])) != 0) {
      const int value = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
      if (value > 255) return tl::unexpected("bad escape in " + std::string(name));
      label.push_back(static_cast<std::uint8_t>(value));
      i += 3;
    } else if (c == '\\' && i + 1 < name.size()) {
      label.push_back(static_cast<std::uint8_t>(name[++i]));
    } else if (c == '.') {
      if (label.empty() && i + 1 != name.size()) return tl::unexpected("empty label in " + std::string(name));
      if (!close_label()) return tl::unexpected("label over 63 octets in " + std::string(name));
    } else {
      label.push_back(static_cast<std::uint8_t>(c));
    }
  }
  if (!close_label()) return tl::unexpected("label over 63 octets in " + std::string(name));
  out.push_back(0);
  if (out.size() > wire::k_max_name_octets) return tl::unexpected("name over 255 octets: " + std::string(name));
  return out;
}

tl::expected<std::string, std::string> decode_rdata(wire::Bytes message, std::size_t rdata, std::size_t end,
                                                    std::uint16_t type, std::uint32_t& serial) {
  const wire::Bytes bytes = message.subspan(rdata, end - rdata);
  switch (static_cast<RrType>(type)) {
    case RrType::PTR:
    case RrType::CNAME:
    case RrType::NS: {
      auto name = wire::decode_name_at(message, rdata, true);
      if (!name) return tl::unexpected(name.error());
      if (name->next != end) return tl::unexpected(std::string("bytes after the name in rdata"));
      return name->name;
    }
    case RrType::SOA: {
      auto mname = wire::decode_name_at(message, rdata, true);
      if (!mname) return tl::unexpected(mname.error());
      auto rname = wire::decode_name_at(message, mname->next, true);
      if (!rname) return tl::unexpected(rname.error());
      if (rname->next + 20 != end) return tl::unexpected(std::string("SOA rdata of the wrong length"));
      wire::Soa soa{mname->name,
                    rname->name,
                    read_u32(message, end - 20),
                    read_u32(message, end - 16),
                    read_u32(message, end - 12),
                    read_u32(message, end - 8),
                    read_u32(message, end - 4)};
      serial = soa.serial;
      return wire::soa_text(soa);
    }
    case RrType::A: return wire::decode_address(bytes, RrType::A);
    case RrType::AAAA: return wire::decode_address(bytes, RrType::AAAA);
    default: return std::string();
  }
}

}  // namespace

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

tl::expected<std::vector<std::uint8_t>, std::string> encode_query(std::uint16_t id, std::string_view name,
                                                                  RrType type) {
  auto qname = encode_name(name);
  if (!qname) return tl::unexpected(qname.error());
  std::vector<std::uint8_t> out;
  out.reserve(k_header + qname->size() + 4 + 11);
  put_u16(out, id);
  put_u16(out, 0);  // QUERY, RD clear: the server must answer from its own data
  put_u16(out, 1);  // QDCOUNT
  put_u16(out, 0);
  put_u16(out, 0);
  put_u16(out, 1);  // ARCOUNT: the OPT record
  out.insert(out.end(), qname->begin(), qname->end());
  put_u16(out, static_cast<std::uint16_t>(type));
  put_u16(out, 1);   // IN
  out.push_back(0);  // OPT: root owner
  put_u16(out, 41);
  put_u16(out, k_edns_buffer);
  put_u16(out, 0);  // extended rcode, version
  put_u16(out, 0);  // flags (no DO: we compare data, not signatures)
  put_u16(out, 0);  // no options
  return out;
}

tl::expected<Reply, std::string> decode_reply(wire::Bytes message, std::uint16_t id, std::string_view name,
                                              RrType type) {
  if (message.size() < k_header) return tl::unexpected(std::string("reply shorter than a DNS header"));
  if (read_u16(message, 0) != id) return tl::unexpected(std::string("reply to another query id"));
  const std::uint16_t flags = read_u16(message, 2);
  if ((flags & 0x8000) == 0) return tl::unexpected(std::string("not a reply (QR clear)"));
  Reply reply;
  reply.rcode = static_cast<std::uint8_t>(flags & 0x000f);
  reply.authoritative = (flags & 0x0400) != 0;
  reply.truncated = (flags & 0x0200) != 0;
  const std::size_t qdcount = read_u16(message, 4);
  const std::size_t ancount = read_u16(message, 6);
  const std::size_t nscount = read_u16(message, 8);
  if (qdcount != 1) return tl::unexpected("reply with " + std::to_string(qdcount) + " questions");
  auto question = wire::decode_name_at(message, k_header, true);
  if (!question || question->next + 4 > message.size()) return tl::unexpected(std::string("question truncated"));
  if (!same_name(question->name, name) || read_u16(message, question->next) != static_cast<std::uint16_t>(type)) {
    return tl::unexpected("reply for another question (" + question->name + ")");
  }
  std::size_t pos = question->next + 4;
  if (reply.truncated) return reply;  // the records are incomplete: the caller retries over TCP
  for (std::size_t i = 0; i < ancount + nscount; ++i) {
    auto owner = wire::decode_name_at(message, pos, true);
    if (!owner || owner->next + 10 > message.size()) return tl::unexpected(std::string("record truncated"));
    const std::size_t fixed = owner->next;
    const std::uint16_t rtype = read_u16(message, fixed);
    const std::size_t rdata = fixed + 10;
    const std::size_t end = rdata + read_u16(message, fixed + 8);
    if (end > message.size()) return tl::unexpected(std::string("rdata past the end of the reply"));
    ReplyRecord record{owner->name, rtype, {}, 0};
    if (read_u16(message, fixed + 2) == 1) {
      auto data = decode_rdata(message, rdata, end, rtype, record.serial);
      if (!data) return tl::unexpected("bad rdata: " + data.error());
      record.data = std::move(*data);
    }
    (i < ancount ? reply.answer : reply.authority).push_back(std::move(record));
    pos = end;
  }
  return reply;
}

}  // namespace rdns::checks::zone
