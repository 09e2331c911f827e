// process_* metrics: parsing of proc(5) texts (including a command name with spaces and
// parentheses), the real /proc/self, and `promtool check metrics` on the exposition.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/metrics/process_metrics.hpp"

namespace rdns::agent::metrics {
namespace {

// Field 14 utime 250, 15 stime 150, 22 starttime 1000, 23 vsize 123456789, 24 rss 2000.
constexpr const char* k_stat =
    "4242 (rdns (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 12 0 1000 123456789 2000 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ParsesPidStatCountingFieldsFromTheLastParenthesis) {
  ProcessStats stats;
  parse_pid_stat(k_stat, 1'700'000'000, 100, 4096, stats);
  ASSERT_TRUE(stats.cpu_seconds && stats.start_time_seconds && stats.virtual_memory_bytes &&
              stats.resident_memory_bytes);
  EXPECT_DOUBLE_EQ(*stats.cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(*stats.start_time_seconds, 1'700'000'010.0);
  EXPECT_DOUBLE_EQ(*stats.virtual_memory_bytes, 123456789.0);
  EXPECT_DOUBLE_EQ(*stats.resident_memory_bytes, 2000.0 * 4096);
}

TEST(ProcessMetrics, LeavesOutWhatItCannotParse) {
  ProcessStats stats;
  parse_pid_stat("garbage", 1, 100, 4096, stats);
  EXPECT_FALSE(stats.cpu_seconds);
  parse_pid_stat("1 (x) S 1 2", 1, 100, 4096, stats);
  EXPECT_FALSE(stats.cpu_seconds);
  EXPECT_FALSE(stats.resident_memory_bytes);
  EXPECT_EQ(process_metrics_text(stats), "");
}

TEST(ProcessMetrics, ParsesBootTimeAndOpenFileLimit) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1733300000\nprocesses 9\n"), 1733300000.0);
  EXPECT_FALSE(parse_boot_time("cpu 1\n"));
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max processes             127431               127431               processes \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(parse_max_open_files(limits), 1024.0);
  EXPECT_FALSE(parse_max_open_files("Max open files            unlimited            unlimited            files\n"));
}

TEST(ProcessMetrics, ReadsFakeProcFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("rdns-proc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "self" / "fd");
  for (const char* fd : {"0", "1", "2"}) std::ofstream(dir / "self" / "fd" / fd) << "";
  std::ofstream(dir / "self" / "stat") << k_stat;
  std::ofstream(dir / "self" / "limits")
      << "Max open files            65536                65536                files\n";
  std::ofstream(dir / "stat") << "btime 1700000000\n";
  const auto stats = read_process_stats(ProcFiles{dir / "self", dir / "stat", 100, 4096});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(stats.open_fds, 3.0);
  EXPECT_EQ(stats.max_fds, 65536.0);
  EXPECT_EQ(stats.start_time_seconds, 1'700'000'010.0);
  EXPECT_EQ(stats.cpu_seconds, 4.0);
}

TEST(ProcessMetrics, ReadsThisProcess) {
  const auto stats = read_process_stats();
  ASSERT_TRUE(stats.start_time_seconds && stats.cpu_seconds && stats.resident_memory_bytes &&
              stats.virtual_memory_bytes && stats.open_fds && stats.max_fds);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(*stats.start_time_seconds, now + 1);
  EXPECT_GT(*stats.start_time_seconds, now - 3600);  // this test started less than an hour ago
  EXPECT_GT(*stats.resident_memory_bytes, 1e5);
  EXPECT_GE(*stats.virtual_memory_bytes, *stats.resident_memory_bytes);
  EXPECT_GE(*stats.open_fds, 3);
  EXPECT_GE(*stats.max_fds, *stats.open_fds);
}

TEST(ProcessMetrics, ExpositionIsPromtoolClean) {
  const std::string text = process_metrics_text(read_process_stats());
  for (const char* name : {"process_start_time_seconds", "process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name << " missing:\n" << text;
  }
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  const auto path = std::filesystem::temp_directory_path() / ("rdns-process-" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << text;
  const std::string command = "/usr/bin/promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << "promtool check metrics (Debian package prometheus):\n" << output << "\n" << text;
}

}  // namespace
}  // namespace rdns::agent::metrics
