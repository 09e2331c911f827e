// The standard process_* metrics of Prometheus client libraries, read from /proc (Linux):
// what every exporter exposes, so the usual dashboards and alerts (restarts, CPU, memory,
// file-descriptor exhaustion) work for this one too.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agent/metrics/exposition_writer.hpp"

namespace rdns::agent::metrics {

// A value is absent when its file could not be read or parsed; its series is then left out.
struct ProcessStats {
  std::optional<double> start_time_seconds;  // Unix time
  std::optional<double> cpu_seconds;         // user + system
  std::optional<double> resident_memory_bytes;
  std::optional<double> virtual_memory_bytes;
  std::optional<double> open_fds;
  std::optional<double> max_fds;  // the soft limit
};

struct ProcFiles {
  std::filesystem::path self = "/proc/self";  // stat, fd/, limits
  std::filesystem::path stat = "/proc/stat";  // btime
  long clock_ticks_per_second = 0;            // 0: sysconf(_SC_CLK_TCK)
  long page_size = 0;                         // 0: sysconf(_SC_PAGESIZE)
};

// Parses the text of /proc/<pid>/stat, /proc/stat and /proc/<pid>/limits; the pieces are
// separate so tests can feed any text.
void parse_pid_stat(std::string_view text, double boot_time, long ticks, long page_size, ProcessStats& out);
std::optional<double> parse_boot_time(std::string_view proc_stat);
std::optional<double> parse_max_open_files(std::string_view limits);

ProcessStats read_process_stats(const ProcFiles& files = {});

// One family per value present, into the exposition being written (what /metrics calls).
void emit_process_metrics(const ProcessStats& stats, SampleSink& sink);
// The same as text exposition lines (HELP, TYPE, sample) on their own.
std::string process_metrics_text(const ProcessStats& stats);

}  // namespace rdns::agent::metrics
