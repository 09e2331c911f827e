// --storage.path at run time: loads the state file once at start (its results are served at
// once, with their original times) and writes the store back at a bounded rate and at
// shutdown. A missing, unreadable, corrupt or foreign file is logged and ignored: it never stops
// the agent and never produces a verdict; a failed write is logged and tried again later (the
// egress file's every tick, logged once per distinct error and once when it works again).
//
// Thread-safety: one thread (the app's main loop) calls everything.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "agent/service/service.hpp"
#include "agent/state/state_writer.hpp"

namespace rdns::agent {

class StateKeeper {
public:
  // At most one periodic write per `min_interval`, and only after a change.
  StateKeeper(std::string dir, Service& service, std::chrono::seconds min_interval = std::chrono::seconds(60))
      : m_dir(std::move(dir)), m_service(service), m_interval(min_interval), m_writer(min_interval) {}

  void load();   // before the service starts
  void tick();   // now and then (the main loop, every second)
  void flush();  // at shutdown, after the last check

private:
  void write(state::StateWriter::Clock::time_point now);
  // DIR/egress: the egress addresses of target discovery, one "family address" line each,
  // written when they change, so that a change across a restart is counted.
  void load_egress();
  void write_egress();

  std::string m_dir;
  Service& m_service;
  std::chrono::seconds m_interval;
  state::StateWriter m_writer;
  std::map<std::string, std::string> m_egress_written;
  std::string m_egress_error;  // the last failed write's error, logged once; "" after a success
};

}  // namespace rdns::agent
