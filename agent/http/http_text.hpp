// Small pieces of HTTP text every route shares: one-line text bodies, reason phrases, and the
// escaping of a literal path for httplib's regex routes.
#pragma once

#include <string>

#include <httplib.h>

#include "agent/http/content_coding.hpp"

namespace rdns::agent {

inline constexpr const char* k_text_plain = "text/plain; charset=utf-8";

// `res` becomes `status` with `body` as text/plain.
void set_text(httplib::Response& res, int status, const std::string& body);
// "Not Found" for 404...; "Error" for codes no route sends.
std::string reason_phrase(int status);
// `text` with regex metacharacters escaped, for a route that must match it literally.
std::string regex_escape(const std::string& text);

// The content coding of a large text response (content_coding.hpp), with Vary and
// Content-Encoding set; the request's Accept-Encoding is removed so httplib leaves the body alone.
ContentCoding negotiate_coding(const httplib::Request& req, httplib::Response& res);

}  // namespace rdns::agent
