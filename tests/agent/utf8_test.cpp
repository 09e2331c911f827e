// agent/text/utf8: validation against Unicode's table 3-7 and the JSON escaper's table.
#include "agent/text/utf8.hpp"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace {

using rdns::agent::text::is_valid_utf8;
using rdns::agent::text::json_escape_utf8;
using rdns::agent::text::utf8_sequence_length;

std::string encode(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

TEST(Utf8, EveryScalarValueIsValid) {
  for (std::uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const std::string bytes = encode(cp);
    ASSERT_TRUE(is_valid_utf8(bytes)) << std::hex << cp;
    ASSERT_EQ(utf8_sequence_length(bytes, 0), bytes.size()) << std::hex << cp;
  }
}

TEST(Utf8, IllFormedSequencesAreInvalid) {
  const char* const cases[] = {
      "\x80",              // lone continuation byte
      "\xbf",              //
      "\xc0\x80",          // overlong NUL
      "\xc1\xbf",          // overlong
      "\xe0\x80\x80",      // overlong three-byte
      "\xe0\x9f\xbf",      // overlong three-byte (U+07FF)
      "\xed\xa0\x80",      // surrogate U+D800
      "\xed\xbf\xbf",      // surrogate U+DFFF
      "\xf0\x80\x80\x80",  // overlong four-byte
      "\xf0\x8f\xbf\xbf",  // overlong four-byte (U+FFFF)
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",  // lead byte above F4
      "\xff",              //
      "\xc3",              // truncated two-byte
      "\xe2\x82",          // truncated three-byte
      "\xf0\x9f\x98",      // truncated four-byte
      "\xc3\x28",          // bad continuation
      "a\xe4",             // Latin-1 "ä" after valid text
  };
  for (const char* c : cases) EXPECT_FALSE(is_valid_utf8(c)) << testing::PrintToString(std::string(c));
  EXPECT_EQ(utf8_sequence_length("abc", 3), 0u);
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
}

TEST(Utf8, JsonEscapeTable) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"", ""},
      {"mail.example.com", "mail.example.com"},
      {"m\xc3\xa4il.example", "m\xc3\xa4il.example"},              // ä stays ä
      {"\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80"},  // € and an emoji
      {"a\"b\\c", "a\\\"b\\\\c"},
      {"\n\t\r\b\f", "\\n\\t\\r\\b\\f"},
      {std::string("\0\x01\x1f\x7f", 4), "\\u0000\\u0001\\u001f\\u007f"},
      {"\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0"},      // C1 controls; NBSP kept
      {"\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029"},              // JavaScript line breaks
      {"a\xff" "b", "a\\ufffdb"},                                  // one invalid byte
      {"m\xe4il", "m\\ufffdil"},                                   // Latin-1 "ä"
      {"\xe2\x82", "\\ufffd\\ufffd"},                              // truncated: one per byte
      {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"},                   // surrogate
      {"\xc3\xa4\x80", "\xc3\xa4\\ufffd"},                         // stray continuation
  };
  for (const auto& c : cases) EXPECT_EQ(json_escape_utf8(c.in), c.out) << testing::PrintToString(c.in);
}

TEST(Utf8, EscapedTextIsAlwaysValidUtf8WithoutControls) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (int b = 0; b < 256; ++b) all += "\xe2" + std::string(1, static_cast<char>(b));
  const std::string out = json_escape_utf8(all);
  EXPECT_TRUE(is_valid_utf8(out));
  for (const char c : out) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f);
}

}  // namespace
