// Basic-auth parsing and bcrypt verification (libxcrypt), including the success cache.
#include "agent/http/basic_auth.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rdns::agent {
namespace {

TEST(HttpBasicAuth, Base64RoundTripsAndRejectsGarbage) {
  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", "user:pa:ss", std::string("\0\xff\x10", 3)}) {
    auto decoded = base64_decode(base64_encode(text));
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64_encode("prometheus:secret"), "cHJvbWV0aGV1czpzZWNyZXQ=");
  for (const char* bad : {"abc", "ab=c", "a===", "!!!!", "YQ==YQ==", "Y Q=", "=AAA"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(HttpBasicAuth, ParsesTheBasicSchemeOnly) {
  auto creds = parse_basic_authorization("Basic " + base64_encode("alice:pa:ss word"));
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->user, "alice");
  EXPECT_EQ(creds->password, "pa:ss word");  // only the first colon separates
  EXPECT_TRUE(parse_basic_authorization("basic  " + base64_encode("a:b")));
  EXPECT_FALSE(parse_basic_authorization("Bearer " + base64_encode("a:b")));
  EXPECT_FALSE(parse_basic_authorization("Basic " + base64_encode("no-colon")));
  EXPECT_FALSE(parse_basic_authorization("Basic %%%%"));
  EXPECT_FALSE(parse_basic_authorization("Basic"));
  EXPECT_FALSE(parse_basic_authorization(""));
}

TEST(HttpBasicAuth, ANulByteNeverAuthenticates) {
  // crypt(3) stops at the first NUL: "s3cret\0junk" used to verify against the hash of "s3cret".
  const std::string with_nul("s3cret\0junk", 11);
  EXPECT_FALSE(parse_basic_authorization("Basic " + base64_encode("alice:" + with_nul)));
  EXPECT_FALSE(parse_basic_authorization("Basic " + base64_encode(std::string("al\0ice:s3cret", 13))));
  const std::string hash = bcrypt_hash("s3cret", 4);
  BcryptVerifier verifier;
  EXPECT_FALSE(verifier.verify("alice", with_nul, &hash));
  EXPECT_TRUE(verifier.verify("alice", "s3cret", &hash));
}

TEST(HttpBasicAuth, VerifiesBcryptHashesAndCachesOnlySuccess) {
  const std::string hash = bcrypt_hash("s3cret", 4);
  ASSERT_EQ(hash.size(), 60u);
  ASSERT_EQ(hash.substr(0, 4), "$2b$");
  BcryptVerifier verifier;
  EXPECT_FALSE(verifier.verify("alice", "wrong", &hash));
  EXPECT_EQ(verifier.cache_size(), 0u);
  EXPECT_TRUE(verifier.verify("alice", "s3cret", &hash));
  EXPECT_EQ(verifier.cache_size(), 1u);
  EXPECT_TRUE(verifier.verify("alice", "s3cret", &hash));
  EXPECT_EQ(verifier.cache_size(), 1u);
  // The cache key covers the user and the hash: a different user or a rotated hash re-verifies.
  EXPECT_TRUE(verifier.verify("bob", "s3cret", &hash));
  EXPECT_EQ(verifier.cache_size(), 2u);
  const std::string rotated = bcrypt_hash("other", 4);
  EXPECT_FALSE(verifier.verify("alice", "s3cret", &rotated));
  EXPECT_FALSE(verifier.verify("nobody", "s3cret", nullptr));  // unknown user
  const std::string not_bcrypt = "plaintext";
  EXPECT_FALSE(verifier.verify("alice", "plaintext", &not_bcrypt));
  const std::string empty_password_hash = bcrypt_hash("", 4);
  EXPECT_TRUE(verifier.verify("alice", "", &empty_password_hash));
}

TEST(HttpBasicAuth, AcceptsHtpasswdStyle2yHashes) {
  // htpasswd -nbB writes $2y$; libxcrypt verifies it like $2b$.
  std::string hash = bcrypt_hash("pw", 4);
  hash[2] = 'y';
  BcryptVerifier verifier;
  EXPECT_TRUE(verifier.verify("u", "pw", &hash));
}

TEST(HttpBasicAuth, CachedVerificationIsCheap) {
  const std::string hash = bcrypt_hash("pw", 10);  // the cost a real htpasswd file might use
  BcryptVerifier verifier;
  ASSERT_TRUE(verifier.verify("u", "pw", &hash));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(verifier.verify("u", "pw", &hash));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST(HttpBasicAuth, ConcurrentVerificationIsSafe) {
  const std::string hash = bcrypt_hash("pw", 4);
  BcryptVerifier verifier;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) ok += verifier.verify("u" + std::to_string(t), i % 2 ? "pw" : "bad", &hash);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 10);
}

}  // namespace
}  // namespace rdns::agent
