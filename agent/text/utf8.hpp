// UTF-8 validation and a JSON string escaper that keeps valid UTF-8 readable.
//
// Well-formed UTF-8 is what Unicode (chapter 3, table 3-7) and RFC 3629 define: no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
//
// json_escape_utf8 writes the *inside* of a JSON string (no surrounding quotes):
//  - '"' and '\\' as \" and \\; newline, tab, carriage return, backspace and form feed as
//    \n \t \r \b \f; every other control character (U+0000..U+001F, U+007F..U+009F) and the
//    JavaScript line breaks U+2028/U+2029 as \uXXXX (lower-case hex);
//  - every other well-formed UTF-8 sequence as it is ("ä" stays "ä", not "\u00c3\u00a4");
//  - every byte that is not part of a well-formed sequence as \ufffd (U+REPLACEMENT CHARACTER),
//    one per byte: "a\xffb" -> "a\ufffdb", a truncated three-byte sequence "\xe2\x82" -> two.
// The result is therefore always valid UTF-8, free of raw control characters, and a valid
// JSON string body whatever the input bytes were; for valid UTF-8 input it decodes back to
// exactly the input.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rdns::agent::text {

// The length (1..4) of the well-formed UTF-8 sequence starting at text[at], or 0 when the
// bytes there do not start one (also when at >= text.size()).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

bool is_valid_utf8(std::string_view text);

// The body of a JSON string for `text`, as described above (no surrounding quotes).
std::string json_escape_utf8(std::string_view text);

}  // namespace rdns::agent::text
