#include "checks/hostname.hpp"

#include <cctype>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace rdns::checks {
namespace {

TEST(NormaliseHostname, LowerCasesAndStripsOneTrailingDot) {
  EXPECT_EQ(normalise_hostname("Mail.Example.COM."), "mail.example.com");
  EXPECT_EQ(normalise_hostname("mail.example.com"), "mail.example.com");
  EXPECT_EQ(normalise_hostname("."), "");
  EXPECT_EQ(normalise_hostname(""), "");
  // Escapes are kept; an escaped final dot is part of the label, not the root.
  EXPECT_EQ(normalise_hostname("A\\032B.Example."), "a\\032b.example");
  EXPECT_EQ(normalise_hostname("host\\."), "host\\.");
  EXPECT_EQ(normalise_hostname("host\\\\."), "host\\\\");
  EXPECT_EQ(normalise_hostname("\\\"Q\\\".example."), "\\\"q\\\".example");
  // Only ASCII letters change: bytes above 0x7f are left alone.
  EXPECT_EQ(normalise_hostname("\xC3\x84X."), "\xC3\x84x");
}

struct ValidCase {
  std::string name;
  bool valid;
};

// Readable, stable ctest names (CMake's test discovery names each case by its printed value).
void PrintTo(const ValidCase& c, std::ostream* out) {
  std::string label;
  for (const char ch : c.name.substr(0, 24)) label += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  *out << label << "_len" << c.name.size();
}

class ValidHostnameTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidHostnameTest, Decides) {
  EXPECT_EQ(is_valid_hostname(GetParam().name), GetParam().valid) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidHostnameTest,
    ::testing::Values(ValidCase{"mail.example.com", true}, ValidCase{"mail.example.com.", true},
                      ValidCase{"MAIL.Example.Com", true}, ValidCase{"a", true}, ValidCase{"localhost", true},
                      ValidCase{"123.example.com", true}, ValidCase{"mx-1.example.com", true},
                      ValidCase{"xn--bcher-kva.example", true}, ValidCase{"1a.2b", true}, ValidCase{"", false},
                      ValidCase{".", false}, ValidCase{"a..b", false}, ValidCase{".a", false},
                      ValidCase{"-mail.example.com", false}, ValidCase{"mail-.example.com", false},
                      ValidCase{"mail_1.example.com", false}, ValidCase{"mail server.example.com", false},
                      ValidCase{"mail\\032server.example.com", false}, ValidCase{"\\\"quoted\\\".example.com", false},
                      ValidCase{"host\\.name.example", false}, ValidCase{"192.0.2.10", false},
                      ValidCase{"12345", false}, ValidCase{"192.0.2.10.", false}, ValidCase{"2001:db8::1", false},
                      ValidCase{"mail.example.123", false}, ValidCase{"caf\xC3\xA9.example", false},
                      ValidCase{"a.b.c*", false}, ValidCase{std::string(63, 'a') + ".example", true},
                      ValidCase{std::string(64, 'a') + ".example", false},
                      // 4 labels of 63 + 3 dots = 255 > 253
                      ValidCase{std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                    std::string(63, 'd'),
                                false},
                      ValidCase{std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                    std::string(61, 'd'),
                                true}));

TEST(SameHostname, IgnoresCaseAndTrailingDot) {
  EXPECT_TRUE(same_hostname("Mail.Example.com.", "mail.example.COM"));
  EXPECT_FALSE(same_hostname("mail.example.com", "mail.example.net"));
  EXPECT_FALSE(same_hostname("mail.example.com", "mail.example.com.."));
}

}  // namespace
}  // namespace rdns::checks
