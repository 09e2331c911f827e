#include "util/ascii.hpp"

#include <gtest/gtest.h>

namespace rdns::util {
namespace {

TEST(Ascii, LowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Mail.EXAMPLE.Test-1_@[]"), "mail.example.test-1_@[]");
  // Bytes above 0x7f (UTF-8 of "É") stay as they are, whatever the process locale.
  EXPECT_EQ(ascii_lower("\xc3\x89X"), "\xc3\x89x");
  static_assert(ascii_lower('Z') == 'z' && ascii_lower('[') == '[' && ascii_lower('@') == '@');
}

TEST(Ascii, IequalsComparesCaseInsensitivelyAndByLength) {
  EXPECT_TRUE(iequals_ascii("GZip", "gzip"));
  EXPECT_FALSE(iequals_ascii("gzip", "gzi"));
  EXPECT_FALSE(iequals_ascii("[", "{"));  // 0x5b and 0x7b differ by the case bit, but are not letters
  EXPECT_TRUE(iequals_ascii("", ""));
}

TEST(Ascii, TrimRemovesTheGivenBlanksAtBothEnds) {
  EXPECT_EQ(trim(" \t q=0.5 \t"), "q=0.5");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("a b"), "a b");
  EXPECT_EQ(trim("\r x\r", " \r"), "x");
  EXPECT_EQ(trim("\rx"), "\rx") << "only space and tab by default";
}

}  // namespace
}  // namespace rdns::util
