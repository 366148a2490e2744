#include "gateway/crypto/signature_policy.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "gateway/crypto/algorithms.h"

namespace lienthong::crypto {
namespace {

using Role = SignaturePolicy::Role;

TEST(SignaturePolicy, StrictAcceptsSha256AndStrongerOnly) {
  const auto& p = SignaturePolicy::strict();
  EXPECT_FALSE(p.refusal(Role::kSignature, alg::kRsaSha256));
  EXPECT_FALSE(p.refusal(Role::kSignature, alg::kEcdsaSha384));
  EXPECT_FALSE(p.refusal(Role::kDigest, alg::kSha512));
  EXPECT_TRUE(p.refusal(Role::kSignature, alg::kRsaSha1));
  EXPECT_TRUE(p.refusal(Role::kDigest, alg::kSha1));
  EXPECT_TRUE(p.refusal(Role::kTransform, alg::kXPath));
  EXPECT_FALSE(p.allow_detached_references);
}

TEST(SignaturePolicy, InteropAddsSha1ButNeverHmacDsaMd5OrXslt) {
  const auto& p = SignaturePolicy::interop();
  EXPECT_FALSE(p.refusal(Role::kSignature, alg::kRsaSha1));
  EXPECT_FALSE(p.refusal(Role::kDigest, alg::kSha1));
  for (const auto* policy : {&SignaturePolicy::strict(), &SignaturePolicy::interop()}) {
    auto hmac = policy->refusal(Role::kSignature, "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
    ASSERT_TRUE(hmac);
    EXPECT_NE(hmac->find("HMAC"), std::string::npos);
    EXPECT_TRUE(policy->refusal(Role::kSignature, "http://www.w3.org/2000/09/xmldsig#dsa-sha1"));
    EXPECT_TRUE(policy->refusal(Role::kSignature, alg::kRsaMd5));
    EXPECT_TRUE(policy->refusal(Role::kDigest, alg::kMd5));
    EXPECT_TRUE(policy->refusal(Role::kTransform, alg::kXslt));
  }
}

TEST(SignaturePolicy, ByName) {
  EXPECT_EQ(SignaturePolicy::by_name("strict"), &SignaturePolicy::strict());
  EXPECT_EQ(SignaturePolicy::by_name("interop"), &SignaturePolicy::interop());
  EXPECT_EQ(SignaturePolicy::by_name("lenient"), nullptr);
}

TEST(SignaturePolicy, KeySizes) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  EVP_PKEY* big = EVP_RSA_gen(2048);
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EXPECT_TRUE(SignaturePolicy::strict().key_refusal(small));
  EXPECT_FALSE(SignaturePolicy::interop().key_refusal(small));
  EXPECT_FALSE(SignaturePolicy::strict().key_refusal(big));
  EXPECT_FALSE(SignaturePolicy::strict().key_refusal(ec));
  EXPECT_TRUE(SignaturePolicy::strict().key_refusal(ed));
  for (EVP_PKEY* k : {small, big, ec, ed}) EVP_PKEY_free(k);
}

}  // namespace
}  // namespace lienthong::crypto
