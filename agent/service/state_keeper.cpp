#include "agent/service/state_keeper.hpp"

#include <sstream>

#include <spdlog/spdlog.h>

#include "agent/state/state_file.hpp"
#include "config/ip_network.hpp"

namespace rdns::agent {
namespace {

constexpr std::string_view k_egress_file = "egress";
constexpr std::string_view k_egress_temp = "egress.tmp";

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

void StateKeeper::load() {
  auto bytes = state::read_state_file(m_dir);
  if (!bytes) {
    spdlog::warn("state file ignored, every target is checked afresh: {}", bytes.error());
  } else if (!*bytes) {
    spdlog::info("no state file in {} yet: every target is checked afresh", m_dir);
  } else {
    auto decoded = state::decode_state(**bytes);
    if (!decoded) {
      spdlog::warn("state file in {} ignored, every target is checked afresh: {}", m_dir, decoded.error());
    } else {
      const std::size_t stored = decoded->targets.size();
      const std::size_t restored = m_service.restore(std::move(decoded->targets));
      spdlog::info(
          "state restored from {}: {} of {} stored targets are configured and served at once "
          "(written {:.0f}s ago); every target is re-checked now",
          m_dir, restored, stored, unix_now() - decoded->written_at);
    }
  }
  // What is in the store now is on disk already (or not worth writing): no write until it changes.
  m_writer = state::StateWriter(m_interval, m_service.store_generation());
  load_egress();
}

void StateKeeper::tick() {
  const auto now = state::StateWriter::Clock::now();
  if (m_writer.due(now, m_service.store_generation())) write(now);
  write_egress();
}

void StateKeeper::flush() {
  if (m_writer.due_at_shutdown(m_service.store_generation())) write(state::StateWriter::Clock::now());
  write_egress();
}

void StateKeeper::load_egress() {
  auto bytes = state::read_file(m_dir, k_egress_file, 4096);
  if (!bytes) {
    spdlog::warn("egress file ignored: {}", bytes.error());
    return;
  }
  if (!*bytes) return;
  std::map<std::string, std::string> addresses;
  std::istringstream in(**bytes);
  std::string family, address;
  while (in >> family >> address) {
    auto ip = config::canonical_ip(address);
    if ((family != "ipv4" && family != "ipv6") || !ip) {
      spdlog::warn("egress file in {} ignored: not \"family address\" lines", m_dir);
      return;
    }
    addresses[family] = *ip;
  }
  m_egress_written = addresses;
  m_service.restore_egress(std::move(addresses));
}

void StateKeeper::write_egress() {
  auto addresses = m_service.egress_addresses();
  if (addresses == m_egress_written) return;
  std::string text;
  for (const auto& [family, address] : addresses) text += family + " " + address + "\n";
  if (auto written = state::replace_file(m_dir, k_egress_file, k_egress_temp, text); !written) {
    // Tried again every tick (a second): logged when the error is new, not every time.
    if (written.error() != m_egress_error) {
      spdlog::error("cannot write the egress file (tried again every second, logged again when the error changes): {}",
                    written.error());
      m_egress_error = written.error();
    }
    return;
  }
  if (!m_egress_error.empty()) {
    spdlog::info("egress file written again after: {}", m_egress_error);
    m_egress_error.clear();
  }
  m_egress_written = std::move(addresses);
}

void StateKeeper::write(state::StateWriter::Clock::time_point now) {
  const auto snapshot = m_service.snapshot();
  const auto bytes = state::encode_state(state::persisted_targets(snapshot), unix_now());
  auto written = state::write_state_file(m_dir, bytes);
  if (!written) spdlog::error("cannot write the state file (tried again later): {}", written.error());
  m_writer.wrote(now, snapshot.generation, written.has_value());
}

}  // namespace rdns::agent
