// Root anchor key tags from the forms anchor files come in. The DNSKEY lines below are the two
// root KSKs exactly as Debian's dns-root-data (2024071801~deb12u1) ships them in root.key; their
// key tags are computed here from the key data (the "; keytag" comments are not read).
#include <gtest/gtest.h>

#include "checks/trust_anchor.hpp"

namespace rdns::checks {
namespace {

constexpr const char* k_ksk_2017 =
    ". IN DNSKEY 257 3 8 "
    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/"
    "4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+"
    "B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/"
    "b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/"
    "ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
constexpr const char* k_ksk_2024 =
    ". IN DNSKEY 257 3 8 "
    "AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/"
    "cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+"
    "siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/"
    "7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+"
    "s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=";

TEST(TrustAnchor, KeyTagsOfDebiansRootKeyAreComputedFromTheKeys) {
  const std::string root_key = std::string(k_ksk_2017) + " ; keytag 1\n" + k_ksk_2024 + " ; keytag 2\n";
  EXPECT_EQ(root_anchor_key_tags(root_key), (std::vector<std::uint16_t>{20326, 38696}));
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(root_key)), "20326,38696");
}

TEST(TrustAnchor, BuiltinAnchorsAreBothRootKsks) {
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(builtin_root_anchors())), "20326,38696");
}

TEST(TrustAnchor, DsLinesTtlsClassesCommentsAndOtherOwners) {
  const std::string text =
      "; a comment\n"
      "\n"
      ".\t172800\tIN\tDS\t38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n"
      ". ds 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
      "example.com. IN DS 12345 8 2 AAAA\n"
      "   IN DS 999 8 2 AAAA\n"  // no owner: a continuation, not an anchor
      ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(text)), "20326,38696");
}

TEST(TrustAnchor, Rfc5011StatesAndTheRevokeBit) {
  const std::string ksk_2024 = std::string(k_ksk_2024);
  const std::string text = "; autotrust trust anchor file\n;;id: . 1\n" + std::string(k_ksk_2017) +
                           " ;{id = 20326 (ksk), size = 2048b} ;;state=4 [ REVOKED ] ;;count=0\n" + ksk_2024 +
                           " ;{id = 38696 (ksk), size = 2048b} ;;state=2 [  VALID  ] ;;count=0\n";
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(text)), "38696");
  // Still in its add hold-down: not trusted yet.
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(ksk_2024 + " ;;state=1 [ ADDPEND ] ;;count=1\n")), "");
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(ksk_2024 + " ;;state=3 [ MISSING ]\n")), "38696");
  // The same key with the REVOKE bit (flags 385) is no anchor.
  std::string revoked = ksk_2024;
  revoked.replace(revoked.find("257"), 3, "385");
  EXPECT_EQ(key_tags_text(root_anchor_key_tags(revoked)), "");
}

TEST(TrustAnchor, GarbageIsSkippedNotFatal) {
  EXPECT_TRUE(root_anchor_key_tags(". IN DNSKEY 257 3 8 !!!notbase64").empty());
  EXPECT_TRUE(root_anchor_key_tags(". IN DS notanumber 8 2 AA").empty());
  EXPECT_TRUE(root_anchor_key_tags(". IN DNSKEY 257").empty());
  EXPECT_TRUE(root_anchor_key_tags("").empty());
}

}  // namespace
}  // namespace rdns::checks
