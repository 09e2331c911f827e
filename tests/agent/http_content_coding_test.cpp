// Accept-Encoding negotiation and the gzip stream of /metrics and the status page: which coding
// each header gets, and that what GzipStream writes inflates (zlib, as a client does) to exactly
// the bytes put in.
#include "agent/http/content_coding.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

namespace rdns::agent {
namespace {

// Inflates a gzip member (windowBits 31: gzip only), as Prometheus or curl would; "" + error
// flag when it is not one whole, valid member.
std::string gunzip(const std::string& compressed, bool* ok) {
  z_stream z{};
  *ok = inflateInit2(&z, 15 + 16) == Z_OK;
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  char buffer[16384];
  int status = Z_OK;
  while (*ok && status != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) *ok = false;
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  *ok = *ok && z.avail_in == 0;  // nothing after the member
  inflateEnd(&z);
  return out;
}

TEST(ContentCoding, HonoursWeightsIdentityAndTheWildcard) {
  const struct {
    const char* header;
    ContentCoding expected;
  } cases[] = {
      {"", ContentCoding::identity},  // no header (or an empty one): identity
      {"gzip", ContentCoding::gzip},  // what Prometheus sends
      {"GZip", ContentCoding::gzip},
      {"x-gzip", ContentCoding::gzip},
      {"gzip, deflate, br", ContentCoding::gzip},  // a browser: gzip, never httplib's brotli
      {"br;q=1.0, gzip;q=0.8, *;q=0.1", ContentCoding::gzip},
      {"br", ContentCoding::identity},  // nothing we offer but identity
      {"deflate", ContentCoding::identity},
      {"gzip;q=0", ContentCoding::identity},
      {"gzip; q=0.000", ContentCoding::identity},
      {"gzip;q=0.001", ContentCoding::gzip},
      {"gzip;q=0.5, identity;q=1", ContentCoding::identity},  // the client prefers identity
      {"gzip;q=0.5, identity;q=0.5", ContentCoding::gzip},    // a tie: the smaller body
      {"identity", ContentCoding::identity},
      {"identity;q=0, gzip", ContentCoding::gzip},
      {"*", ContentCoding::gzip},
      {"*;q=0", ContentCoding::identity},              // nothing acceptable: identity all the same
      {"*;q=0.5, gzip;q=0", ContentCoding::identity},  // listed gzip wins over the wildcard
      {"*;q=0, identity", ContentCoding::identity},
      {"gzip;q=2", ContentCoding::identity},  // malformed weights count as 0
      {"gzip;q=0.5x", ContentCoding::identity},
      {"gzip;q=", ContentCoding::identity},
      {"gzip;level=9", ContentCoding::gzip},  // other parameters are not ours
      {" , ,gzip ,", ContentCoding::gzip},
      {"gzipx, xgzip", ContentCoding::identity},
      {"gzip;q=0, gzip", ContentCoding::gzip},  // listed twice: the better weight
  };
  for (const auto& c : cases) {
    EXPECT_EQ(choose_content_coding(c.header), c.expected) << "Accept-Encoding: " << c.header;
  }
}

TEST(GzipStream, InflatesToExactlyTheInputWrittenInPieces) {
  // Exposition-like lines with random values, written in uneven pieces.
  std::mt19937 random(42);
  std::string input;
  while (input.size() < 3'000'000) {
    input += "rdns_ptr_ttl_seconds{ip=\"198.18." + std::to_string(random() % 256) + "." +
             std::to_string(random() % 256) + "\"} " + std::to_string(random()) + "\n";
  }
  std::string compressed;
  std::size_t pieces_out = 0;
  GzipStream stream([&](std::string_view bytes) {
    EXPECT_LE(bytes.size(), 64u * 1024);
    compressed += bytes;
    ++pieces_out;
    return true;
  });
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = std::min<std::size_t>(input.size() - at, 1 + random() % 100'000);
    ASSERT_TRUE(stream.write(std::string_view(input).substr(at, n)));
    at += n;
  }
  ASSERT_TRUE(stream.write({}));
  ASSERT_TRUE(stream.finish());
  bool ok = false;
  const std::string back = gunzip(compressed, &ok);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(back == input) << back.size() << " bytes back of " << input.size();
  EXPECT_LT(compressed.size(), input.size() / 2);
  EXPECT_GT(pieces_out, 1u);
}

TEST(GzipStream, StopsWhenTheClientIsGone) {
  int calls = 0;
  GzipStream stream([&](std::string_view) { return ++calls < 2; });
  std::mt19937 random(7);
  std::string noise(1'000'000, '\0');
  for (char& c : noise) c = static_cast<char>(random());  // incompressible: output at once
  EXPECT_FALSE(stream.write(noise));
  const int after = calls;
  EXPECT_EQ(after, 2);
  EXPECT_FALSE(stream.write(noise));
  EXPECT_FALSE(stream.finish());
  EXPECT_EQ(calls, after);  // nothing more was compressed or sent
}

TEST(GzipCompress, WholeBodiesRoundTripEmptyIncluded) {
  for (const std::string& input : {std::string(), std::string("<!DOCTYPE html>\n"), std::string(200'000, 'x')}) {
    bool ok = false;
    EXPECT_EQ(gunzip(gzip_compress(input), &ok), input);
    EXPECT_TRUE(ok);
  }
}

}  // namespace
}  // namespace rdns::agent
