#include "agent/http/http_text.hpp"

#include <cstring>

namespace rdns::agent {

std::string regex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::strchr(".^$|()[]{}*+?\\", c) != nullptr) out += '\\';
    out += c;
  }
  return out;
}

void set_text(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, k_text_plain);
}

std::string reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// For the large text routes (/metrics, the status page): the coding is negotiated here
// (content_coding.hpp), and the request's Accept-Encoding is then removed so that httplib, which
// decides after the handler from that header alone, leaves the body as it is. httplib hands
// handlers a const reference to its own non-const Request, so removing the header is defined.
ContentCoding negotiate_coding(const httplib::Request& req, httplib::Response& res) {
  const ContentCoding coding = choose_content_coding(req.get_header_value("Accept-Encoding"));
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  res.set_header("Vary", "Accept-Encoding");
  if (coding == ContentCoding::gzip) res.set_header("Content-Encoding", "gzip");
  return coding;
}

}  // namespace rdns::agent
