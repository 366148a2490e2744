// The Thrift front end to end over real TLS (dev PKI), with a fake pipeline behind it.
#include "gateway/front/thrift/thrift_front.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "gateway/core/metrics.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/jws_verifier.h"
#include "gateway/front/thrift/wire_mapping.h"
#include "tests/support/test_pki.h"
#include "tests/unit/front_thrift/thrift_test_support.h"

namespace lienthong::testing {
namespace {

using apache::thrift::transport::TTransportException;
using std::chrono::steady_clock;

class ThriftFrontTest : public ::testing::Test {
 protected:
  void start(front::ThriftFrontConfig config = test_front_config()) {
    pipeline_ = std::make_shared<FakePipeline>();
    metrics_ = std::make_shared<Metrics>();
    front_ = std::make_unique<front::ThriftFront>(std::move(config), pipeline_, metrics_);
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    ASSERT_NE(*port, 0);
    port_ = *port;
  }

  void TearDown() override {
    if (front_) front_->stop();
  }

  // After a refusal the server must still answer a well-behaved member.
  void expect_still_serving() {
    TlsClient client(port_, "member-g22");
    wire::LookupResponse response;
    ASSERT_NO_THROW(client.exchange().lookup(response, sample_wire_request()));
    EXPECT_EQ(response.record.subjectId, sample_wire_request().subjectId);
  }

  std::shared_ptr<FakePipeline> pipeline_;
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<front::ThriftFront> front_;
  std::uint16_t port_ = 0;
};

TEST_F(ThriftFrontTest, RecordComesBackToACertifiedMember) {
  start();
  TlsClient client(port_, "member-g22");
  auto request = sample_wire_request();
  request.__set_maxAgeSeconds(3600);
  request.__set_fields({"ho_va_ten"});
  request.__set_clientRequestId("mof-2026-000123");
  wire::LookupResponse response;
  client.exchange().lookup(response, request);

  EXPECT_EQ(response.record.code, "001203004510.CD01");
  EXPECT_EQ(response.record.source, "population");
  EXPECT_EQ(response.record.verifiedAt, "2026-11-22T08:15:30Z");
  ASSERT_EQ(response.record.fields.size(), 2u);
  EXPECT_EQ(response.record.fields[0].name, "ho_va_ten");
  EXPECT_EQ(response.record.fields[0].value, "Nguyễn Thị Minh Khai");
  EXPECT_TRUE(response.fromCache);
  EXPECT_EQ(response.signedEnvelope, "<Envelope>signed</Envelope>");

  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  // The member is the organ code in the client certificate, not anything the body says.
  EXPECT_EQ(seen[0].member.organ_code, "000.00.00.G22");
  EXPECT_FALSE(seen[0].member.certificate_der.empty());
  EXPECT_EQ(seen[0].front, "thrift");
  EXPECT_EQ(seen[0].subject, "001203004510");
  EXPECT_EQ(seen[0].purpose.dossier_code, "000.00.00.G22-261122-0001");
  EXPECT_EQ(seen[0].officer.account, "tam.lv@motcua.gov.vn");
  ASSERT_TRUE(seen[0].max_age.has_value());
  EXPECT_EQ(seen[0].max_age->count(), 3600);
  EXPECT_EQ(seen[0].fields, std::vector<std::string>{"ho_va_ten"});
  // A fresh 128-bit id, the one the response carries.
  EXPECT_EQ(seen[0].request_id.size(), 32u);
  EXPECT_EQ(seen[0].request_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(response.requestId, seen[0].request_id);
}

// --- signed JSON over Thrift (LookupRequest.jws, LookupResponse.jws) ------------------------

std::shared_ptr<const crypto::JwsSigner> signer_of(const std::string& name) {
  auto signer = crypto::JwsSigner::from_identity(*identity("ec", name), "", false);
  EXPECT_TRUE(signer) << signer.error().detail;
  return signer ? std::shared_ptr<const crypto::JwsSigner>(std::move(*signer)) : nullptr;
}

// The JSON form of `request` with iat and jti, signed by `member`'s key.
std::string signed_form(const wire::LookupRequest& request, const std::string& member,
                        const std::string& jti) {
  const nlohmann::json payload = {
      {"subjectId", request.subjectId},
      {"documentType", request.documentType},
      {"purpose",
       {{"dossierCode", request.purpose.dossierCode},
        {"procedureCode", request.purpose.procedureCode}}},
      {"officer",
       {{"personalId", request.officer.personalId}, {"account", request.officer.account}}},
      {"iat", 1795335330},
      {"jti", jti}};
  return *signer_of(member)->sign(payload.dump());
}

class ThriftSignedJsonTest : public ThriftFrontTest {
 protected:
  void SetUp() override {
    exchange::SignedJsonConfig config;
    config.answer_signer = signer_of("gateway-sign");
    auto signed_json = exchange::SignedJson::create(std::move(config));
    ASSERT_TRUE(signed_json);
    auto front_config = test_front_config();
    front_config.signed_json = *signed_json;
    start(std::move(front_config));
  }

  // The answer's JWS, verified with the gateway's certificate: its payload.
  static Result<std::string> answer_payload(const wire::LookupResponse& response) {
    crypto::JwsVerifierConfig vc;
    auto key = crypto::Jwk::from_certificate(certificate("ec", "gateway-sign"));
    vc.keys.push_back(std::move(*key));
    auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
    auto verified = (*verifier)->verify(response.jws);
    if (!verified) return tl::unexpected(verified.error());
    return verified->payload;
  }
};

TEST_F(ThriftSignedJsonTest, ASignedRequestReachesThePipelineAndTheAnswerIsSigned) {
  TlsClient client(port_, "member-g22");
  auto request = sample_wire_request();
  request.__set_jws(signed_form(request, "member-g22", "mof-jti-1"));
  wire::LookupResponse response;
  client.exchange().lookup(response, request);
  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen[0].signature.has_value());
  EXPECT_EQ(seen[0].signature->jti, "mof-jti-1");
  EXPECT_EQ(seen[0].signature->iat, 1795335330);
  EXPECT_EQ(seen[0].signature->alg, "ES256");

  ASSERT_TRUE(response.__isset.jws);
  auto payload = answer_payload(response);
  ASSERT_TRUE(payload) << payload.error().detail;
  const auto answer = nlohmann::json::parse(*payload);
  EXPECT_EQ(answer["requestId"], response.requestId);
  EXPECT_EQ(answer["record"]["subjectId"], response.record.subjectId);
  EXPECT_EQ(answer["signedEnvelope"], response.signedEnvelope);
}

TEST_F(ThriftSignedJsonTest, PlainFieldsThatDifferFromTheSignedOnesAreRefused) {
  TlsClient client(port_, "member-g22");
  auto signed_request = sample_wire_request();
  auto request = signed_request;
  request.subjectId = "079085000111";
  request.__set_jws(signed_form(signed_request, "member-g22", "mof-jti-2"));
  wire::LookupResponse response;
  try {
    client.exchange().lookup(response, request);
    FAIL() << "a request whose fields differ from its jws was answered";
  } catch (const wire::LookupError& e) {
    EXPECT_EQ(e.codeName, "BAD_REQUEST");
    EXPECT_EQ(e.detail, "subjectId differs from the signed request in jws");
  }
  EXPECT_TRUE(pipeline_->seen().empty());
}

TEST_F(ThriftSignedJsonTest, AnotherMembersSignatureIsRefusedAndUnsignedAnswersAreSignedToo) {
  TlsClient client(port_, "member-g22");
  auto request = sample_wire_request();
  request.__set_jws(signed_form(request, "member-h20", "mof-jti-3"));
  wire::LookupResponse response;
  try {
    client.exchange().lookup(response, request);
    FAIL() << "a request signed with another member's key was answered";
  } catch (const wire::LookupError& e) {
    EXPECT_EQ(e.codeName, "SIGNATURE_INVALID");
  }
  EXPECT_TRUE(pipeline_->seen().empty());

  client.exchange().lookup(response, sample_wire_request());
  ASSERT_TRUE(response.__isset.jws);
  EXPECT_TRUE(answer_payload(response));
  ASSERT_EQ(pipeline_->seen().size(), 1u);
  EXPECT_FALSE(pipeline_->seen()[0].signature.has_value());
}

TEST_F(ThriftFrontTest, EachCallGetsItsOwnRequestIdAndTheMemberIsKeptPerConnection) {
  start();
  TlsClient g22(port_, "member-g22");
  TlsClient h20(port_, "member-h20");
  wire::LookupResponse a, b, c;
  g22.exchange().lookup(a, sample_wire_request());
  h20.exchange().lookup(b, sample_wire_request());
  g22.exchange().lookup(c, sample_wire_request());
  EXPECT_NE(a.requestId, c.requestId);
  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].member.organ_code, "000.00.00.G22");
  EXPECT_EQ(seen[1].member.organ_code, "000.00.00.H20");
  EXPECT_EQ(seen[2].member.organ_code, "000.00.00.G22");
}

TEST_F(ThriftFrontTest, PipelineErrorsComeBackAsLookupErrorWithTheirCode) {
  start();
  TlsClient client(port_, "member-g22");
  for (int i = static_cast<int>(ErrorCode::kBadRequest);
       i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    pipeline_->set_answer([code](const LookupRequest&) -> Result<LookupResponse> {
      return fail(code, "refused for the test");
    });
    wire::LookupResponse response;
    try {
      client.exchange().lookup(response, sample_wire_request());
      ADD_FAILURE() << "no LookupError for " << code;
    } catch (const wire::LookupError& e) {
      EXPECT_EQ(e.code, front::thrift_internal::to_wire(code));
      EXPECT_EQ(e.codeName, error_code_name(code));
      EXPECT_EQ(e.detail, "refused for the test");
      EXPECT_EQ(e.requestId, pipeline_->seen().back().request_id);
    }
  }
}

TEST_F(ThriftFrontTest, LongClientRequestIdIsBadRequestBeforeThePipeline) {
  start();
  TlsClient client(port_, "member-g22");
  auto request = sample_wire_request();
  request.__set_clientRequestId(std::string(65, 'x'));
  wire::LookupResponse response;
  try {
    client.exchange().lookup(response, request);
    ADD_FAILURE() << "a 65-character clientRequestId was accepted";
  } catch (const wire::LookupError& e) {
    EXPECT_EQ(e.code, wire::ErrorCode::BAD_REQUEST);
    EXPECT_EQ(e.requestId.size(), 32u);
  }
  EXPECT_TRUE(pipeline_->seen().empty());
  EXPECT_EQ(metrics_->lookups.value({"thrift", "BAD_REQUEST"}), 1u);
  // The connection stays usable after a refusal.
  request.__set_clientRequestId(std::string(64, 'x'));
  EXPECT_NO_THROW(client.exchange().lookup(response, request));
}

TEST_F(ThriftFrontTest, ExceptionInsideTheGatewayIsInternalNotALeak) {
  start();
  pipeline_->throw_in_lookup(true);
  TlsClient client(port_, "member-g22");
  wire::LookupResponse response;
  try {
    client.exchange().lookup(response, sample_wire_request());
    ADD_FAILURE() << "no error";
  } catch (const wire::LookupError& e) {
    EXPECT_EQ(e.code, wire::ErrorCode::INTERNAL);
    EXPECT_EQ(e.detail.find("secret"), std::string::npos) << e.detail;
  }
}

TEST_F(ThriftFrontTest, ClientWithoutCertificateIsRefusedAtTheHandshake) {
  start();
  TlsClient anonymous(port_, "");
  wire::LookupResponse response;
  EXPECT_THROW(anonymous.exchange().lookup(response, sample_wire_request()), TTransportException);
  EXPECT_TRUE(pipeline_->seen().empty());
  expect_still_serving();
}

TEST_F(ThriftFrontTest, CertificateFromAnUntrustedHierarchyIsRefusedAtTheHandshake) {
  // Thrift's own peer check is off (peer_socket.h); the TLS setup still decides who gets in.
  auto config = test_front_config();
  config.tls.client_ca_directory = pki_file("ec", "trust").string();
  start(config);
  TlsClient stranger(port_, "member-g22", "rsa");
  wire::LookupResponse response;
  EXPECT_THROW(stranger.exchange().lookup(response, sample_wire_request()), TTransportException);
  EXPECT_TRUE(pipeline_->seen().empty());
  expect_still_serving();
}

TEST_F(ThriftFrontTest, ExpiredMemberIsLeftForThePipelineToRefuse) {
  // configure_server_tls lets expired certificates through the handshake so that the
  // pipeline answers CERT_EXPIRED; Thrift's own check must not cut them off first.
  start();
  pipeline_->set_answer([](const LookupRequest&) -> Result<LookupResponse> {
    return fail(ErrorCode::kCertExpired, "member certificate expired");
  });
  TlsClient expired(port_, "member-expired");
  wire::LookupResponse response;
  try {
    expired.exchange().lookup(response, sample_wire_request());
    ADD_FAILURE() << "no error";
  } catch (const wire::LookupError& e) {
    EXPECT_EQ(e.code, wire::ErrorCode::CERT_EXPIRED);
  }
  ASSERT_EQ(pipeline_->seen().size(), 1u);
  EXPECT_EQ(pipeline_->seen()[0].member.organ_code, "000.00.00.H30");
}

// A lookup call whose frame is exactly `frame_bytes` long (padding in a wanted field name).
std::string call_of_size(size_t frame_bytes) {
  auto request = sample_wire_request();
  request.__set_fields({""});
  const size_t base = encode_call(request).size();
  request.fields[0] = std::string(frame_bytes - base, 'f');
  std::string call = encode_call(request);
  EXPECT_EQ(call.size(), frame_bytes);
  return call;
}

TEST_F(ThriftFrontTest, FrameLargerThanTheLimitClosesTheConnectionUnread) {
  auto config = test_front_config();
  config.max_frame_bytes = 16 * 1024;
  config.max_message_bytes = 64 * 1024;
  start(config);

  TlsClient at_limit(port_, "member-g22");
  EXPECT_TRUE(at_limit.raw_call(call_of_size(16 * 1024)).has_value());
  ASSERT_EQ(pipeline_->seen().size(), 1u);

  TlsClient over(port_, "member-g22");
  EXPECT_FALSE(over.raw_call(call_of_size(16 * 1024 + 1)).has_value());
  EXPECT_EQ(pipeline_->seen().size(), 1u);
  expect_still_serving();
}

TEST_F(ThriftFrontTest, FrameHeaderAloneAnnouncingTooMuchIsRefused) {
  // A client announcing a 2 GB frame must not make the server allocate or wait for it.
  start();
  TlsClient client(port_, "member-g22");
  EXPECT_FALSE(client.raw_send(std::string("\x7f\xff\xff\xff", 4)).has_value());
  expect_still_serving();
}

TEST_F(ThriftFrontTest, StringLongerThanTheMessageLimitIsRefused) {
  auto config = test_front_config();
  config.max_message_bytes = 8 * 1024;
  config.max_frame_bytes = 64 * 1024;
  start(config);

  TlsClient under(port_, "member-g22");
  EXPECT_TRUE(under.raw_call(call_of_size(7 * 1024)).has_value());

  TlsClient over(port_, "member-g22");
  EXPECT_FALSE(over.raw_call(call_of_size(12 * 1024)).has_value());
  EXPECT_EQ(pipeline_->seen().size(), 1u);
  expect_still_serving();
}

TEST_F(ThriftFrontTest, NestingBeyondTheRecursionLimitIsRefused) {
  auto config = test_front_config();
  config.recursion_limit = 16;
  start(config);

  TlsClient shallow(port_, "member-g22");
  EXPECT_TRUE(shallow.raw_call(encode_call(sample_wire_request(), 10)).has_value());
  ASSERT_EQ(pipeline_->seen().size(), 1u);

  TlsClient deep(port_, "member-g22");
  EXPECT_FALSE(deep.raw_call(encode_call(sample_wire_request(), 20)).has_value());
  EXPECT_EQ(pipeline_->seen().size(), 1u);
  expect_still_serving();
}

TEST_F(ThriftFrontTest, GarbageInsideTheTlsSessionClosesOnlyThatConnection) {
  start();
  TlsClient client(port_, "member-g22");
  const std::string garbage("\x80\x01\x00\x01 this is not a thrift call", 30);
  EXPECT_FALSE(client.raw_call(garbage).has_value());
  EXPECT_TRUE(pipeline_->seen().empty());
  expect_still_serving();
}

TEST_F(ThriftFrontTest, LongLivedConnectionIsNotCutByTheMessageLimit) {
  // The message limit is per message: a connection that carries many calls must not run out.
  auto config = test_front_config();
  config.max_message_bytes = 2 * 1024;
  config.max_frame_bytes = 2 * 1024;
  start(config);
  TlsClient client(port_, "member-g22");
  const int calls = 40;  // ~40 × 250 bytes each way: several times the limit
  for (int i = 0; i < calls; ++i) {
    wire::LookupResponse response;
    ASSERT_NO_THROW(client.exchange().lookup(response, sample_wire_request())) << "call " << i;
  }
  EXPECT_EQ(pipeline_->seen().size(), static_cast<size_t>(calls));
}

TEST_F(ThriftFrontTest, ConnectionsAreServedConcurrently) {
  start();
  // Each answer waits until both calls have reached the pipeline: a server that served one
  // connection at a time would never see the second while the first waits.
  FakePipeline* pipeline = pipeline_.get();  // not a shared_ptr: the answer lives inside it
  pipeline_->set_answer([pipeline](const LookupRequest& request) -> Result<LookupResponse> {
    const auto deadline = steady_clock::now() + std::chrono::seconds(5);
    while (pipeline->seen().size() < 2 && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (pipeline->seen().size() < 2) return fail(ErrorCode::kUpstreamTimeout, "alone");
    return sample_response(request);
  });
  bool first_ok = false;
  std::thread first([&] {
    TlsClient client(port_, "member-g22");
    wire::LookupResponse response;
    client.exchange().lookup(response, sample_wire_request());
    first_ok = true;
  });
  TlsClient second(port_, "member-h20");
  wire::LookupResponse response;
  EXPECT_NO_THROW(second.exchange().lookup(response, sample_wire_request()));
  first.join();
  EXPECT_TRUE(first_ok);
}

TEST_F(ThriftFrontTest, SilentConnectionIsClosedAfterTheIdleTimeout) {
  auto config = test_front_config();
  config.idle_timeout = std::chrono::milliseconds(200);
  start(config);
  TlsClient client(port_, "member-g22");
  wire::LookupResponse response;
  ASSERT_NO_THROW(client.exchange().lookup(response, sample_wire_request()));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_THROW(client.exchange().lookup(response, sample_wire_request()), TTransportException);
  EXPECT_EQ(pipeline_->seen().size(), 1u);
}

TEST_F(ThriftFrontTest, StopReturnsPromptlyWithAnIdleConnectionOpen) {
  start();
  TlsClient client(port_, "member-g22");
  wire::LookupResponse response;
  client.exchange().lookup(response, sample_wire_request());
  const auto began = steady_clock::now();
  front_->stop();
  EXPECT_LT(steady_clock::now() - began, std::chrono::seconds(3));
  // And nothing listens any more.
  TlsClient late(port_, "member-g22");
  EXPECT_THROW(late.exchange().lookup(response, sample_wire_request()), TTransportException);
}

TEST(ThriftFrontStart, TwoFrontsGetTheirOwnEphemeralPorts) {
  auto pipeline = std::make_shared<FakePipeline>();
  front::ThriftFront a(test_front_config(), pipeline, std::make_shared<Metrics>());
  front::ThriftFront b(test_front_config(), pipeline, std::make_shared<Metrics>());
  auto pa = a.start();
  auto pb = b.start();
  ASSERT_TRUE(pa) << pa.error().detail;
  ASSERT_TRUE(pb) << pb.error().detail;
  EXPECT_NE(*pa, *pb);
  EXPECT_FALSE(a.start()) << "a second start() must be refused";
}

TEST(ThriftFrontStart, PortInUseIsAnError) {
  auto pipeline = std::make_shared<FakePipeline>();
  front::ThriftFront a(test_front_config(), pipeline, std::make_shared<Metrics>());
  auto port = a.start();
  ASSERT_TRUE(port);
  auto config = test_front_config();
  config.port = *port;
  front::ThriftFront b(config, pipeline, std::make_shared<Metrics>());
  auto second = b.start();
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().detail.find("listen"), std::string::npos) << second.error().detail;
}

TEST(ThriftFrontStart, MissingCertificateFileIsAnError) {
  auto config = test_front_config();
  config.tls.certificate_chain_file = "/nonexistent/gateway-tls.pem";
  front::ThriftFront front(config, std::make_shared<FakePipeline>(), std::make_shared<Metrics>());
  EXPECT_FALSE(front.start());
}

TEST(ThriftFrontConfig, UnusableSettingsAreRefused) {
  auto config = test_front_config();
  EXPECT_TRUE(front::validate(config));
  config.recursion_limit = 3;
  EXPECT_FALSE(front::validate(config));
  config = test_front_config();
  config.max_frame_bytes = 0;
  EXPECT_FALSE(front::validate(config));
  config = test_front_config();
  config.max_connections = 0;
  EXPECT_FALSE(front::validate(config));
  config = test_front_config();
  config.listen_address.clear();
  EXPECT_FALSE(front::validate(config));

  config = test_front_config();
  config.recursion_limit = 2;
  front::ThriftFront front(config, std::make_shared<FakePipeline>(), std::make_shared<Metrics>());
  auto started = front.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace lienthong::testing
