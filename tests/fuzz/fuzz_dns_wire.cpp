// libFuzzer target: checks/dns_wire on arbitrary bytes, read as name rdata, as SOA rdata, as
// A/AAAA rdata, as TXT and MX rdata, and as a whole DNS message (compression pointers, loops,
// truncation).
// Invariants beyond "no crash, no hang": every decoded name is valid presentation text that
// parses back to exactly the wire bytes it came from (escaping is canonical), names and labels
// respect the RFC 1035 limits, offsets stay inside the input, and address text round-trips.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dns_wire.hpp"
#include "checks/zone/server_wire.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace wire = rdns::checks::wire;

namespace {

bool is_special(char c) {
  return c == '.' || c == '"' || c == '\\' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$';
}

// Presentation form as append_escaped_label writes it -> wire bytes; nullopt when the text is
// not exactly that canonical form (a plain character escaped, a special one bare, a bad \DDD).
std::optional<std::vector<std::uint8_t>> to_wire(std::string_view name) {
  if (name == ".") return std::vector<std::uint8_t>{0};
  std::vector<std::uint8_t> out, label;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c == '.') {
      if (label.empty() || label.size() > wire::k_max_label_octets) return std::nullopt;
      out.push_back(static_cast<std::uint8_t>(label.size()));
      out.insert(out.end(), label.begin(), label.end());
      label.clear();
    } else if (c == '\\') {
      if (i + 1 >= name.size()) return std::nullopt;
      const char next = name[i + 1];
      if (next >= '0' && next <= '9') {
        if (i + 3 >= name.size()) return std::nullopt;
        int value = 0;
        for (std::size_t k = 1; k <= 3; ++k) {
          const char d = name[i + k];
          if (d < '0' || d > '9') return std::nullopt;
          value = value * 10 + (d - '0');
        }
        // Only bytes that are neither plain nor special are written as \DDD.
        if (value > 255 || (value > 0x20 && value < 0x7f)) return std::nullopt;
        label.push_back(static_cast<std::uint8_t>(value));
        i += 3;
      } else {
        if (!is_special(next)) return std::nullopt;
        label.push_back(static_cast<std::uint8_t>(next));
        i += 1;
      }
    } else {
      if (c <= 0x20 || c >= 0x7f || is_special(static_cast<char>(c))) return std::nullopt;
      label.push_back(c);
    }
  }
  if (!label.empty()) return std::nullopt;  // must end with the root's dot
  out.push_back(0);
  return out;
}

void check_name(std::string_view name) {
  const auto bytes = to_wire(name);
  RDNS_FUZZ_CHECK(bytes.has_value());
  RDNS_FUZZ_CHECK(bytes->size() <= wire::k_max_name_octets);
}

// One line of printable ASCII that also cannot be split into words: names and mailboxes.
bool printable(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

void check_address(wire::Bytes bytes, rdns::checks::RrType type, std::size_t size, int family) {
  const auto text = wire::decode_address(bytes, type);
  RDNS_FUZZ_CHECK(text.has_value() == (bytes.size() == size));
  if (!text) return;
  std::array<std::uint8_t, 16> back{};
  RDNS_FUZZ_CHECK(::inet_pton(family, text->c_str(), back.data()) == 1);
  RDNS_FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), back.begin()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wire::Bytes bytes(data, size);

  // The whole input as uncompressed name rdata (PTR/CNAME/NS): round-trips exactly.
  if (auto name = wire::decode_name(bytes)) {
    const auto back = to_wire(*name);
    RDNS_FUZZ_CHECK(back.has_value());
    RDNS_FUZZ_CHECK(std::equal(back->begin(), back->end(), bytes.begin(), bytes.end()));
  }

  // A name inside a message, compression allowed, at a few offsets.
  for (const std::size_t offset : {std::size_t{0}, std::size_t{12}, size > 0 ? std::size_t{data[0]} : 0}) {
    auto at = wire::decode_name_at(bytes, offset, true);
    if (!at) continue;
    check_name(at->name);
    RDNS_FUZZ_CHECK(at->next > offset && at->next <= size);
    // Without compression the same bytes decode the same way, or fail (they had a pointer).
    auto flat = wire::decode_name_at(bytes, offset, false);
    if (flat) {
      RDNS_FUZZ_CHECK(flat->name == at->name && flat->next == at->next);
      const auto back = to_wire(flat->name);
      RDNS_FUZZ_CHECK(std::equal(back->begin(), back->end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                                 bytes.begin() + static_cast<std::ptrdiff_t>(flat->next)));
    }
  }

  // SOA rdata: both names valid, and the record text has exactly its seven fields.
  if (auto soa = wire::decode_soa_rdata(bytes)) {
    check_name(soa->mname);
    check_name(soa->rname);
    const std::string text = wire::soa_text(*soa);
    RDNS_FUZZ_CHECK(std::count(text.begin(), text.end(), ' ') == 6);
    RDNS_FUZZ_CHECK(printable(wire::rname_to_mail(soa->rname)));
  }

  // A whole message: the authority SOA, as who controls the zone.
  if (auto info = wire::find_authority_soa(bytes)) {
    RDNS_FUZZ_CHECK(!info->zone.empty() && printable(info->zone));
    RDNS_FUZZ_CHECK(!info->primary_ns.empty() && printable(info->primary_ns));
    RDNS_FUZZ_CHECK(printable(info->responsible));
  }

  // TXT rdata: accepted exactly when the character-strings tile the input; the text is the input
  // minus one length octet per string.
  if (auto txt = wire::decode_txt(bytes)) {
    std::size_t pos = 0, strings = 0;
    while (pos < size) {
      pos += 1 + data[pos];
      ++strings;
    }
    RDNS_FUZZ_CHECK(pos == size && size > 0);
    RDNS_FUZZ_CHECK(txt->size() == size - strings);
  }

  // MX rdata: "preference name." where the name round-trips to the bytes after the preference.
  if (auto mx = wire::decode_mx(bytes)) {
    const auto space = mx->find(' ');
    RDNS_FUZZ_CHECK(space != std::string::npos && size >= 3);
    RDNS_FUZZ_CHECK(mx->substr(0, space) == std::to_string((unsigned{data[0]} << 8U) | data[1]));
    const auto back = to_wire(std::string_view(*mx).substr(space + 1));
    RDNS_FUZZ_CHECK(back.has_value() && std::equal(back->begin(), back->end(), bytes.begin() + 2, bytes.end()));
  }

  // A name server's direct reply (checks/zone/), decoded for the id and question it carries:
  // every record's owner is a valid name and its data one line of printable ASCII (an SOA's
  // text has its fields separated by single spaces).
  if (size > 12) {
    auto question = wire::decode_name_at(bytes, 12, true);
    if (question && question->next + 2 <= size) {
      const auto type = static_cast<rdns::checks::RrType>((data[question->next] << 8) | data[question->next + 1]);
      const auto id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
      if (auto reply = rdns::checks::zone::decode_reply(bytes, id, question->name, type)) {
        for (const auto* section : {&reply->answer, &reply->authority}) {
          for (const auto& record : *section) {
            check_name(record.owner);
            RDNS_FUZZ_CHECK(std::all_of(record.data.begin(), record.data.end(), [](char c) {
              return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
            }));
          }
        }
      }
    }
  }

  check_address(bytes, rdns::checks::RrType::A, 4, AF_INET);
  check_address(bytes, rdns::checks::RrType::AAAA, 16, AF_INET6);
  return 0;
}
