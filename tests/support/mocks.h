// GoogleMock doubles for the narrow interfaces (STYLE.md §4).
#pragma once

#include <gmock/gmock.h>

#include "gateway/core/clock.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_verifier.h"

namespace lienthong::testing {

class MockClock : public Clock {
 public:
  MOCK_METHOD(TimePoint, now, (), (const, override));
};

class MockTrustStore : public crypto::TrustStore {
 public:
  MOCK_METHOD(Result<crypto::ValidatedPath>, validate, (const crypto::PathCheck&),
              (const, override));
  MOCK_METHOD(size_t, anchor_count, (), (const, override));
};

class MockXmlVerifier : public crypto::XmlVerifier {
 public:
  MOCK_METHOD(Result<crypto::VerifiedXml>, verify, (std::string_view), (const, override));
};

}  // namespace lienthong::testing
