#include "checks/zone/zone_report.hpp"

namespace rdns::checks {

std::optional<std::uint32_t> ZoneSurvey::newest_serial() const {
  std::optional<std::uint32_t> newest;
  for (const ZoneServer& server : servers) {
    if (server.state != ServerState::answering) continue;
    if (!newest || serial_newer(server.serial, *newest)) newest = server.serial;
  }
  return newest;
}

std::size_t ZoneSurvey::answering() const {
  std::size_t count = 0;
  for (const ZoneServer& server : servers) count += server.state == ServerState::answering ? 1 : 0;
  return count;
}

}  // namespace rdns::checks
