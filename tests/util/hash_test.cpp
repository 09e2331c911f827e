#include "util/hash.hpp"

#include <gtest/gtest.h>

namespace rdns::util {
namespace {

// The published FNV-1a 64 test vectors: shard ownership and the state file's checksum depend on
// these exact values, so they may never change.
TEST(Fnv1a64, MatchesTheReferenceVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
}

TEST(Fnv1a64, IncrementalEqualsOneShot) {
  Fnv1a64 hash;
  hash.add("foo");
  hash.add(static_cast<unsigned char>('b'));
  hash.add("ar");
  EXPECT_EQ(hash.value(), fnv1a64("foobar"));
}

TEST(Fnv1a64, FoldedIgnoresAsciiCaseOnly) {
  EXPECT_EQ(fnv1a64_ascii_folded("Mail.Example.TEST"), fnv1a64("mail.example.test"));
  EXPECT_NE(fnv1a64_ascii_folded("\xc3\x89"), fnv1a64_ascii_folded("\xc3\xa9"));
}

}  // namespace
}  // namespace rdns::util
