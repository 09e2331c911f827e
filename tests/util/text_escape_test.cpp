// The shared text escapers, one table per output format. Each row is an input a hostile PTR
// name, a user's config or a resolver's error text can carry, and the exact output expected.
#include "util/text_escape.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rdns::text {
namespace {

struct Row {
  std::string input;
  std::string expected;
};

const std::string k_fffd = "\xef\xbf\xbd";

TEST(Utf8SequenceLength, AcceptsWellFormedAndRejectsTheRest) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa4", 0), 2u);          // ä
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);      // €
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);  // emoji
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);              // stray continuation byte
  EXPECT_EQ(utf8_sequence_length("\xc0\xaf", 0), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xed\xa0\x80", 0), 0u);      // UTF-16 surrogate
  EXPECT_EQ(utf8_sequence_length("\xf4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u);          // truncated
  EXPECT_EQ(utf8_sequence_length("\xff", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("a", 1), 0u);  // past the end
}

TEST(JsonString, EscapesSyntaxAndControlsKeepsUtf8ReplacesInvalidBytes) {
  const std::vector<Row> rows = {
      {"plain", "\"plain\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {std::string("\x01\n\t\r\x7f", 5), "\"\\u0001\\n\\t\\r\\u007f\""},
      {std::string("a\0b", 3), "\"a\\u0000b\""},
      {"m\xc3\xa4il.example", "\"m\xc3\xa4il.example\""},  // valid UTF-8 as is, not mojibake
      {"x\xffy", "\"x" + k_fffd + "y\""},                  // invalid byte: U+FFFD
      {"\xc0\xaf", "\"" + k_fffd + k_fffd + "\""},
      {"mail\\032x", "\"mail\\\\032x\""},  // DNS presentation escapes stay text
  };
  for (const auto& row : rows) EXPECT_EQ(json_string(row.input), row.expected) << row.input;
}

TEST(LogfmtValue, BareWhenSafeQuotedOtherwise) {
  const std::vector<Row> rows = {
      {"192.0.2.1", "192.0.2.1"},
      {"mail.example.com", "mail.example.com"},
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"k=v", "\"k=v\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"line\nbreak", "\"line\\nbreak\""},
      {"m\xc3\xa4il", "\"m\xc3\xa4il\""},
  };
  for (const auto& row : rows) EXPECT_EQ(logfmt_value(row.input), row.expected) << row.input;
}

TEST(HtmlEscape, EntitiesAndReplacement) {
  const std::vector<Row> rows = {
      {"a<b>&\"'c", "a&lt;b&gt;&amp;&quot;&#39;c"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"x\xff y", "x" + k_fffd + " y"},
      {"\xc0\xaf", k_fffd + k_fffd},
      {std::string("a\0b", 3), "a" + k_fffd + "b"},
      {"\xe2\x82", k_fffd + k_fffd},
      {"tab\tand\nnewline", "tab\tand\nnewline"},
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
  };
  for (const auto& row : rows) EXPECT_EQ(html_escape(row.input), row.expected) << row.input;
}

TEST(OneLine, ControlsEscapedTextUnchanged) {
  const std::vector<Row> rows = {
      {"no change \"here\"", "no change \"here\""},
      {"a\nb\rc\td", "a\\nb\\rc\\td"},
      {std::string("\x01\x7f", 2), "\\x01\\x7f"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
  };
  for (const auto& row : rows) EXPECT_EQ(one_line(row.input), row.expected) << row.input;
}

TEST(Quote, QuotesAndEscapes) {
  EXPECT_EQ(quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\x01\"");
  EXPECT_EQ(quote(""), "\"\"");
}

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
  for (const char* c : cases) EXPECT_FALSE(is_valid_utf8(c)) << ::testing::PrintToString(std::string(c));
  EXPECT_EQ(utf8_sequence_length("abc", 3), 0u);
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
}

TEST(Utf8, EscapedTextIsAlwaysValidUtf8WithoutControls) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (int b = 0; b < 256; ++b) all += "\xe2" + std::string(1, static_cast<char>(b));
  const std::string out = json_string(all);
  EXPECT_TRUE(is_valid_utf8(out));
  for (const char c : out) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f);
}

}  // namespace
}  // namespace rdns::text
