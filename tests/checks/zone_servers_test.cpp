// The pure parts of asking every authoritative server directly (query encoding, reply decoding,
// reading a server's SOA reply, judging per-server PTR sets, the advice) and the socket querier
// against sockets of this test: a silent server (deadline), a truncated UDP reply (TCP retry), a
// closed port (unreachable).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "checks/zone/ptr_compare.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/server_state.hpp"
#include "checks/zone/server_wire.hpp"
#include "checks/zone/zone_remediation.hpp"
#include "util/unique_fd.hpp"

namespace rdns::checks::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}

// A reply to `query` (its id and question), with the given flags and answer records (raw).
Bytes reply_to(const Bytes& query, std::uint16_t flags, std::uint16_t ancount, const Bytes& answers) {
  Bytes out(query.begin(), query.begin() + 2);
  put16(out, static_cast<std::uint16_t>(0x8000 | flags));
  put16(out, 1);
  put16(out, ancount);
  put16(out, 0);
  put16(out, 0);
  // the question: from offset 12 to the end of QTYPE/QCLASS (the OPT record is dropped)
  std::size_t pos = 12;
  while (query[pos] != 0) pos += query[pos] + 1;
  out.insert(out.end(), query.begin() + 12, query.begin() + static_cast<long>(pos) + 5);
  out.insert(out.end(), answers.begin(), answers.end());
  return out;
}

// An SOA record at the question's name (pointer to offset 12), serial `serial`.
Bytes soa_record(std::uint32_t serial) {
  Bytes r{0xC0, 12};
  put16(r, 6);
  put16(r, 1);
  put32(r, 300);
  const Bytes rdata_names{3, 'n', 's', '1', 0xC0, 12, 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xC0, 12};
  put16(r, static_cast<std::uint16_t>(rdata_names.size() + 20));
  r.insert(r.end(), rdata_names.begin(), rdata_names.end());
  for (std::uint32_t v : {serial, 3600u, 600u, 86400u, 60u}) put32(r, v);
  return r;
}

Bytes ptr_record(const std::string& label) {
  Bytes r{0xC0, 12};
  put16(r, 12);
  put16(r, 1);
  put32(r, 300);
  put16(r, static_cast<std::uint16_t>(label.size() + 2));
  r.push_back(static_cast<std::uint8_t>(label.size()));
  r.insert(r.end(), label.begin(), label.end());
  r.push_back(0);
  return r;
}

TEST(ServerWire, QueryHasNoRecursionAndAnOptRecord) {
  auto q = encode_query(0x1234, "10.2.0.192.in-addr.arpa.", RrType::PTR);
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ((*q)[0], 0x12);
  EXPECT_EQ((*q)[2] & 0x01, 0) << "RD must be clear";
  EXPECT_EQ((*q)[11], 1) << "one additional record (OPT)";
  EXPECT_FALSE(encode_query(1, std::string(70, 'a') + ".example.", RrType::SOA));
  EXPECT_FALSE(encode_query(1, "a..b.", RrType::SOA));
}

TEST(ServerWire, DecodesSoaSerialWithCompressionAndChecksTheQuestion) {
  const std::string zone = "2.0.192.in-addr.arpa.";
  auto q = encode_query(7, zone, RrType::SOA);
  ASSERT_TRUE(q);
  const Bytes message = reply_to(*q, 0x0400, 1, soa_record(2026120501));
  auto reply = decode_reply(message, 7, "2.0.192.IN-ADDR.arpa.", RrType::SOA);
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_TRUE(reply->authoritative);
  ASSERT_EQ(reply->answer.size(), 1u);
  EXPECT_EQ(reply->answer[0].serial, 2026120501u);
  EXPECT_FALSE(decode_reply(message, 8, zone, RrType::SOA)) << "another id";
  EXPECT_FALSE(decode_reply(message, 7, "3.0.192.in-addr.arpa.", RrType::SOA)) << "another question";
  EXPECT_FALSE(decode_reply(wire::Bytes(message.data(), message.size() - 3), 7, zone, RrType::SOA)) << "truncated";
}

ServerReply soa_reply(std::uint16_t flags, std::uint16_t ancount, const Bytes& answers, const std::string& zone) {
  auto q = encode_query(9, zone, RrType::SOA);
  const Bytes message = reply_to(*q, flags, ancount, answers);
  auto decoded = decode_reply(message, 9, zone, RrType::SOA);
  return ServerReply{ServerReply::Outcome::reply, *decoded, {}};
}

TEST(ServerState, ReadsAnsweringLameAndUnreachable) {
  const std::string zone = "2.0.192.in-addr.arpa.";
  ZoneServer s;
  classify_soa_reply(soa_reply(0x0400, 1, soa_record(5), zone), zone, s);
  EXPECT_EQ(s.state, ServerState::answering);
  EXPECT_EQ(s.serial, 5u);
  classify_soa_reply(soa_reply(0x0005, 0, {}, zone), zone, s);
  EXPECT_EQ(s.state, ServerState::lame);
  EXPECT_EQ(s.reason, "REFUSED");
  classify_soa_reply(soa_reply(0x0000, 1, soa_record(5), zone), zone, s);
  EXPECT_EQ(s.reason, "not authoritative");
  classify_soa_reply(soa_reply(0x0400, 0, {}, zone), zone, s);
  EXPECT_EQ(s.reason, "wrong zone (no SOA for the apex)");
  classify_soa_reply(ServerReply{ServerReply::Outcome::timeout, {}, ""}, zone, s);
  EXPECT_EQ(s.state, ServerState::unreachable);
  EXPECT_EQ(s.reason, "timeout");
}

std::shared_ptr<const ZoneSurvey> survey_of(std::vector<ZoneServer> servers) {
  auto s = std::make_shared<ZoneSurvey>();
  s->zone = "2.0.192.in-addr.arpa";
  s->soa = SoaInfo{s->zone, "ns1.example.net", "hostmaster@example.net"};
  s->servers = std::move(servers);
  return s;
}

TEST(PtrCompare, NamesTheStaleServerWithBothSerials) {
  auto zone = survey_of({{"ns1.example.net", "192.0.2.53", ServerState::answering, "", 8},
                         {"ns2.example.net", "198.51.100.53", ServerState::answering, "", 7}});
  const PtrConsistency c =
      judge({zone}, {{zone->zone, "ns1.example.net", "192.0.2.53", 8, {"PTR new.example.net."}},
                     {zone->zone, "ns2.example.net", "198.51.100.53", 7, {"PTR old.example.net."}}});
  EXPECT_EQ(c.state, Consistency::inconsistent);
  EXPECT_EQ(c.reason,
            "ns2.example.net (198.51.100.53) serves old.example.net. (serial 7) where ns1.example.net (192.0.2.53) "
            "serves new.example.net. (serial 8)");
  const auto hints = zone_server_hints(c);
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(
      hints[0].find("Server ns2.example.net (198.51.100.53) still serves the old name old.example.net., serial 7 vs 8"),
      std::string::npos)
      << hints[0];
  EXPECT_NE(hints[0].find("contact hostmaster@example.net"), std::string::npos) << hints[0];
}

TEST(PtrCompare, SameSetsAreConsistentAndDownServersGetAHint) {
  auto zone = survey_of({{"ns1.example.net", "192.0.2.53", ServerState::answering, "", 8},
                         {"ns2.example.net", "192.0.2.54", ServerState::lame, "REFUSED", 0}});
  PtrConsistency c = judge({zone}, {{zone->zone, "ns1.example.net", "192.0.2.53", 8, {"PTR a."}}});
  EXPECT_EQ(c.state, Consistency::consistent);
  const auto hints = zone_server_hints(c);
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(hints[0].find("ns2.example.net (192.0.2.54) is lame for 2.0.192.in-addr.arpa (REFUSED)"), std::string::npos)
      << hints[0];
  const auto rows = server_rows(c);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, "lame (REFUSED)");
  EXPECT_FALSE(rows[1].up);
}

TEST(PtrCompare, RecordsAtReadsOnlyAuthoritativeAnswersAtTheName) {
  const std::string name = "10.2.0.192.in-addr.arpa.";
  auto q = encode_query(3, name, RrType::PTR);
  Bytes two = ptr_record("B");
  const Bytes a = ptr_record("a");
  two.insert(two.end(), a.begin(), a.end());
  auto reply = decode_reply(reply_to(*q, 0x0400, 2, two), 3, name, RrType::PTR);
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(records_at(*reply, name), (std::vector<std::string>{"PTR a.", "PTR b."}));
  auto nx = decode_reply(reply_to(*q, 0x0403, 0, {}), 3, name, RrType::PTR);
  EXPECT_EQ(records_at(*nx, name), std::vector<std::string>{});
  auto referral = decode_reply(reply_to(*q, 0x0000, 0, {}), 3, name, RrType::PTR);
  EXPECT_EQ(records_at(*referral, name), std::nullopt);
}

// --- the socket querier against sockets of this test

struct LocalServer {
  rdns::UniqueFd udp;
  rdns::UniqueFd tcp;
  std::uint16_t port = 0;
  LocalServer() : udp(::socket(AF_INET, SOCK_DGRAM, 0)), tcp(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(udp.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
    ::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    const int one = 1;
    ::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(tcp.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
    ::listen(tcp.get(), 4);
  }
};

ServerReply ask_sync(ServerQuerier& querier, std::uint16_t port, const std::string& name, RrType type,
                     std::chrono::milliseconds within) {
  std::promise<ServerReply> got;
  querier.ask("127.0.0.1", port, name, type, std::chrono::steady_clock::now() + within,
              [&](ServerReply r) { got.set_value(std::move(r)); });
  return got.get_future().get();
}

TEST(SocketQuerier, SilentServerEndsAtTheDeadline) {
  LocalServer server;  // bound, never answers
  auto querier = make_socket_querier();
  const auto start = std::chrono::steady_clock::now();
  const auto r = ask_sync(*querier, server.port, "example.net.", RrType::SOA, std::chrono::milliseconds(300));
  EXPECT_EQ(r.outcome, ServerReply::Outcome::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(290));
}

TEST(SocketQuerier, ClosedPortIsUnreachable) {
  std::uint16_t port = 0;
  {
    LocalServer gone;
    port = gone.port;
  }
  auto querier = make_socket_querier();
  const auto r = ask_sync(*querier, port, "example.net.", RrType::SOA, std::chrono::seconds(2));
  EXPECT_EQ(r.outcome, ServerReply::Outcome::unreachable) << r.detail;
}

TEST(SocketQuerier, TruncatedUdpReplyIsAskedAgainOverTcp) {
  LocalServer server;
  const std::string name = "10.2.0.192.in-addr.arpa.";
  std::thread responder([&] {
    std::uint8_t buf[512];
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const ssize_t n = ::recvfrom(server.udp.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
    const Bytes query(buf, buf + n);
    const Bytes tc = reply_to(query, 0x0600, 0, {});
    ::sendto(server.udp.get(), tc.data(), tc.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
    rdns::UniqueFd conn(::accept(server.tcp.get(), nullptr, nullptr));
    std::uint8_t head[2];
    ASSERT_EQ(::recv(conn.get(), head, 2, MSG_WAITALL), 2);
    Bytes tcp_query((head[0] << 8) | head[1]);
    ASSERT_EQ(::recv(conn.get(), tcp_query.data(), tcp_query.size(), MSG_WAITALL),
              static_cast<ssize_t>(tcp_query.size()));
    const Bytes full = reply_to(tcp_query, 0x0400, 1, ptr_record("over-tcp"));
    Bytes framed;
    put16(framed, static_cast<std::uint16_t>(full.size()));
    framed.insert(framed.end(), full.begin(), full.end());
    ::send(conn.get(), framed.data(), framed.size(), 0);
  });
  auto querier = make_socket_querier();
  const auto r = ask_sync(*querier, server.port, name, RrType::PTR, std::chrono::seconds(3));
  responder.join();
  ASSERT_EQ(r.outcome, ServerReply::Outcome::reply) << r.detail;
  EXPECT_EQ(records_at(r.reply, name), std::vector<std::string>{"PTR over-tcp."});
}

}  // namespace
}  // namespace rdns::checks::zone
