// `rdns_exporter classify [--format=tsv|json] [--config.file=F] [HOSTNAME [IP]]`
//
// With HOSTNAME: one verdict. Without: reads `hostname[<TAB>ip]` lines from stdin and writes one
// line per input line, in input order:
//   tsv:  hostname<TAB>generic|not-generic<TAB>reason
//         input<TAB>error<TAB>message            (a line that is not a host name)
//   json: JSON Lines, one object per input line:
//         {"hostname":"...","ip":"...","generic":true,"score":0.95,"reason":"..."}
//         {"input":"...","error":"..."}
// Empty lines are skipped. Odd bytes are escaped (TSV: DNS presentation `\DDD`; JSON: `\u00XX`),
// so the output stays one line per record and valid JSON whatever the input holds.
// Exit: 0 (also when some lines were errors: they are reported in place), 64 usage,
// 78 invalid config or pattern.
#include <arpa/inet.h>

#include <cstdio>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"
#include "agent/cli/flags.hpp"
#include "checks/generic_hostname.hpp"
#include "config/load.hpp"
#include "util/ascii.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

using text::json_string;

constexpr std::size_t k_max_line = 4096;              // longer input lines are reported, not parsed
constexpr std::size_t k_max_hostname = 254;           // 253 octets plus a trailing dot
constexpr std::size_t k_max_escaped_hostname = 1020;  // presentation form with \DDD escapes

enum class Format { tsv, json };

std::string tsv_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Why `hostname` / `ip` cannot be classified, or nullopt when they can.
std::optional<std::string> input_problem(std::string_view hostname, std::string_view ip) {
  if (hostname.empty()) return "empty hostname";
  const bool escapes = hostname.find('\\') != std::string_view::npos;
  if (hostname.size() > (escapes ? k_max_escaped_hostname : k_max_hostname)) {
    return "hostname longer than 253 octets";
  }
  for (unsigned char c : hostname) {
    if (c <= 0x20 || c >= 0x7f) return "hostname contains a space, control or non-ASCII byte";
  }
  if (!ip.empty()) {
    char buf[64];
    unsigned char addr[16];
    if (ip.size() >= sizeof buf) return "not an IP address";
    ip.copy(buf, ip.size());
    buf[ip.size()] = '\0';
    if (inet_pton(AF_INET, buf, addr) != 1 && inet_pton(AF_INET6, buf, addr) != 1) {
      return "not an IP address: \"" + std::string(ip) + "\"";
    }
  }
  return std::nullopt;
}

void write_verdict(std::ostream& out, Format format, std::string_view hostname, std::string_view ip,
                   const checks::GenericVerdict& v) {
  if (format == Format::tsv) {
    out << tsv_safe(hostname) << '\t' << (v.generic ? "generic" : "not-generic") << '\t' << tsv_safe(v.reason) << '\n';
    return;
  }
  char score[16];
  std::snprintf(score, sizeof score, "%.2f", v.score);
  out << "{\"hostname\":" << json_string(hostname) << ",\"ip\":" << json_string(ip)
      << ",\"generic\":" << (v.generic ? "true" : "false") << ",\"score\":" << score
      << ",\"reason\":" << json_string(v.reason) << "}\n";
}

void write_error(std::ostream& out, Format format, std::string_view input, std::string_view message) {
  if (format == Format::tsv) {
    out << tsv_safe(input) << "\terror\t" << tsv_safe(message) << '\n';
  } else {
    out << "{\"input\":" << json_string(input) << ",\"error\":" << json_string(message) << "}\n";
  }
}

void classify_one(const checks::GenericClassifier& classifier, std::ostream& out, Format format,
                  std::string_view hostname, std::string_view ip, std::string_view input) {
  if (auto problem = input_problem(hostname, ip)) {
    write_error(out, format, input, *problem);
    return;
  }
  write_verdict(out, format, hostname, ip, classifier.classify(hostname, ip));
}

std::string_view trim(std::string_view s) { return util::trim(s, " \t\r"); }

// Reads one line, keeping at most k_max_line bytes of it; `truncated` says more were dropped.
// Returns false at end of input with nothing read.
bool read_line(std::istream& in, std::string& line, bool& truncated) {
  line.clear();
  truncated = false;
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    if (c == '\n') return true;
    if (line.size() < k_max_line) {
      line += static_cast<char>(c);
    } else {
      truncated = true;
    }
  }
}

void classify_stream(const checks::GenericClassifier& classifier, std::istream& in, std::ostream& out, Format format) {
  std::string line;
  bool truncated = false;
  while (read_line(in, line, truncated)) {
    if (truncated) {
      write_error(out, format, std::string_view(line).substr(0, 64),
                  "line longer than " + std::to_string(k_max_line) + " bytes");
      continue;
    }
    const std::string_view text = trim(line);
    if (text.empty()) continue;
    const std::size_t tab = text.find('\t');
    const std::string_view hostname = trim(text.substr(0, tab));
    const std::string_view ip = tab == std::string_view::npos ? std::string_view() : trim(text.substr(tab + 1));
    classify_one(classifier, out, format, hostname, ip, text);
  }
  out.flush();
}

}  // namespace

int run_classify_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string format_text = "tsv";
  std::string config_file;
  bool show_help = false;
  FlagParser flags("rdns_exporter classify [--format=tsv|json] [--config.file=F] [HOSTNAME [IP]]");
  flags.add_string("format", &format_text, "output format: tsv or json (JSON Lines)");
  flags.add_string("config.file", &config_file, "read [generic] extra_patterns / allow_patterns from this file");
  flags.add_bool("help", &show_help, "print this help and exit");

  auto positionals = flags.parse(args);
  if (!positionals) {
    err << "rdns_exporter classify: " << positionals.error() << "\n" << flags.help();
    return k_exit_usage;
  }
  if (show_help) {
    out << flags.help()
        << "\nWithout HOSTNAME, reads lines `hostname[<TAB>ip]` from stdin and writes\n"
           "`hostname<TAB>generic|not-generic<TAB>reason` (json: one object per line).\n";
    return k_exit_ok;
  }
  Format format = Format::tsv;
  if (format_text == "json") {
    format = Format::json;
  } else if (format_text != "tsv") {
    err << "rdns_exporter classify: --format must be tsv or json, got \"" << format_text << "\"\n";
    return k_exit_usage;
  }
  if (positionals->size() > 2) {
    err << "rdns_exporter classify: expected at most HOSTNAME and IP, got " << positionals->size() << " arguments\n"
        << flags.help();
    return k_exit_usage;
  }

  std::vector<std::string> extra;
  std::vector<std::string> allow;
  if (!config_file.empty()) {
    auto loaded = config::load_config_file(config_file, config::LoadOptions{.require_targets = false});
    if (!loaded) {
      err << "rdns_exporter classify: " << loaded.error().to_string() << "\n";
      return k_exit_config;
    }
    extra = loaded->config.generic.extra_patterns;
    allow = loaded->config.generic.allow_patterns;
  }
  auto classifier = checks::GenericClassifier::create(extra, allow);
  if (!classifier) {
    err << "rdns_exporter classify: [generic] " << classifier.error() << "\n";
    return k_exit_config;
  }

  if (positionals->empty()) {
    classify_stream(*classifier, in, out, format);
    return k_exit_ok;
  }
  const std::string& hostname = (*positionals)[0];
  const std::string ip = positionals->size() > 1 ? (*positionals)[1] : std::string();
  if (auto problem = input_problem(hostname, ip)) {
    err << "rdns_exporter classify: " << *problem << "\n";
    return k_exit_usage;
  }
  write_verdict(out, format, hostname, ip, classifier->classify(hostname, ip));
  return k_exit_ok;
}

}  // namespace rdns::agent
