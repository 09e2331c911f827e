// Which content coding a response gets, from the request's Accept-Encoding (RFC 9110 12.5.3),
// and the gzip encoder the server compresses with. Used for /metrics and the status page, whose
// bodies are large text: httplib's own compression (zlib's default level, brotli at quality 11
// when a browser offers "br") costs more CPU than the rest of the request, so those routes
// negotiate and compress here, at zlib level 1, and httplib's is turned off for them.
//
// Thread-safety: choose_content_coding is pure; a GzipStream is used by one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace rdns::agent {

enum class ContentCoding { identity, gzip };

// The coding to answer with. Every listed coding may carry ";q=VALUE" (0 to 1, at most three
// decimals); "*" stands for every coding not listed; "x-gzip" is gzip. gzip is chosen when its
// weight is above 0 and not below identity's; identity otherwise. identity is acceptable unless
// "identity;q=0" or "*;q=0" (without an identity entry) says so; when neither is acceptable we
// still answer identity (the one coding every client reads) rather than 406. No header, an
// empty one, or one that cannot be parsed: identity. A malformed weight counts as 0: a coding
// is sent only when the client clearly asked for it. Names are case-insensitive.
ContentCoding choose_content_coding(std::string_view accept_encoding);

// A gzip member (RFC 1952) written as the input arrives: deflate at `level` (1 = fastest),
// output handed to `out` in pieces of up to 64 KiB. `out` returns false when the client is
// gone; write() and finish() then return false and compress nothing more.
class GzipStream {
public:
  using Out = std::function<bool(std::string_view compressed)>;
  explicit GzipStream(Out out, int level = 1);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  bool write(std::string_view data);
  bool finish();  // the last deflate block and the gzip trailer (CRC-32, length)

private:
  bool run(std::string_view data, int flush);
  struct State;
  std::unique_ptr<State> m_state;
  Out m_out;
  bool m_ok = true;
};

// The whole of `data` as one gzip member (the status page: about a megabyte at most).
std::string gzip_compress(std::string_view data, int level = 1);

}  // namespace rdns::agent
