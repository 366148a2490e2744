// The admin API's router without sockets (front/admin): who is an administrator, what each
// endpoint changes (a real trust directory and policy file in a scratch folder, the dev PKI's
// certificates), and that every request is audited with the administrator's identity before it
// is answered. The gateway's parts are a fake AdminBackend.
#include "gateway/front/admin/admin_router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <openssl/pem.h>

#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/front/http/http_front.h"
#include "gateway/policy/access_policy.h"
#include "tests/support/test_pki.h"
#include "tests/unit/front/http_test_client.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front::admin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace bhttp = http::bhttp;
using lienthong::testing::pki_file;
using lienthong::testing::ScratchDir;

constexpr const char* kCitizen = "001203004510";
constexpr const char* kRequestId = "0123456789abcdef0123456789abcdef";

const char* kPolicy = R"(
[[member]]
organ = "000.00.00.H20"
name = "UBND tỉnh Đồng Tháp"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten", "thuong_tru.*"]
)";

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

// A Member as member_from_peer makes it from a dev PKI certificate (ec).
Member peer(const std::string& name) {
  auto cert = lienthong::testing::certificate("ec", name);
  auto ca = lienthong::testing::certificate("ec", "intermediate-ca");
  Member m;
  m.organ_code = *crypto::organ_code_of(cert.get());
  m.subsystem = crypto::subsystem_of(cert.get());
  m.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  m.certificate_der = crypto::to_der(cert.get());
  m.chain_der.push_back(crypto::to_der(ca.get()));
  return m;
}

// The backend's trust and policy really reload from the scratch folder, as TrustReloader does.
class FakeBackend final : public AdminBackend {
 public:
  FakeBackend(fs::path trust_dir, fs::path policy_file)
      : trust_dir_(std::move(trust_dir)), policy_file_(std::move(policy_file)) {
    trust_ = *crypto::TrustSnapshot::load(trust_dir_, 1);
    policy_ = *policy::AccessPolicy::load(policy_file_.string());
    status_.trust_generation = 1;
  }

  fs::path trust_directory() const override { return trust_dir_; }
  crypto::TrustSnapshot::Ptr trust() const override {
    std::lock_guard lock(mutex_);
    return trust_;
  }
  Result<void> reload(std::string_view why) override {
    std::lock_guard lock(mutex_);
    reasons.emplace_back(why);
    auto snapshot = crypto::TrustSnapshot::load(trust_dir_, status_.trust_generation + 1);
    auto next = policy::AccessPolicy::load(policy_file_.string());
    if (!snapshot || !next || fail_next_reload) {
      fail_next_reload = false;
      ++status_.reloads_refused;
      status_.last_error = !snapshot ? snapshot.error().detail
                           : !next   ? next.error().detail
                                     : "refused by the test";
      return lienthong::fail(ErrorCode::kBadRequest, status_.last_error);
    }
    trust_ = *snapshot;
    policy_ = *next;
    status_.trust_generation = trust_->generation();
    ++status_.reloads_ok;
    status_.last_error.clear();
    return {};
  }
  ReloadStatus reload_status() const override {
    std::lock_guard lock(mutex_);
    return status_;
  }
  fs::path policy_file() const override { return policy_file_; }
  policy::AccessPolicy::Ptr policy() const override {
    std::lock_guard lock(mutex_);
    return policy_;
  }
  std::vector<policy::AccessPolicy::Catalogue> catalogue() const override {
    return {{"population", "CD01", {"so_dinh_danh", "ho_va_ten", "thuong_tru.tinh"}}};
  }
  Result<bool> invalidate_record(const std::string& code) override {
    invalidated.push_back(code);
    return cached.erase(code) > 0;
  }
  Result<audit::SubjectAnswer> audit_subject(const audit::SubjectQuery& query) override {
    queries.push_back(query);
    return answer;
  }
  std::vector<UpstreamStatus> upstreams() const override {
    return {{"population", "closed"}, {"business", "open"}};
  }
  // [documents]: off until a test turns it on (the default answers NOT_FOUND).
  Result<std::vector<outbox::OutboxStatus>> outbox_documents(outbox::OutboxState state,
                                                             std::size_t limit) override {
    if (!documents_on) return AdminBackend::outbox_documents(state, limit);
    std::vector<outbox::OutboxStatus> out;
    for (const auto& [id, d] : outbox)
      if (d.state == state && out.size() < limit) out.push_back(d);
    return out;
  }
  Result<outbox::OutboxStatus> outbox_document(const std::string& document_id) override {
    if (!documents_on) return AdminBackend::outbox_document(document_id);
    auto it = outbox.find(document_id);
    if (it == outbox.end())
      return lienthong::fail(ErrorCode::kNotFound, "outbox: no such document");
    return it->second;
  }
  Result<void> retry_dead_document(const std::string& document_id) override {
    auto it = outbox.find(document_id);
    if (it == outbox.end())
      return lienthong::fail(ErrorCode::kNotFound, "outbox: no such document");
    if (it->second.state != outbox::OutboxState::kDead)
      return lienthong::fail(ErrorCode::kBadRequest, "outbox: not a dead letter");
    it->second.state = outbox::OutboxState::kAccepted;
    it->second.attempts = 0;
    return {};
  }
  Result<std::vector<documents::RefusedIncoming>> refused_incoming(std::size_t limit) override {
    if (!documents_on) return AdminBackend::refused_incoming(limit);
    return refused;
  }

  std::vector<std::string> reasons;
  bool fail_next_reload = false;
  std::set<std::string> cached;
  std::vector<std::string> invalidated;
  std::vector<audit::SubjectQuery> queries;
  audit::SubjectAnswer answer;
  bool documents_on = false;
  std::map<std::string, outbox::OutboxStatus> outbox;
  std::vector<documents::RefusedIncoming> refused;

 private:
  fs::path trust_dir_, policy_file_;
  mutable std::mutex mutex_;
  crypto::TrustSnapshot::Ptr trust_;
  policy::AccessPolicy::Ptr policy_;
  ReloadStatus status_;
};

// Records every entry; answers durable (or not) at once.
class RecordingAudit final : public audit::AuditSink {
 public:
  void append(audit::AuditEntry entry, audit::DurableCallback durable) override {
    entries.push_back(std::move(entry));
    durable(fail_writes ? Result<void>(lienthong::fail(ErrorCode::kInternal, "disk full"))
                        : Result<void>());
  }
  std::vector<audit::AuditEntry> entries;
  bool fail_writes = false;
};

class AdminRouterTest : public ::testing::Test {
 protected:
  AdminRouterTest() {
    fs::copy(pki_file("ec", "trust"), trust_dir_, fs::copy_options::recursive);
    write(policy_file_, kPolicy);
    backend_ = std::make_shared<FakeBackend>(trust_dir_, policy_file_);
    auto admins = AdminAllowlist::fingerprints_of({pki_file("ec", "admin-g22.crt")});
    auto trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(
        *crypto::TrustSnapshot::load(trust_dir_));
    router_ = std::make_unique<AdminRouter>(AdminAllowlist(*admins, trust, nullptr), backend_,
                                            audit_, nullptr);
  }

  // The answer (always through respond, after the audit) and the entry it wrote.
  http::Response call(bhttp::verb method, std::string target, std::string body = "",
                      std::string content_type = "application/json",
                      const Result<Member>& who = peer("admin-g22")) {
    http::Request req{method, target, 11};
    if (!body.empty()) req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    std::vector<http::Handler::Deferred> answers;
    auto now = router_->handle(req, kRequestId, who,
                               [&](http::Handler::Deferred d) { answers.push_back(std::move(d)); });
    EXPECT_FALSE(now);
    EXPECT_EQ(answers.size(), 1u);
    return answers.empty() ? http::Response{} : answers.front()();
  }
  json doc_of(const http::Response& res) { return json::parse(res.body()); }
  const audit::AuditEntry& last_entry() { return audit_->entries.back(); }

  ScratchDir scratch_;
  fs::path trust_dir_ = scratch_.path() / "trust";
  fs::path policy_file_ = scratch_.path() / "policy.toml";
  std::shared_ptr<FakeBackend> backend_;
  std::shared_ptr<RecordingAudit> audit_ = std::make_shared<RecordingAudit>();
  std::unique_ptr<AdminRouter> router_;
};

std::string pem_of(const std::string& name) { return read(pki_file("ec", name + ".crt")); }

TEST_F(AdminRouterTest, AMemberCertificateIsNotAnAdministratorAndTheAttemptIsAudited) {
  // member-g22 names the same organ as admin-g22: only the fingerprint makes an administrator.
  auto res = call(bhttp::verb::get, "/admin/v1/trust", "", "", peer("member-g22"));
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  EXPECT_EQ(doc_of(res)["code"], "ACCESS_DENIED");
  EXPECT_EQ(doc_of(res)["requestId"], kRequestId);
  ASSERT_EQ(audit_->entries.size(), 1u);
  EXPECT_EQ(last_entry().front, "admin");
  EXPECT_EQ(last_entry().document_type, "admin.trust.show");
  EXPECT_EQ(last_entry().outcome, "ACCESS_DENIED");
  EXPECT_EQ(last_entry().member, "000.00.00.G22");
  EXPECT_EQ(last_entry().member_certificate, peer("member-g22").certificate_fingerprint);
  EXPECT_TRUE(backend_->reasons.empty());
}

TEST_F(AdminRouterTest, AnAdministratorsCertificateMustStillBeGood) {
  // A day after admin-g22's notAfter (730 days), its CA (1825 days) still valid.
  auto admins = AdminAllowlist::fingerprints_of({pki_file("ec", "admin-g22.crt")});
  auto trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(
      *crypto::TrustSnapshot::load(trust_dir_));
  std::tm not_after{};
  ASSERT_EQ(
      ASN1_TIME_to_tm(X509_get0_notAfter(lienthong::testing::certificate("ec", "admin-g22").get()),
                      &not_after),
      1);
  const auto expired_at =
      std::chrono::system_clock::from_time_t(timegm(&not_after)) + std::chrono::hours(24);
  const AdminAllowlist later(*admins, trust, std::make_shared<FixedClock>(expired_at));
  auto who = later.admit(peer("admin-g22"));
  ASSERT_FALSE(who);
  EXPECT_NE(who.error().code, ErrorCode::kAccessDenied) << who.error().detail;
  const AdminAllowlist now(*admins, trust, nullptr);
  EXPECT_TRUE(now.admit(peer("admin-g22")));
}

TEST_F(AdminRouterTest, NoCertificateAndUnknownPathsAreStill403ForStrangers) {
  auto res = call(bhttp::verb::delete_, "/admin/v1/cache/001203004510.CD01", "", "",
                  Result<Member>(lienthong::fail(ErrorCode::kCertUntrusted, "no organ")));
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_TRUE(backend_->invalidated.empty());
  res = call(bhttp::verb::get, "/nowhere", "", "", peer("member-h20"));
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(last_entry().document_type, "admin.unknown");
}

TEST_F(AdminRouterTest, TrustShowsEveryCertificateWithTheAdministratorInTheAudit) {
  auto res = call(bhttp::verb::get, "/admin/v1/trust");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  const json doc = doc_of(res);
  EXPECT_EQ(doc["trust_generation"], 1);
  EXPECT_EQ(doc["reload"]["last_error"], "");
  std::set<std::string> kinds;
  for (const auto& c : doc["certificates"]) {
    kinds.insert(c["kind"]);
    EXPECT_EQ(c["fingerprint"].get<std::string>().size(), 64u);
    EXPECT_TRUE(c.contains("seconds_to_expiry"));
    EXPECT_TRUE(c.contains("not_after"));
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"anchor", "intermediate"}));
  const auto& e = last_entry();
  EXPECT_EQ(e.front, "admin");
  EXPECT_EQ(e.document_type, "admin.trust.show");
  EXPECT_EQ(e.outcome, "OK");
  EXPECT_EQ(e.member, "000.00.00.G22");
  EXPECT_EQ(e.member_certificate, peer("admin-g22").certificate_fingerprint);
  EXPECT_EQ(e.officer_account, "quản trị viên G22 (dev)");
  EXPECT_EQ(e.request_id, kRequestId);
  EXPECT_TRUE(e.subject.empty());
}

TEST_F(AdminRouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto res = call(bhttp::verb::get, "/admin/v1/nothing");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(doc_of(res)["code"], "NOT_FOUND");
  EXPECT_EQ(last_entry().outcome, "NOT_FOUND");
  res = call(bhttp::verb::delete_, "/admin/v1/policy");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[bhttp::field::allow], "GET, PUT");
  res = call(bhttp::verb::get, "/admin/v1/trust/pins/abc");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[bhttp::field::allow], "DELETE");
}

TEST_F(AdminRouterTest, PinAndUnpinAreReloadedBeforeTheAnswer) {
  auto res =
      call(bhttp::verb::post, "/admin/v1/trust/pins",
           json{{"certificate", pem_of("member-h20")}, {"organ_code", "000.00.00.H20"}}.dump());
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["action"], "pin-member");
  EXPECT_EQ(doc_of(res)["trust_generation"], 2);
  ASSERT_EQ(backend_->reasons.size(), 1u);
  EXPECT_EQ(backend_->reasons[0].rfind("admin 000.00.00.G22 (quản trị viên G22 (dev)", 0), 0u);
  const std::string fp = peer("member-h20").certificate_fingerprint;
  ASSERT_NE(backend_->trust()->pin(fp), nullptr);
  EXPECT_EQ(last_entry().document_type, "admin.trust.pin");
  EXPECT_EQ(last_entry().outcome, "OK");
  EXPECT_NE(last_entry().dossier_code.find("pin-member"), std::string::npos);

  res = call(bhttp::verb::delete_, "/admin/v1/trust/pins/000.00.00.H20");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["trust_generation"], 3);
  EXPECT_EQ(backend_->trust()->pin(fp), nullptr);
  EXPECT_EQ(last_entry().document_type, "admin.trust.unpin");
}

TEST_F(AdminRouterTest, ARefusedChangeIs422AndChangesNothing) {
  const auto before = read(policy_file_);
  auto res = call(bhttp::verb::post, "/admin/v1/trust/pins",
                  json{{"certificate",
                        "-----BEGIN CERTIFICATE-----\nnot base64\n"
                        "-----END CERTIFICATE-----\n"},
                       {"organ_code", "000.00.00.H20"}}
                      .dump());
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(doc_of(res)["code"], "BAD_REQUEST");
  EXPECT_EQ(last_entry().outcome, "BAD_REQUEST");
  // Someone else's certificate: TrustDirectory's own refusal, with its reason.
  res = call(bhttp::verb::post, "/admin/v1/trust/pins",
             json{{"certificate", pem_of("member-g22")}, {"organ_code", "000.00.00.H20"}}.dump());
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_NE(doc_of(res)["detail"].get<std::string>().find("000.00.00.G22"), std::string::npos);
  res = call(bhttp::verb::post, "/admin/v1/trust/pins", "not json");
  EXPECT_EQ(res.result_int(), 422u);
  res = call(bhttp::verb::delete_, "/admin/v1/trust/certificates/28d3");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_TRUE(backend_->reasons.empty());
  EXPECT_FALSE(fs::exists(trust_dir_ / "members") && !fs::is_empty(trust_dir_ / "members"));
  EXPECT_EQ(read(policy_file_), before);
}

TEST_F(AdminRouterTest, AnAnchorAlreadyThereIsRefusedAndACrlIsImported) {
  auto res = call(bhttp::verb::post, "/admin/v1/trust/anchors",
                  json{{"certificate", pem_of("root-ca")}}.dump());
  EXPECT_EQ(res.result_int(), 422u) << res.body();
  res = call(bhttp::verb::post, "/admin/v1/trust/crls",
             json{{"crl", read(pki_file("ec", "intermediate-ca.crl.pem"))}}.dump());
  // The same CRL as the one in place: not newer, refused with the reason.
  EXPECT_EQ(res.result_int(), 422u) << res.body();
  EXPECT_EQ(last_entry().document_type, "admin.trust.crl");
  res = call(bhttp::verb::post, "/admin/v1/trust/crls", json{{"crl", "junk"}}.dump());
  EXPECT_EQ(res.result_int(), 422u);
}

TEST_F(AdminRouterTest, PolicyShowLikeTheCli) {
  auto res = call(bhttp::verb::get, "/admin/v1/policy");
  ASSERT_EQ(res.result_int(), 200u);
  const json doc = doc_of(res);
  ASSERT_EQ(doc["members"].size(), 1u);
  EXPECT_EQ(doc["members"][0]["organ"], "000.00.00.H20");
  EXPECT_EQ(doc["members"][0]["grants"][0]["adapter"], "population");
  EXPECT_EQ(last_entry().document_type, "admin.policy.show");
}

TEST_F(AdminRouterTest, APolicyWithProblemsIsRefusedWithEveryProblemListed) {
  const auto before = read(policy_file_);
  const std::string bad = R"([[member]]
organ = "not an organ"
[[member]]
organ = "000.00.00.H20"
  [[member.grant]]
  adapter = "nowhere"
  document_types = ["CD01"]
  fields = ["*"]
)";
  auto res = call(bhttp::verb::put, "/admin/v1/policy", bad, "application/toml");
  ASSERT_EQ(res.result_int(), 422u) << res.body();
  const json doc = doc_of(res);
  EXPECT_EQ(doc["code"], "BAD_REQUEST");
  ASSERT_GE(doc["problems"].size(), 2u);
  EXPECT_EQ(doc["problems"][0]["line"], 2);
  EXPECT_EQ(read(policy_file_), before);
  EXPECT_TRUE(backend_->reasons.empty());
  EXPECT_EQ(last_entry().document_type, "admin.policy.put");
  EXPECT_EQ(last_entry().outcome, "BAD_REQUEST");

  res = call(bhttp::verb::put, "/admin/v1/policy", kPolicy, "application/json");
  EXPECT_EQ(res.result_int(), 415u);
}

TEST_F(AdminRouterTest, AGoodPolicyIsWrittenAndInForceWhenTheCallReturns) {
  const std::string next = std::string(kPolicy) + R"(
[[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]
)";
  auto res = call(bhttp::verb::put, "/admin/v1/policy", next, "application/toml; charset=utf-8");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["members"], 2);
  EXPECT_EQ(read(policy_file_), next);
  EXPECT_EQ(backend_->policy()->members().size(), 2u);
  EXPECT_EQ(last_entry().outcome, "OK");
  EXPECT_EQ(last_entry().dossier_code.rfind("sha256 ", 0), 0u);
}

TEST_F(AdminRouterTest, APolicyTheReloadRefusesIsPutBack) {
  const auto before = read(policy_file_);
  backend_->fail_next_reload = true;
  const std::string next = std::string(kPolicy) + "\n# a comment\n";
  auto res = call(bhttp::verb::put, "/admin/v1/policy", next, "application/toml");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(read(policy_file_), before);
}

TEST_F(AdminRouterTest, PolicyCheckExplainsTheDecision) {
  auto res = call(bhttp::verb::get,
                  "/admin/v1/policy/check?member=000.00.00.H20&adapter=population&doctype=CD01");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  json doc = doc_of(res);
  EXPECT_TRUE(doc["allowed"]);
  EXPECT_EQ(doc["fields"], json::array({"ho_va_ten", "thuong_tru.tinh"}));
  EXPECT_EQ(last_entry().adapter, "population");
  res = call(bhttp::verb::get,
             "/admin/v1/policy/check?member=000.00.00.G22&adapter=population&doctype=CD01");
  doc = doc_of(res);
  EXPECT_FALSE(doc["allowed"]);
  EXPECT_EQ(doc["error"]["code"], "ACCESS_DENIED");
  res = call(bhttp::verb::get, "/admin/v1/policy/check?member=nobody&adapter=population");
  EXPECT_EQ(res.result_int(), 422u);
}

TEST_F(AdminRouterTest, ReloadAnswersTheStateOrTheRefusal) {
  auto res = call(bhttp::verb::post, "/admin/v1/reload");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["trust_generation"], 2);
  EXPECT_EQ(last_entry().document_type, "admin.reload");
  backend_->fail_next_reload = true;
  res = call(bhttp::verb::post, "/admin/v1/reload");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(doc_of(res)["reload"]["reloads_refused"], 1);
  EXPECT_EQ(last_entry().outcome, "BAD_REQUEST");
}

TEST_F(AdminRouterTest, CacheInvalidationSaysWhetherARecordWasThereAndAuditsTheCitizen) {
  backend_->cached.insert("001203004510.CD01");
  auto res = call(bhttp::verb::delete_, "/admin/v1/cache/001203004510.CD01");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["removed"], true);
  EXPECT_EQ(last_entry().subject, kCitizen);
  EXPECT_EQ(last_entry().document_type, "admin.cache.invalidate");
  EXPECT_EQ(last_entry().dossier_code, "CD01 removed");
  res = call(bhttp::verb::delete_, "/admin/v1/cache/001203004510.CD01");
  EXPECT_EQ(doc_of(res)["removed"], false);
  res = call(bhttp::verb::delete_, "/admin/v1/cache/no-document-type");
  EXPECT_EQ(res.result_int(), 422u);
  res = call(bhttp::verb::delete_, "/admin/v1/cache/%zz");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(backend_->invalidated.size(), 2u);
}

TEST_F(AdminRouterTest, AuditWhoAnswersLikeTheCliAndIsItselfAudited) {
  audit::IndexedEntry hit;
  hit.decoded.entry.member = "000.00.00.H20";
  hit.decoded.entry.subject = kCitizen;
  hit.decoded.entry.document_type = "CD01";
  hit.decoded.entry.front = "http-json";
  hit.decoded.entry.outcome = "OK";
  hit.decoded.link.seq = 7;
  backend_->answer.entries.push_back(hit);
  backend_->answer.tampered.push_back({"audit-000000000001.log", 120, 3, "hash mismatch"});
  auto res = call(bhttp::verb::get,
                  "/admin/v1/audit/who?subject=001203004510&from=2026-11-01&to=2026-11-22");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const json doc = doc_of(res);
  EXPECT_EQ(doc["subject"], kCitizen);
  EXPECT_EQ(doc["count"], 1);
  EXPECT_EQ(doc["entries"][0]["member"], "000.00.00.H20");
  EXPECT_EQ(doc["entries"][0]["seq"], 7);
  ASSERT_EQ(doc["tampered"].size(), 1u);
  EXPECT_EQ(doc["tampered"][0]["seq"], 3);
  ASSERT_EQ(backend_->queries.size(), 1u);
  EXPECT_TRUE(backend_->queries[0].from && backend_->queries[0].until);
  EXPECT_EQ(last_entry().subject, kCitizen);
  EXPECT_EQ(last_entry().document_type, "admin.audit.who");
  EXPECT_EQ(last_entry().dossier_code, "1 entries, 1 tampered");

  res = call(bhttp::verb::get, "/admin/v1/audit/who?subject=12345");
  EXPECT_EQ(res.result_int(), 422u);
  res = call(bhttp::verb::get, "/admin/v1/audit/who?subject=001203004510&from=yesterday");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(backend_->queries.size(), 1u);
}

TEST_F(AdminRouterTest, UpstreamsListEachCircuitBreaker) {
  auto res = call(bhttp::verb::get, "/admin/v1/upstreams");
  ASSERT_EQ(res.result_int(), 200u);
  EXPECT_EQ(doc_of(res)["upstreams"],
            json::parse(R"([{"adapter":"population","circuit_breaker":"closed"},
                            {"adapter":"business","circuit_breaker":"open"}])"));
}

TEST_F(AdminRouterTest, DocumentsDeadLettersAreListedAndSentAgain) {
  // Without [documents]: 404 on every documents route.
  auto res = call(bhttp::verb::get, "/admin/v1/documents/outbox");
  EXPECT_EQ(res.result_int(), 404u) << res.body();
  backend_->documents_on = true;
  const std::string id = "000.00.00.G22,2026/11/23,7816/VPCP-TTĐT";
  outbox::OutboxStatus dead;
  dead.document_id = id;
  dead.outbox_id = "ob-0000000001";
  dead.sender_organ = "000.00.00.G22";
  dead.state = outbox::OutboxState::kDead;
  dead.attempts = 10;
  dead.last_error = "BAD_REQUEST: axis 400 unknown_agency";
  backend_->outbox[id] = dead;
  res = call(bhttp::verb::get, "/admin/v1/documents/outbox");  // dead letters by default
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  ASSERT_EQ(doc_of(res)["documents"].size(), 1u);
  EXPECT_EQ(doc_of(res)["documents"][0]["document_id"], id);
  EXPECT_EQ(doc_of(res)["documents"][0]["attempts"], 10);
  EXPECT_EQ(doc_of(res)["documents"][0]["next_attempt_at"], nullptr);
  EXPECT_EQ(last_entry().document_type, "admin.documents.outbox");
  EXPECT_EQ(last_entry().dossier_code, "1 dead");
  res = call(bhttp::verb::get, "/admin/v1/documents/outbox?state=delivered");
  EXPECT_TRUE(doc_of(res)["documents"].empty());
  EXPECT_EQ(call(bhttp::verb::get, "/admin/v1/documents/outbox?state=lost").result_int(), 422u);
  EXPECT_EQ(call(bhttp::verb::get, "/admin/v1/documents/outbox?limit=0").result_int(), 422u);
  const std::string encoded = "000.00.00.G22%2C2026%2F11%2F23%2C7816%2FVPCP-TT%C4%90T";
  res = call(bhttp::verb::get, "/admin/v1/documents/outbox/" + encoded);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["state"], "dead");

  res = call(bhttp::verb::post, "/admin/v1/documents/retry/" + encoded);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["state"], "accepted");
  EXPECT_EQ(last_entry().document_type, "admin.documents.retry");
  // Not a dead letter any more: refused, and said why.
  res = call(bhttp::verb::post, "/admin/v1/documents/retry/" + encoded);
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(call(bhttp::verb::post, "/admin/v1/documents/retry/unknown").result_int(), 404u);

  backend_->refused.push_back({"ax-00000009", "000.00.00.H20", "SIGNATURE_INVALID: digest",
                               *parse_utc_time("2026-11-23T01:00:00Z")});
  res = call(bhttp::verb::get, "/admin/v1/documents/refused");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(doc_of(res)["documents"][0]["axis_id"], "ax-00000009");
  EXPECT_EQ(doc_of(res)["documents"][0]["at"], "2026-11-23T01:00:00Z");
}

TEST_F(AdminRouterTest, AnActionTheAuditCannotRecordIsNotAnsweredAsDone) {
  audit_->fail_writes = true;
  auto res = call(bhttp::verb::post, "/admin/v1/reload");
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(doc_of(res)["code"], "INTERNAL");
  EXPECT_NE(doc_of(res)["detail"].get<std::string>().find("admin.reload"), std::string::npos);
}

// The admin router behind the lookup front's own HTTPS server (http::Handler): real mutual TLS,
// member_from_peer naming the administrator.
TEST_F(AdminRouterTest, ServedByTheHardenedHttpsServerOverMutualTls) {
  HttpFrontConfig config;
  config.tls = lienthong::testing::dev_server_tls("ec");
  config.threads = 1;
  auto admins = AdminAllowlist::fingerprints_of({pki_file("ec", "admin-g22.crt")});
  auto trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(
      *crypto::TrustSnapshot::load(trust_dir_));
  auto router = std::make_shared<const AdminRouter>(AdminAllowlist(*admins, trust, nullptr),
                                                    backend_, audit_, nullptr);
  HttpFront front(config, router, nullptr, nullptr);
  auto port = front.start();
  ASSERT_TRUE(port) << port.error().detail;
  using lienthong::testing::ClientIdentity;
  using lienthong::testing::HttpsClient;
  {
    HttpsClient admin(*port, ClientIdentity::dev("admin-g22"));
    admin.handshake();
    auto res = admin.request(HttpsClient::get("/admin/v1/upstreams"));
    EXPECT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_EQ(res["X-Request-Id"].size(), 32u);
    EXPECT_EQ(last_entry().request_id, std::string(res["X-Request-Id"]));
    EXPECT_EQ(last_entry().officer_account, "quản trị viên G22 (dev)");
  }
  {
    HttpsClient member(*port, ClientIdentity::dev("member-g22"));
    member.handshake();
    auto res = member.request(HttpsClient::get("/admin/v1/upstreams"));
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  }
  front.stop();
}

}  // namespace
}  // namespace lienthong::front::admin
