#include "agent/http/content_coding.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "util/ascii.hpp"

namespace rdns::agent {
namespace {

using util::iequals_ascii;
using util::trim;

// "1", "1.", "1.000", "0", "0.5", "0.125" as thousandths; -1 for anything else (RFC 9110 12.4.2).
int parse_weight(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.' || text.size() > 5) return -1;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return -1;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value > 1000 ? -1 : value;
}

// The weight of one list member "coding;param;q=0.5" (thousandths), 0 when malformed.
int weight_of(std::string_view params) {
  int weight = 1000;
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    const std::string_view param = trim(params.substr(0, semicolon));
    params = semicolon == std::string_view::npos ? std::string_view{} : params.substr(semicolon + 1);
    const auto equals = param.find('=');
    if (equals == std::string_view::npos) continue;  // a parameter without value: not ours
    if (!iequals_ascii(trim(param.substr(0, equals)), "q")) continue;
    const int parsed = parse_weight(trim(param.substr(equals + 1)));
    weight = parsed < 0 ? 0 : parsed;
  }
  return weight;
}

}  // namespace

ContentCoding choose_content_coding(std::string_view accept_encoding) {
  int gzip = -1, identity = -1, any = -1;  // -1: not listed
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view member = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto semicolon = member.find(';');
    const std::string_view name = trim(member.substr(0, semicolon));
    if (name.empty()) continue;
    const int weight = semicolon == std::string_view::npos ? 1000 : weight_of(member.substr(semicolon + 1));
    if (iequals_ascii(name, "gzip") || iequals_ascii(name, "x-gzip")) {
      gzip = std::max(gzip, weight);
    } else if (iequals_ascii(name, "identity")) {
      identity = std::max(identity, weight);
    } else if (name == "*") {
      any = std::max(any, weight);
    }
  }
  if (gzip < 0) gzip = any < 0 ? 0 : any;
  if (identity < 0) identity = any == 0 ? 0 : 1;  // acceptable unless "*;q=0" excludes it
  return gzip > 0 && gzip >= identity ? ContentCoding::gzip : ContentCoding::identity;
}

struct GzipStream::State {
  z_stream stream{};
  std::array<unsigned char, 64 * 1024> buffer{};
};

GzipStream::GzipStream(Out out, int level) : m_state(std::make_unique<State>()), m_out(std::move(out)) {
  // windowBits 15 + 16: a gzip header and trailer around the deflate data; memLevel 8 as zlib's
  // default.
  if (deflateInit2(&m_state->stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("cannot start a gzip stream (zlib deflateInit2 failed)");
  }
}

GzipStream::~GzipStream() { deflateEnd(&m_state->stream); }

bool GzipStream::run(std::string_view data, int flush) {
  if (!m_ok) return false;
  z_stream& z = m_state->stream;
  // zlib's next_in is not const in its API (it never writes through it).
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  do {
    z.next_out = m_state->buffer.data();
    z.avail_out = static_cast<uInt>(m_state->buffer.size());
    status = deflate(&z, flush);
    if (status == Z_STREAM_ERROR) return m_ok = false;
    const std::size_t produced = m_state->buffer.size() - z.avail_out;
    if (produced > 0 && !m_out({reinterpret_cast<const char*>(m_state->buffer.data()), produced})) return m_ok = false;
  } while (z.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  return true;
}

bool GzipStream::write(std::string_view data) {
  // deflate takes at most 4 GiB at once (uInt); a chunk is far smaller, but stay correct.
  constexpr std::size_t k_max = 1u << 30;
  while (data.size() > k_max) {
    if (!run(data.substr(0, k_max), Z_NO_FLUSH)) return false;
    data.remove_prefix(k_max);
  }
  return data.empty() ? m_ok : run(data, Z_NO_FLUSH);
}

bool GzipStream::finish() { return run({}, Z_FINISH); }

std::string gzip_compress(std::string_view data, int level) {
  std::string out;
  out.reserve(data.size() / 4 + 64);
  GzipStream stream(
      [&](std::string_view compressed) {
        out += compressed;
        return true;
      },
      level);
  stream.write(data);
  stream.finish();
  return out;
}

}  // namespace rdns::agent
