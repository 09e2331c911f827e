// Every way rdns_exporter escapes text for an output format, in one place. All functions are
// pure and thread-safe; none of them can produce output that breaks its format, whatever bytes
// (hostile PTR names, invalid UTF-8, control characters) come in.
//
// The agent uses it for JSON, HTML and logfmt; config and the libunbound adapter for their
// one-line error messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rdns::text {

// Length of the well-formed UTF-8 sequence starting at text[i] (1..4), or 0 when the bytes
// there are not one (stray continuation byte, overlong form, surrogate, above U+10FFFF,
// truncated). Plain ASCII is 1.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// True when all of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// `text` as a quoted JSON string. Valid UTF-8 is written as is; control characters as \n, \t,
// \r or \u00XX, DEL as \u007f; each byte that is not part of valid UTF-8 becomes U+FFFD (the
// replacement character), so the document is always valid JSON and valid UTF-8.
std::string json_string(std::string_view text);

// A logfmt value: bare when it has no space, quote, '=', backslash, control or non-ASCII
// byte; otherwise quoted and escaped exactly like json_string.
std::string logfmt_value(std::string_view text);

// HTML text and attribute values: & < > " ' as entities; control characters other than tab
// and newline, and invalid UTF-8 bytes, become U+FFFD.
std::string html_escape(std::string_view text);

// One line of plain text (error messages, which name user input): control characters as \n,
// \r, \t or \xNN; everything else unchanged.
std::string one_line(std::string_view text);

// `text` in double quotes, for naming a value inside an error message: one_line() plus
// backslash-escaped '"' and '\'.
std::string quote(std::string_view text);

}  // namespace rdns::text
