#include "checks/zone/server_state.hpp"

#include <string>

namespace rdns::checks::zone {
namespace {

std::string rcode_name(int rcode) {
  switch (rcode) {
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    default: return "rcode " + std::to_string(rcode);
  }
}

}  // namespace

void classify_soa_reply(const ServerReply& reply, std::string_view zone, ZoneServer& server) {
  server.serial = 0;
  switch (reply.outcome) {
    case ServerReply::Outcome::timeout:
      server.state = ServerState::unreachable;
      server.reason = "timeout";
      return;
    case ServerReply::Outcome::unreachable:
    case ServerReply::Outcome::error:
      server.state = ServerState::unreachable;
      server.reason = reply.detail;
      return;
    case ServerReply::Outcome::reply: break;
  }
  server.state = ServerState::lame;
  if (reply.reply.rcode == 3) {
    server.reason = "wrong zone (NXDOMAIN for the apex)";
    return;
  }
  if (reply.reply.rcode != 0) {
    server.reason = rcode_name(reply.reply.rcode);
    return;
  }
  if (!reply.reply.authoritative) {
    server.reason = "not authoritative";
    return;
  }
  for (const ReplyRecord& record : reply.reply.answer) {
    if (record.type == static_cast<std::uint16_t>(RrType::SOA) && same_name(record.owner, zone)) {
      server.state = ServerState::answering;
      server.reason.clear();
      server.serial = record.serial;
      return;
    }
  }
  server.reason = "wrong zone (no SOA for the apex)";
}

}  // namespace rdns::checks::zone
