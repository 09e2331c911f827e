// StateKeeper over a real Service: the egress file of target discovery when it cannot be
// written (a storage path under a regular file) and once it can again.
#include "agent/service/state_keeper.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/agent/http_test_support.hpp"
#include "tests/agent/service_test_support.hpp"
#include "tests/agent/resolver_stack_test_support.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::agent {
namespace {

using checks::testing::FakeResolver;
using testing::TempDir;

// Captures what the default logger writes, as plain messages.
class CapturedLog {
public:
  CapturedLog() : m_previous(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(m_out));
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(m_previous); }
  std::size_t count(std::string_view needle) const {
    const std::string text = m_out.str();
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

private:
  std::ostringstream m_out;
  std::shared_ptr<spdlog::logger> m_previous;
};

std::unique_ptr<Service> idle_service() {
  config::Config config;
  config::Target target;
  target.ip = "192.0.2.10";
  config.targets = {target};
  ServiceOptions options;
  options.make_resolver = testing::factory_over(std::make_shared<FakeResolver>(FakeResolver::Mode::manual));  // never answers
  return testing::make_service(std::move(config), std::move(options));
}

TEST(StateKeeper, AnUnwritableEgressFileIsLoggedOncePerErrorAndOnceWhenItWorksAgain) {
  TempDir temp;
  const std::string blocker = temp.file("a-file");
  std::ofstream(blocker).put('x');
  const std::string storage = blocker + "/state";  // under a regular file: nothing can be written
  auto service = idle_service();
  ASSERT_TRUE(service);
  service->restore_egress({{"ipv4", "203.0.113.9"}});

  CapturedLog log;
  StateKeeper keeper(storage, *service);
  for (int second = 0; second < 5; ++second) keeper.tick();  // the main loop ticks every second
  EXPECT_EQ(log.count("cannot write the egress file"), 1u) << "one error, not one a second";

  std::filesystem::remove(blocker);
  std::filesystem::create_directories(storage);
  keeper.tick();
  keeper.tick();
  EXPECT_EQ(log.count("egress file written again"), 1u);
  std::ifstream written(storage + "/egress");
  std::string line;
  std::getline(written, line);
  EXPECT_EQ(line, "ipv4 203.0.113.9");
  EXPECT_EQ(log.count("cannot write the egress file"), 1u);
  service->shutdown();
}

}  // namespace
}  // namespace rdns::agent
