// Shared by the Service-level tests (agent_service_test.cpp, discovery_test.cpp): a Service
// built from options, and a bounded wait for a condition the test cannot be told about.
// Header-only, test code.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "agent/service/service.hpp"

namespace rdns::agent::testing {

// Service::create; a refusal fails the test (with the service's message) and gives nullptr.
inline std::unique_ptr<Service> make_service(config::Config config, ServiceOptions options) {
  auto service = Service::create(std::move(config), std::move(options));
  EXPECT_TRUE(service) << service.error();
  return service ? std::move(*service) : nullptr;
}

// Polls `condition` every 10 ms until it holds or `limit` passes; returns its last value. For
// state that has no notification (the service's own threads); where a fake can notify, wait on
// that instead.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace rdns::agent::testing
