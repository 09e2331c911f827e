// The shared text escapers, one table per output format. Each row is an input a hostile PTR
// name, a user's config or a resolver's error text can carry, and the exact output expected.
#include "config/text_escape.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(utf8_sequence_length("a", 1), 0u);                 // past the end
}

TEST(JsonString, EscapesSyntaxAndControlsKeepsUtf8ReplacesInvalidBytes) {
  const std::vector<Row> rows = {
      {"plain", "\"plain\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {std::string("\x01\n\t\r\x7f", 5), "\"\\u0001\\n\\t\\r\\u007f\""},
      {std::string("a\0b", 3), "\"a\\u0000b\""},
      {"m\xc3\xa4il.example", "\"m\xc3\xa4il.example\""},  // valid UTF-8 as is, not mojibake
      {"x\xffy", "\"x" + k_fffd + "y\""},                     // invalid byte: U+FFFD
      {"\xc0\xaf", "\"" + k_fffd + k_fffd + "\""},
      {"mail\\032x", "\"mail\\\\032x\""},                     // DNS presentation escapes stay text
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

}  // namespace
}  // namespace rdns::text
