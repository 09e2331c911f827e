#include "agent/metrics/process_metrics.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace rdns::agent::metrics {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find_first_not_of(" \t\n", pos);
    if (start == std::string_view::npos) break;
    const auto end = text.find_first_of(" \t\n", start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    pos = end == std::string_view::npos ? text.size() : end;
  }
  return out;
}

void emit(SampleSink& sink, const char* name, prometheus::MetricType type, const char* help,
          const std::optional<double>& value) {
  if (!value) return;
  sink.family(name, help, type);
  sink.sample({}, {}, *value);
}

}  // namespace

void parse_pid_stat(std::string_view text, double boot_time, long ticks, long page_size, ProcessStats& out) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. Field numbers below are proc(5)'s (1-based).
  const auto paren = text.rfind(')');
  if (paren == std::string_view::npos || ticks <= 0) return;
  const auto fields = words(text.substr(paren + 1));
  auto field = [&](std::size_t number) -> std::optional<double> {
    const std::size_t at = number - 3;  // fields[0] is field 3 (state)
    return at < fields.size() ? to_number(fields[at]) : std::nullopt;
  };
  const auto utime = field(14);
  const auto stime = field(15);
  if (utime && stime) out.cpu_seconds = (*utime + *stime) / static_cast<double>(ticks);
  if (const auto start = field(22); start && boot_time > 0) {
    out.start_time_seconds = boot_time + *start / static_cast<double>(ticks);
  }
  out.virtual_memory_bytes = field(23);
  if (const auto rss = field(24); rss && page_size > 0)
    out.resident_memory_bytes = *rss * static_cast<double>(page_size);
}

std::optional<double> parse_boot_time(std::string_view proc_stat) {
  std::istringstream in{std::string(proc_stat)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) return to_number(std::string_view(line).substr(6));
  }
  return std::nullopt;
}

std::optional<double> parse_max_open_files(std::string_view limits) {
  // "Max open files            1024                 524288               files"
  constexpr std::string_view k_row = "Max open files";
  const auto at = limits.find(k_row);
  if (at == std::string_view::npos) return std::nullopt;
  auto line = limits.substr(at + k_row.size());
  line = line.substr(0, line.find('\n'));
  const auto fields = words(line);
  if (fields.empty()) return std::nullopt;
  if (fields[0] == "unlimited") return std::nullopt;
  return to_number(fields[0]);
}

ProcessStats read_process_stats(const ProcFiles& files) {
  ProcessStats stats;
  const long ticks = files.clock_ticks_per_second > 0 ? files.clock_ticks_per_second : sysconf(_SC_CLK_TCK);
  const long page = files.page_size > 0 ? files.page_size : sysconf(_SC_PAGESIZE);
  double boot_time = 0;
  if (const auto text = read_file(files.stat)) boot_time = parse_boot_time(*text).value_or(0);
  if (const auto text = read_file(files.self / "stat")) parse_pid_stat(*text, boot_time, ticks, page, stats);
  if (const auto text = read_file(files.self / "limits")) stats.max_fds = parse_max_open_files(*text);
  std::error_code error;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it(files.self / "fd", error), end; !error && it != end;
       it.increment(error)) {
    ++fds;
  }
  // The iterator's own descriptor is counted, as the Go and Python clients count theirs.
  if (!error) stats.open_fds = static_cast<double>(fds);
  return stats;
}

void emit_process_metrics(const ProcessStats& stats, SampleSink& sink) {
  using prometheus::MetricType;
  emit(sink, "process_cpu_seconds_total", MetricType::Counter, "Total user and system CPU time spent in seconds.",
       stats.cpu_seconds);
  emit(sink, "process_open_fds", MetricType::Gauge, "Number of open file descriptors.", stats.open_fds);
  emit(sink, "process_max_fds", MetricType::Gauge, "Maximum number of open file descriptors.", stats.max_fds);
  emit(sink, "process_virtual_memory_bytes", MetricType::Gauge, "Virtual memory size in bytes.",
       stats.virtual_memory_bytes);
  emit(sink, "process_resident_memory_bytes", MetricType::Gauge, "Resident memory size in bytes.",
       stats.resident_memory_bytes);
  emit(sink, "process_start_time_seconds", MetricType::Gauge, "Start time of the process since unix epoch in seconds.",
       stats.start_time_seconds);
}

std::string process_metrics_text(const ProcessStats& stats) {
  TextSink sink;
  emit_process_metrics(stats, sink);
  sink.finish();
  return sink.text();
}

}  // namespace rdns::agent::metrics
