// Which of libunbound's default local zones we lift, and why (see default_zones.hpp).
#include "checks/unbound/default_zones.hpp"
#include "util/unique_fd.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace rdns::checks::unbound {
namespace {

// Reverse zones of the documentation ranges (RFC 5737, RFC 3849). Lifted, but still validated
// normally: a private test world may sign them (ours signs 113.0.203.in-addr.arpa.), and the
// real ones are provably insecure delegations anyway.
constexpr std::array<std::string_view, 4> k_documentation_zones = {
    "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."};

// Every other reverse zone libunbound 1.17 blocks (its AS112 list, RFC 6303): RFC 1918,
// RFC 6598, 0/8, link-local, broadcast, ::/128, ULA, fe80::/10. Lifted AND domain-insecure: in
// the global DNS they are unsigned delegations under a signed in-addr.arpa/ip6.arpa, while a
// site resolver (forward/system mode) typically serves them itself, unsigned, which would make
// a validating libunbound report them bogus. unbound's own insecure-lan-zones is not used: it
// also covers the documentation zones above and would hide their DNSSEC verdicts.
std::vector<std::string> private_reverse_zones() {
  std::vector<std::string> zones = {"10.in-addr.arpa."};
  for (int octet = 16; octet <= 31; ++octet) {
    zones.push_back(std::to_string(octet) + ".172.in-addr.arpa.");
  }
  zones.emplace_back("168.192.in-addr.arpa.");
  zones.emplace_back("0.in-addr.arpa.");
  for (int octet = 64; octet <= 127; ++octet) {
    zones.push_back(std::to_string(octet) + ".100.in-addr.arpa.");
  }
  zones.emplace_back("254.169.in-addr.arpa.");
  zones.emplace_back("255.255.255.255.in-addr.arpa.");
  std::string unspecified;  // ::/128
  for (int nibble = 0; nibble < 32; ++nibble) {
    unspecified += "0.";
  }
  zones.push_back(unspecified + "ip6.arpa.");
  for (const char* zone :
       {"d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa."}) {
    zones.emplace_back(zone);
  }
  return zones;
}

// Owns the file libunbound reads the overrides from; closes (and unlinks) it when done.
class OverrideFile {
public:
  OverrideFile() = default;
  ~OverrideFile() {
    if (!m_unlink.empty()) {
      ::unlink(m_unlink.c_str());
    }
  }
  OverrideFile(const OverrideFile&) = delete;
  OverrideFile& operator=(const OverrideFile&) = delete;

  // Writes `text` to a memfd, or (no memfd, or no /proc) to a 0600 mkstemp file.
  [[nodiscard]] tl::expected<void, std::string> write(const std::string& text, OverrideTransport transport) {
    if (transport == OverrideTransport::memfd_or_file) {
      m_fd.reset(::memfd_create("rdns-unbound-defaults", MFD_CLOEXEC));
    }
    if (m_fd.valid()) {
      m_path = "/proc/self/fd/" + std::to_string(m_fd.get());
      if (write_all(text) && ::access(m_path.c_str(), R_OK) == 0) {
        return {};
      }
      m_fd.reset();
    }
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp") + "/rdns-unbound-defaults-XXXXXX";
    m_fd.reset(::mkstemp(tmpl.data()));
    if (!m_fd.valid()) {
      return tl::unexpected("libunbound: cannot write the default-zone overrides (" + tmpl +
                            "): " + std::strerror(errno));
    }
    m_path = m_unlink = tmpl;
    if (!write_all(text)) {
      return tl::unexpected("libunbound: cannot write the default-zone overrides (" + tmpl +
                            "): " + std::strerror(errno));
    }
    return {};
  }

  const std::string& path() const { return m_path; }

private:
  bool write_all(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(m_fd.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  UniqueFd m_fd;
  std::string m_path;
  std::string m_unlink;
};

}  // namespace

std::string default_zone_overrides() {
  std::string conf = "server:\n";
  // Also lifts whatever AS112 list the linked libunbound version has beyond ours.
  conf += "    unblock-lan-zones: yes\n";
  // test. (RFC 6761): private test and staging DNS serve it, and a PTR pointing into it must be
  // checked against that DNS; on the Internet the root answers NXDOMAIN for it anyway.
  // Deliberately kept: localhost. and the loopback reverse zones (the host itself, RFC 6761),
  // invalid. and onion. (never exist, RFC 6761/7686: the real DNS says NXDOMAIN too, so the
  // local answer is the true one) and home.arpa. (RFC 8375, homenet-local names).
  conf += "    local-zone: \"test.\" nodefault\n";
  for (const auto zone : k_documentation_zones) {
    conf += "    local-zone: \"" + std::string(zone) + "\" nodefault\n";
  }
  for (const auto& zone : private_reverse_zones()) {
    conf += "    local-zone: \"" + zone + "\" nodefault\n";
    conf += "    domain-insecure: \"" + zone + "\"\n";
  }
  return conf;
}

tl::expected<void, std::string> load_default_zone_overrides(ub_ctx* ctx, OverrideTransport transport) {
  OverrideFile file;
  if (auto ok = file.write(default_zone_overrides(), transport); !ok) {
    return ok;
  }
  // ub_ctx_config parses the file completely before it returns; `file` goes away right after.
  if (const int rc = ub_ctx_config(ctx, file.path().c_str()); rc != 0) {
    return tl::unexpected(std::string("libunbound: loading the default-zone overrides: ") + ub_strerror(rc));
  }
  return {};
}

}  // namespace rdns::checks::unbound
