// The real UnboundResolver (answers from local-data: no DNS server, no network) when a result
// callback throws: the exception is reported through the injected hook and counted, the loop
// goes on, and a Checker over it completes the check as an error instead of leaving it
// (and the agent's in-flight count and schedule) hanging for ever.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/checker.hpp"
#include "checks/unbound/unbound_resolver.hpp"

namespace rdns::checks {
namespace {

using namespace std::chrono_literals;

struct Reports {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::size_t size() {
    std::lock_guard lock(mutex);
    return lines.size();
  }
};

std::unique_ptr<UnboundResolver> local_resolver(Reports& reports) {
  const std::string conf = ::testing::TempDir() + "/rdns_callback_exception_unbound.conf";
  std::ofstream(conf) << "server:\n"
                         "    local-zone: \"2.0.192.in-addr.arpa.\" static\n"
                         "    local-data: \"10.2.0.192.in-addr.arpa. 60 IN PTR mail.example.test.\"\n"
                         "    local-zone: \"example.test.\" static\n"
                         "    local-data: \"mail.example.test. 60 IN A 192.0.2.10\"\n";
  ResolverSettings settings;
  settings.mode = ResolverSettings::Mode::forward;
  settings.forwarders = {"127.0.0.1@9"};  // never asked: the local zones answer everything here
  settings.dnssec = false;
  settings.unbound_config_file = conf;
  settings.on_callback_exception = [&reports](const std::string& what) {
    std::lock_guard lock(reports.mutex);
    reports.lines.push_back(what);
  };
  auto resolver = UnboundResolver::create(settings);
  EXPECT_TRUE(resolver) << resolver.error();
  return resolver ? std::move(*resolver) : nullptr;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

TEST(UnboundResolverCallbacks, AThrowingCallbackIsReportedAndTheLoopGoesOn) {
  Reports reports;
  auto resolver = local_resolver(reports);
  ASSERT_TRUE(resolver);
  resolver->resolve("10.2.0.192.in-addr.arpa.", RrType::PTR, std::chrono::steady_clock::now() + 5s,
                    [](DnsAnswer) { throw std::runtime_error("boom"); });
  ASSERT_TRUE(eventually([&] { return reports.size() == 1; }));
  EXPECT_EQ(reports.lines[0], "resolver callback threw: boom");
  EXPECT_EQ(resolver->callback_exceptions(), 1u);

  std::promise<DnsAnswer> promise;
  resolver->resolve("10.2.0.192.in-addr.arpa.", RrType::PTR, std::chrono::steady_clock::now() + 5s,
                    [&](DnsAnswer a) { promise.set_value(std::move(a)); });
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const DnsAnswer answer = future.get();
  EXPECT_EQ(answer.status, LookupStatus::ok);
  EXPECT_EQ(answer.records, std::vector<std::string>{"mail.example.test."});
}

TEST(UnboundResolverCallbacks, ACheckWhoseClassifierThrowsCompletesAsAnError) {
  Reports reports;
  auto resolver = local_resolver(reports);
  ASSERT_TRUE(resolver);
  Checker checker(*resolver, [](std::string_view, std::string_view) -> GenericVerdict {
    throw std::runtime_error("classifier broke");
  });
  std::promise<CheckResult> promise;
  CheckRequest request;
  request.ip = "192.0.2.10";
  request.timeout = 5s;
  checker.start(request, [&](CheckResult r) { promise.set_value(std::move(r)); });
  auto future = promise.get_future();
  // Before, the check never completed: this waited in vain.
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  const CheckResult result = future.get();
  EXPECT_EQ(result.ptr_status, LookupStatus::error);
  EXPECT_EQ(result.ptr_detail, "internal error while checking: classifier broke");
  EXPECT_FALSE(result.success.has_value());
  ASSERT_TRUE(eventually([&] { return reports.size() >= 1; }));
  EXPECT_EQ(reports.lines[0], "resolver callback threw: classifier broke");
}

}  // namespace
}  // namespace rdns::checks
