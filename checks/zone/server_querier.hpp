// Asks one name server address one question directly (no resolver, no recursion), as a
// monitoring tool must to see what each authoritative server serves: UDP first, TCP when the
// reply is truncated, one deadline for both.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "checks/resolver.hpp"
#include "checks/zone/server_wire.hpp"

namespace rdns::checks::zone {

struct ServerReply {
  enum class Outcome : std::uint8_t {
    reply,        // `reply` holds the decoded answer (any rcode)
    timeout,      // nothing usable arrived before the deadline
    unreachable,  // the network said no (ICMP port/host unreachable, TCP refused)
    error,        // could not ask (bad address or name, no socket, shutting down)
  };
  Outcome outcome = Outcome::error;
  Reply reply;
  std::string detail;  // why, for timeout/unreachable/error
};

// Thread-safety: ask() from any thread; `done` runs exactly once, on the querier's own thread
// (or at once on the caller's for an address that does not parse), never under a lock of ours.
class ServerQuerier {
public:
  using Done = std::function<void(ServerReply)>;
  using Deadline = std::chrono::steady_clock::time_point;
  virtual ~ServerQuerier() = default;
  // `address`: IPv4 or IPv6 text; `name` absolute.
  virtual void ask(const std::string& address, std::uint16_t port, const std::string& name, RrType type,
                   Deadline deadline, Done done) = 0;
};

// One thread polling non-blocking sockets: every question in flight at once (up to a bound;
// beyond it they wait in order), so a dead server costs its deadline, never a thread.
// Destruction completes every question still open with Outcome::error and joins the thread.
std::unique_ptr<ServerQuerier> make_socket_querier();

}  // namespace rdns::checks::zone
