// libFuzzer target: checks/discovery SPF record parsing and expansion on arbitrary bytes. The
// input's lines are TXT records: all of them as the TXT answer of the top domain (the one SPF
// record is chosen and parsed), and each of them as the TXT answer of the names the record
// includes (an inline resolver picks a line per name), so includes, redirects, loops and the
// limits are fuzzed too.
// Invariants beyond "no crash, no hang": the selection agrees with is_spf_record; a parse is
// deterministic; every error is one line of printable ASCII; parsed networks are canonical;
// the expansion completes exactly once, inline, as ok/none/permerror (this resolver never
// fails), with canonical sorted networks and at most limit+1 DNS terms.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/discovery/spf_expander.hpp"
#include "checks/discovery/spf_record.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace discovery = rdns::checks::discovery;
using rdns::checks::DnsAnswer;
using rdns::checks::LookupStatus;
using rdns::checks::RrType;

namespace {

bool one_printable_line(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool canonical_network(const std::string& network) {
  const auto slash = network.find('/');
  if (slash == std::string::npos || slash + 1 >= network.size()) return false;
  const unsigned length = static_cast<unsigned>(std::stoul(network.substr(slash + 1)));
  const auto again = discovery::spf_network(network.substr(0, slash), length);
  return again && *again == network;
}

// Answers inline: TXT of the top domain with every line, of any other name with one line chosen
// by the name; A with an address, AAAA and MX from the name's length (some empty: void lookups).
class InlineResolver final : public rdns::checks::Resolver {
public:
  explicit InlineResolver(std::vector<std::string> lines) : m_lines(std::move(lines)) {}
  void resolve(std::string name, RrType type, Deadline, Callback done) override {
    DnsAnswer answer;
    answer.status = LookupStatus::ok;
    const std::size_t h = std::hash<std::string>{}(name);
    switch (type) {
      case RrType::TXT:
        if (name == "fuzz.example.test.") {
          answer.records = m_lines;
        } else if (!m_lines.empty()) {
          answer.records = {m_lines[h % m_lines.size()]};
        }
        break;
      case RrType::A: answer.records = {"192.0.2." + std::to_string(h % 256)}; break;
      case RrType::AAAA:
        if (h % 3 == 0) answer.records = {"2001:db8::" + std::to_string(h % 1000)};
        break;
      case RrType::MX:
        for (std::size_t i = 0; i < h % 13; ++i)
          answer.records.push_back("10 mx" + std::to_string(i) + ".example.test.");
        break;
      default: break;
    }
    if (answer.records.empty()) answer.status = (h % 2) ? LookupStatus::nodata : LookupStatus::nxdomain;
    done(std::move(answer));
  }

private:
  std::vector<std::string> m_lines;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  for (std::size_t start = 0; start <= input.size() && lines.size() < 16;) {
    const auto end = std::min(input.find('\n', start), input.size());
    lines.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }

  // Selection and parsing of each line.
  const discovery::SpfSelection selection = discovery::select_spf_record(lines);
  std::size_t spf = 0;
  for (const auto& line : lines) {
    if (discovery::is_spf_record(line)) ++spf;
    const auto parsed = discovery::parse_spf_record(line);
    const auto again = discovery::parse_spf_record(line);
    RDNS_FUZZ_CHECK(parsed.has_value() == again.has_value());
    if (!parsed) {
      RDNS_FUZZ_CHECK(!parsed.error().empty() && one_printable_line(parsed.error()));
      RDNS_FUZZ_CHECK(parsed.error() == again.error());
      continue;
    }
    RDNS_FUZZ_CHECK(discovery::is_spf_record(line));
    bool has_all = false;
    for (const auto& m : parsed->mechanisms) {
      if (m.kind == discovery::SpfMechanismKind::all) has_all = true;
      if (m.kind == discovery::SpfMechanismKind::ip4 || m.kind == discovery::SpfMechanismKind::ip6) {
        RDNS_FUZZ_CHECK(canonical_network(m.network));
      }
      RDNS_FUZZ_CHECK(m.cidr4 <= 32 && m.cidr6 <= 128);
      if (!m.domain.text.empty() && !m.domain.has_macro) RDNS_FUZZ_CHECK(discovery::spf_lookup_domain(m.domain.text));
    }
    RDNS_FUZZ_CHECK(has_all == parsed->has_all);
  }
  RDNS_FUZZ_CHECK(selection.count == spf);
  RDNS_FUZZ_CHECK((selection.kind == discovery::SpfSelection::Kind::none) == (spf == 0));
  RDNS_FUZZ_CHECK((selection.kind == discovery::SpfSelection::Kind::one) == (spf == 1));

  // The expansion over the inline resolver.
  InlineResolver resolver(lines);
  int calls = 0;
  discovery::SpfExpansion result;
  discovery::expand_spf(resolver, "fuzz.example.test", {}, std::chrono::steady_clock::now() + std::chrono::seconds(5),
                        [&](discovery::SpfExpansion e) {
                          ++calls;
                          result = std::move(e);
                        });
  RDNS_FUZZ_CHECK(calls == 1);
  RDNS_FUZZ_CHECK(result.outcome == discovery::SpfOutcome::ok || result.outcome == discovery::SpfOutcome::none ||
                  result.outcome == discovery::SpfOutcome::permerror);
  RDNS_FUZZ_CHECK(one_printable_line(result.error));
  RDNS_FUZZ_CHECK((result.outcome == discovery::SpfOutcome::permerror) == !result.error.empty());
  RDNS_FUZZ_CHECK(result.dns_terms <= discovery::SpfLimits{}.max_dns_terms + 1);
  if (result.outcome == discovery::SpfOutcome::none)
    RDNS_FUZZ_CHECK(selection.kind == discovery::SpfSelection::Kind::none);
  for (const auto& network : result.networks) RDNS_FUZZ_CHECK(canonical_network(network));
  for (const auto& text : result.not_expandable) RDNS_FUZZ_CHECK(one_printable_line(text));
  if (result.outcome != discovery::SpfOutcome::ok) RDNS_FUZZ_CHECK(result.networks.empty());
  return 0;
}
