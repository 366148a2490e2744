// GoogleMock doubles for the narrow interfaces (STYLE.md §4).
#pragma once

#include <gmock/gmock.h>

#include "gateway/audit/audit_sink.h"
#include "gateway/cache/record_cache.h"
#include "gateway/core/clock.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/upstream/http_client.h"
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

class MockAdapter : public exchange::Adapter {
 public:
  MOCK_METHOD(std::string_view, name, (), (const, override));
  MOCK_METHOD(const std::vector<exchange::DocumentTypeSpec>&, document_types, (),
              (const, override));
  MOCK_METHOD(Result<void>, check_subject, (std::string_view), (const, override));
  MOCK_METHOD(void, fetch, (exchange::AdapterQuery, exchange::RecordCallback), (override));
  MOCK_METHOD(std::string, upstream_state, (), (const, override));
};

class MockRecordCache : public cache::RecordCache {
 public:
  MOCK_METHOD(Result<std::optional<VerifiedRecord>>, get, (const std::string&), (override));
  MOCK_METHOD(Result<void>, put, (const VerifiedRecord&, std::chrono::seconds), (override));
  MOCK_METHOD(Result<void>, invalidate, (const std::string&), (override));
  MOCK_METHOD(bool, healthy, (), (const, override));
};

class MockAuditSink : public audit::AuditSink {
 public:
  MOCK_METHOD(void, append, (audit::AuditEntry, audit::DurableCallback), (override));
};

class MockHttpClient : public upstream::HttpClient {
 public:
  MOCK_METHOD(void, send, (upstream::HttpRequest, upstream::ResponseCallback), (override));
  MOCK_METHOD(std::string, breaker_state, (), (const, override));
};

class MockPipeline : public exchange::Pipeline {
 public:
  MOCK_METHOD(void, lookup, (LookupRequest, exchange::LookupCallback), (override));
  MOCK_METHOD(exchange::Readiness, readiness, (), (const, override));
};

}  // namespace lienthong::testing
