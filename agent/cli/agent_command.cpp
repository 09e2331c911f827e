#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <system_error>

#include <spdlog/spdlog.h>

#include "agent/app.hpp"
#include "agent/build_info.hpp"
#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"
#include "agent/cli/flags.hpp"
#include "agent/logging/logging.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "config/duration.hpp"
#include "config/load.hpp"

namespace rdns::agent {
namespace {

// "500ms", "1s" or plain seconds "0.5" (blackbox_exporter's --timeout-offset is a float); 0 is
// allowed (answer at the scrape timeout itself).
tl::expected<std::chrono::milliseconds, std::string> parse_timeout_offset(const std::string& text) {
  if (text == "0" || text == "0s") return std::chrono::milliseconds(0);
  double seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error == std::errc() && end == text.data() + text.size() && !text.empty()) {
    if (!(seconds >= 0 && seconds <= 3600)) return tl::make_unexpected("\"" + text + "\" is out of range (0 to 1h)");
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000 + 0.5));
  }
  auto parsed = config::parse_duration(text);
  if (!parsed) return tl::make_unexpected("\"" + text + "\": " + parsed.error());
  if (*parsed > std::chrono::hours(1)) return tl::make_unexpected("\"" + text + "\" is out of range (0 to 1h)");
  return *parsed;
}

}  // namespace

int run_agent_command(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  AgentOptions options;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool show_version = false;
  bool show_help = false;
  bool config_check = false;
  std::string shard_text;
  std::string probe_offset_text = "500ms";

  FlagParser flags(
      "rdns_exporter [flags]\n"
      "  or:  rdns_exporter check [--config.file=F] [--format=text|json] IP|CIDR ...\n"
      "  or:  rdns_exporter classify [--format=tsv|json] [HOSTNAME [IP]]");
  flags.add_string("config.file", &options.config_file, "rdns_exporter configuration file (TOML)");
  flags.add_string("web.listen-address", &options.listen_address, "address to listen on, [host]:port");
  flags.add_string("web.telemetry-path", &options.telemetry_path, "path under which to expose metrics");
  flags.add_string("web.config.file", &options.web_config_file,
                   "TLS and basic-auth configuration (TOML, exporter-toolkit keys)");
  flags.add_string("log.level", &log_level, "only log messages at or above: debug, info, warn, error");
  flags.add_string("log.format", &log_format, "log format: logfmt or json");
  flags.add_string("shard", &shard_text,
                   "check only this agent's share of the targets: I/N (0-based I of N agents), or auto/N "
                   "(I from the -<ordinal> suffix of HOSTNAME, as in a StatefulSet)");
  flags.add_string("storage.path", &options.storage_path,
                   "directory where the last result of every target is kept across restarts (empty: off)");
  flags.add_bool("config.check", &config_check,
                 "validate the config file (and the web config file), print OK or the errors, exit 0 or 78; "
                 "sends no DNS query");
  flags.add_string("probe.timeout-offset", &probe_offset_text,
                   "/probe answers this long before the scrape timeout Prometheus sends "
                   "(X-Prometheus-Scrape-Timeout-Seconds): a Go duration, or seconds (0.5)");
  flags.add_bool("version", &show_version, "print version and exit");
  flags.add_bool("help", &show_help, "print this help and exit");

  auto positionals = flags.parse(args);
  if (!positionals) {
    err << "rdns_exporter: " << positionals.error() << "\n"
        << "try: rdns_exporter --help\n";
    return k_exit_usage;
  }
  if (show_help) {
    out << flags.help();
    return k_exit_ok;
  }
  if (show_version) {
    // The layout of the Prometheus exporters' --version, plus what a DNS bug report needs.
    out << "rdns_exporter, version " << k_version << " (revision: " << k_revision << ")\n"
        << "  build date:  " << k_build_date << "\n"
        << "  compiler:    " << k_compiler << "\n"
        << "  libunbound:  " << checks::UnboundResolver::version() << "\n";
    return k_exit_ok;
  }
  if (!positionals->empty()) {
    err << "rdns_exporter: unexpected argument \"" << positionals->front()
        << "\" (subcommands are check and classify)\n";
    return k_exit_usage;
  }
  if (options.telemetry_path.empty() || options.telemetry_path.front() != '/') {
    err << "rdns_exporter: --web.telemetry-path must start with '/', got \"" << options.telemetry_path << "\"\n";
    return k_exit_usage;
  }
  if (auto offset = parse_timeout_offset(probe_offset_text)) {
    options.probe_timeout_offset = *offset;
  } else {
    err << "rdns_exporter: --probe.timeout-offset: " << offset.error() << "\n";
    return k_exit_usage;
  }
  if (config_check) return run_config_check(options.config_file, options.web_config_file, out, err);
  if (!shard_text.empty()) {
    const char* hostname = std::getenv("HOSTNAME");
    auto shard = parse_shard(shard_text, hostname != nullptr ? hostname : "");
    if (!shard) {
      err << "rdns_exporter: " << shard.error() << "\n";
      return k_exit_usage;
    }
    options.shard = *shard;
  }
  if (auto logging = setup_logging(log_level, log_format); !logging) {
    err << "rdns_exporter: " << logging.error() << "\n";
    return k_exit_usage;
  }

  if (options.shard)
    spdlog::info("sharding: this agent checks the targets of shard {} of {}", options.shard->index,
                 options.shard->count);
  auto loaded = config::load_config_file(options.config_file, config::LoadOptions{.require_targets = false});
  if (!loaded) {
    err << "rdns_exporter: " << loaded.error().to_string() << "\n";
    return k_exit_config;
  }
  for (const auto& warning : loaded->warnings) spdlog::warn("{}", warning.to_string());
  return run_agent(options, std::move(loaded->config));
}

}  // namespace rdns::agent
