// tools/clients/lookup_client.py (python3-thrift, another language's Thrift stack) against the
// C++ front: the contract holds across implementations.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/metrics.h"
#include "gateway/front/thrift/thrift_front.h"
#include "tests/support/test_pki.h"
#include "tests/unit/front/fake_document_service.h"
#include "tests/unit/front_thrift/thrift_test_support.h"

namespace lienthong::testing {
namespace {

struct ClientRun {
  int exit_code = -1;
  std::string out;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Runs the client with /usr/bin/python3; stdout is captured, stderr goes to the test log.
ClientRun run_client(std::uint16_t port, const std::vector<std::string>& extra) {
  std::string command = quoted(LIENTHONG_PYTHON) + " " + quoted(LIENTHONG_LOOKUP_CLIENT);
  const std::vector<std::pair<std::string, std::string>> options = {
      {"--port", std::to_string(port)},
      {"--cert", pki_file("ec", "member-g22.fullchain.pem").string()},
      {"--key", pki_file("ec", "member-g22.key").string()},
      {"--ca", pki_file("ec", "root-ca.crt").string()},
      {"--gen-py", LIENTHONG_THRIFT_GEN_PY},
      {"--subject", "001203004510"},
      {"--dossier", "000.00.00.G22-261122-0001"},
      {"--procedure", "1.001234.000.00.00.H20"},
      {"--officer-id", "079085000111"},
      {"--officer-account", "tam.lv@motcua.gov.vn"},
  };
  for (const auto& [name, value] : options) command += " " + name + " " + quoted(value);
  command += " --json";
  for (const auto& a : extra) command += " " + quoted(a);
  ClientRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class LookupClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pipeline_ = std::make_shared<FakePipeline>();
    front_ = std::make_unique<front::ThriftFront>(test_front_config(), pipeline_,
                                                  std::make_shared<Metrics>());
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
  }
  void TearDown() override { front_->stop(); }

  std::shared_ptr<FakePipeline> pipeline_;
  std::unique_ptr<front::ThriftFront> front_;
  std::uint16_t port_ = 0;
};

TEST_F(LookupClientTest, PrintsTheRecordAsJson) {
  const auto envelope_file = std::filesystem::temp_directory_path() /
                             ("lt-envelope-" + std::to_string(::getpid()) + ".xml");
  const ClientRun run =
      run_client(port_, {"--field", "ho_va_ten", "--max-age", "60", "--client-request-id", "py-1",
                         "--envelope-out", envelope_file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(json.is_discarded()) << run.out;

  const auto seen = pipeline_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].member.organ_code, "000.00.00.G22");
  EXPECT_EQ(seen[0].fields, std::vector<std::string>{"ho_va_ten"});
  ASSERT_TRUE(seen[0].max_age.has_value());
  EXPECT_EQ(seen[0].max_age->count(), 60);

  EXPECT_EQ(json.value("requestId", ""), seen[0].request_id);
  EXPECT_EQ(json.value("fromCache", false), true);
  EXPECT_EQ(json["record"].value("code", ""), "001203004510.CD01");
  EXPECT_EQ(json["record"].value("verifiedAt", ""), "2026-11-22T08:15:30Z");
  EXPECT_EQ(json["record"]["fields"].value("ho_va_ten", ""), "Nguyễn Thị Minh Khai");
  const std::string envelope = "<Envelope>signed</Envelope>";
  EXPECT_EQ(json.value("envelopeLength", 0u), envelope.size());
  std::ifstream written(envelope_file);
  std::stringstream content;
  content << written.rdbuf();
  EXPECT_EQ(content.str(), envelope);
  std::filesystem::remove(envelope_file);
}

TEST_F(LookupClientTest, RefusalPrintsTheCodeAndExitsOne) {
  pipeline_->set_answer([](const LookupRequest&) -> Result<LookupResponse> {
    return fail(ErrorCode::kAccessDenied, "member may not read CD01");
  });
  const ClientRun run = run_client(port_, {});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const auto json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << run.out;
  EXPECT_EQ(json.value("error", ""), "ACCESS_DENIED");
  EXPECT_EQ(json.value("detail", ""), "member may not read CD01");
  EXPECT_EQ(json.value("requestId", ""), pipeline_->seen().at(0).request_id);
}

TEST_F(LookupClientTest, NoServerExitsThree) {
  front_->stop();
  const ClientRun run = run_client(port_, {"--timeout", "5"});
  EXPECT_EQ(run.exit_code, 3) << run.out;
}

// The document commands (send-document, sent, received, get-document, status, history).
class DocumentClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = test_front_config();
    config.documents = service_;
    front_ = std::make_unique<front::ThriftFront>(config, std::make_shared<FakePipeline>(),
                                                  std::make_shared<Metrics>());
    auto port = front_->start();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
  }
  void TearDown() override {
    front_->stop();
    for (const auto& file : files_) std::filesystem::remove(file);
  }

  std::filesystem::path temp_file(const std::string& name) {
    files_.push_back(std::filesystem::temp_directory_path() /
                     ("lt-" + name + "-" + std::to_string(::getpid())));
    return files_.back();
  }
  nlohmann::json run_ok(const std::vector<std::string>& command) {
    const ClientRun run = run_client(port_, command);
    EXPECT_EQ(run.exit_code, 0) << run.out;
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.out;
    return json;
  }

  std::shared_ptr<FakeDocumentService> service_ = std::make_shared<FakeDocumentService>();
  std::unique_ptr<front::ThriftFront> front_;
  std::uint16_t port_ = 0;
  std::vector<std::filesystem::path> files_;
};

TEST_F(DocumentClientTest, SendsADocumentFromAFile) {
  const auto file = temp_file("edxml");
  const std::string edxml = "<?xml version=\"1.0\"?><edXMLEnvelope>Văn bản</edXMLEnvelope>";
  std::ofstream(file, std::ios::binary) << edxml;
  const auto json = run_ok({"--client-request-id", "py-doc-1", "send-document", file.string()});
  EXPECT_EQ(json.value("documentId", ""), kDocumentId);
  EXPECT_EQ(json.value("outboxId", ""), "ob-0000000007");
  EXPECT_EQ(json.value("duplicate", false), true);
  EXPECT_EQ(json.value("state", ""), "delivering");
  const auto calls = service_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].edxml, edxml);
  EXPECT_EQ(calls[0].caller.client_request_id, "py-doc-1");
  EXPECT_EQ(json.value("requestId", ""), calls[0].caller.request_id);
}

TEST_F(DocumentClientTest, ReadsSentReceivedAndStatuses) {
  auto json = run_ok({"sent", kDocumentId});
  EXPECT_EQ(json.value("state", ""), "accepted");
  EXPECT_EQ(json.value("acceptedAt", ""), "2026-11-22T08:15:30.123Z");
  EXPECT_TRUE(json["axisId"].is_null());

  service_->set_received({FakeDocumentService::sample_summary(5)});
  json = run_ok({"received", "--after", "4"});
  EXPECT_EQ(json.value("next", 0), 5);
  ASSERT_EQ(json["documents"].size(), 1u);
  EXPECT_EQ(json["documents"][0].value("from", ""), "000.00.00.H20");
  EXPECT_EQ(service_->calls().back().after, 4u);
  EXPECT_EQ(service_->calls().back().limit, 100u);

  json = run_ok({"status", kDocumentId, "03", "--description", "Đã tiếp nhận"});
  EXPECT_EQ(json.value("statusCode", ""), "03");
  EXPECT_EQ(json.value("description", ""), "Đã tiếp nhận");
  EXPECT_EQ(service_->calls().back().update.status_code, "03");

  json = run_ok({"history", kDocumentId});
  EXPECT_EQ(json.value("documentId", ""), kDocumentId);
  EXPECT_EQ(json["statuses"].size(), 2u);
}

TEST_F(DocumentClientTest, GetDocumentWritesTheBytes) {
  const auto file = temp_file("received");
  const auto json = run_ok({"get-document", kDocumentId, "-o", file.string()});
  EXPECT_EQ(json.value("documentId", ""), kDocumentId);
  EXPECT_EQ(json.value("length", 0u), FakeDocumentService::received_edxml().size());
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), FakeDocumentService::received_edxml());
}

TEST_F(DocumentClientTest, RefusalPrintsTheCodeAndExitsOne) {
  service_->fail_with(Error{ErrorCode::kNotFound, "not sent by this organ"});
  const ClientRun run = run_client(port_, {"sent", kDocumentId});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const auto json = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_EQ(json.value("error", ""), "NOT_FOUND");
}

}  // namespace
}  // namespace lienthong::testing
