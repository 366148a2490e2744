#include "gateway/app/gateway.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "adapters/registry.h"
#include "gateway/app/gateway_admin.h"
#include "gateway/app/ocsp_refresher.h"
#include "gateway/app/own_certificates.h"
#include "gateway/app/thread_pool_executor.h"
#include "gateway/app/trust_reloader.h"
#include "gateway/audit/segment_audit_log.h"
#include "gateway/cache/redis_record_cache.h"
#include "gateway/cache/replay_guard.h"
#include "gateway/cache/sealing_key.h"
#include "gateway/core/log.h"
#include "gateway/core/metrics.h"
#include "gateway/crypto/canonical_signer.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/signing_identity.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/documents/document_policy.h"
#include "gateway/documents/documents_config.h"
#include "gateway/exchange/lookup_pipeline.h"
#include "gateway/front/admin/admin_router.h"
#include "gateway/front/http/http_front.h"
#include "gateway/front/thrift/thrift_front.h"
#include "gateway/upstream/curl_ocsp_transport.h"

namespace lienthong::app {

struct Gateway::Parts {
  GatewayConfig config;
  std::shared_ptr<ThreadPoolExecutor> executor;
  std::shared_ptr<Metrics> metrics;
  std::shared_ptr<audit::SegmentAuditLog> audit;
  std::shared_ptr<cache::RedisRecordCache> cache;
  std::vector<exchange::Adapter::Ptr> adapters;
  std::shared_ptr<exchange::LookupPipeline> pipeline;
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust;
  std::unique_ptr<TrustReloader> reloader;
  std::unique_ptr<OcspRefresher> ocsp_refresher;
  std::unique_ptr<front::HttpFront> http;
  std::unique_ptr<front::ThriftFront> thrift;
  // [documents]: the outbox, inbox, deliverer and receiver, and the service both fronts call.
  // Its calls block (Redis, the axis), so the HTTP front runs them on a pool of their own,
  // never on the lookup workers.
  std::unique_ptr<documents::Documents> documents;
  std::shared_ptr<ThreadPoolExecutor> document_executor;
  std::uint16_t http_port = 0;
  std::uint16_t thrift_port = 0;
  // [admin]: the admin API's HTTPS front (front/admin), stopped first.
  std::unique_ptr<front::HttpFront> admin;
  std::uint16_t admin_port = 0;
};

namespace {

template <class T>
Result<T> with_context(Result<T> r, std::string_view what) {
  if (!r) return fail(r.error().code, fmt::format("{}: {}", what, r.error().detail));
  return r;
}

front::ServerTlsConfig server_tls(const GatewayConfig& c,
                                  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust) {
  return front::ServerTlsConfig{c.tls_certificate_chain.string(), c.tls_private_key.string(),
                                c.client_trust.string(), std::move(trust)};
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::build(GatewayConfig config) {
  auto gateway = std::unique_ptr<Gateway>(new Gateway());
  gateway->parts_ = std::make_unique<Parts>();
  auto& p = *gateway->parts_;
  p.config = std::move(config);
  const auto& c = p.config;
  const auto clock = SystemClock::instance();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  p.executor =
      std::make_shared<ThreadPoolExecutor>(c.worker_threads > 0 ? c.worker_threads : cores);
  p.metrics = std::make_shared<Metrics>();

  // Members: who may connect (anchors, intermediates, CRLs, pins), validated per request by the
  // authenticate stage against the snapshot in force; reloaded live (TrustReloader).
  auto member_trust =
      with_context(crypto::TrustSnapshot::load(c.client_trust), "[tls] client_trust");
  if (!member_trust) return tl::unexpected(member_trust.error());
  p.trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(*member_trust);

  auto policy = with_context(policy::AccessPolicy::load(c.policy_file.string()), "[policy]");
  if (!policy) return tl::unexpected(policy.error());

  auto identity = with_context(
      crypto::SigningIdentity::load(c.signing_key, c.signing_certificate, c.signing_chain),
      "[signing]");
  if (!identity) return tl::unexpected(identity.error());
  auto signer = crypto::CanonicalXmlSigner::create(*identity);
  if (!signer) return tl::unexpected(signer.error());

  // Signed JSON: the answers' JWS (the same key as the XML envelopes) and members' requests.
  exchange::SignedJsonConfig signed_config;
  std::optional<crypto::JwsAlg> jws_alg;
  if (!c.jws_alg.empty()) {
    jws_alg = crypto::jws_alg_from_name(c.jws_alg);
    if (!jws_alg) {
      return fail(ErrorCode::kBadRequest, "[signing] jws_alg: unknown algorithm " + c.jws_alg);
    }
  }
  auto jws_signer =
      with_context(crypto::JwsSigner::from_identity(
                       **identity, crypto::sha256_fingerprint((*identity)->certificate.get()),
                       c.jws_x5c, jws_alg),
                   "[signing] jws");
  if (!jws_signer) return tl::unexpected(jws_signer.error());
  signed_config.answer_signer = std::move(*jws_signer);
  if (!c.request_algorithms.empty()) {
    signed_config.request_algorithms.clear();
    for (const auto& name : c.request_algorithms) {
      auto alg = crypto::jws_alg_from_name(name);
      if (!alg) {
        return fail(ErrorCode::kBadRequest,
                    "[signing] request_algorithms: unknown algorithm " + name);
      }
      signed_config.request_algorithms.insert(*alg);
    }
  }
  signed_config.clock = clock;
  auto signed_json =
      with_context(exchange::SignedJson::create(std::move(signed_config)), "[signing]");
  if (!signed_json) return tl::unexpected(signed_json.error());

  audit::AuditLogConfig audit_config;
  audit_config.directory = c.audit_directory;
  audit_config.fsync = c.audit_fsync == "none"       ? audit::FsyncPolicy::kNone
                       : c.audit_fsync == "interval" ? audit::FsyncPolicy::kInterval
                                                     : audit::FsyncPolicy::kEveryBatch;
  auto audit_log = with_context(audit::SegmentAuditLog::open(audit_config), "[audit]");
  if (!audit_log) return tl::unexpected(audit_log.error());
  p.audit = *audit_log;

  if (c.cache_enabled) {
    auto key =
        with_context(cache::SealingKey::load_file(c.cache_sealing_key), "[cache] sealing_key");
    if (!key) return tl::unexpected(key.error());
    cache::RedisConfig redis;
    redis.host = c.redis_host;
    redis.port = c.redis_port;
    redis.unix_socket = c.redis_unix_socket;
    redis.pool_size = static_cast<std::size_t>(c.cache_pool);
    auto cache = cache::RedisRecordCache::create(
        redis, std::make_shared<const cache::SealingKey>(std::move(*key)), clock);
    if (!cache) return tl::unexpected(cache.error());
    p.cache = *cache;
  }

  adapters::AdapterContext context{std::filesystem::absolute(c.source).parent_path(), p.executor,
                                   clock};
  auto adapters = with_context(adapters::build_adapters(c.adapters, context), c.source.string());
  if (!adapters) return tl::unexpected(adapters.error());
  p.adapters = std::move(*adapters);

  exchange::PipelineParts parts;
  crypto::OcspChecker::Ptr ocsp;
  if (c.ocsp) {
    auto checker =
        with_context(crypto::OcspChecker::create(
                         *c.ocsp, std::make_shared<upstream::CurlOcspTransport>(), clock),
                     "[ocsp]");
    if (!checker) return tl::unexpected(checker.error());
    ocsp = *checker;
  }
  auto authenticator = std::make_shared<exchange::MemberAuthenticator>(
      p.trust, clock,
      c.member_pinning == "off" ? exchange::MemberPinning::kOff
                                : exchange::MemberPinning::kRequired,
      ocsp);
  parts.authenticator = authenticator;
  parts.policy = *policy;
  parts.adapters = p.adapters;
  if (c.documents) parts.extra_catalogue = documents::policy_catalogue();
  parts.cache = p.cache;
  // Replayed signed requests are caught across every gateway sharing the Redis; without Redis,
  // within this process.
  if (p.cache) parts.replay = std::make_shared<cache::RedisReplayGuard>(p.cache);
  parts.signed_request_window = c.request_window;
  parts.audit = p.audit;
  parts.envelope = std::make_shared<exchange::ResponseEnvelope>(*signer);
  parts.metrics = p.metrics;
  parts.clock = clock;
  auto pipeline = with_context(exchange::LookupPipeline::create(std::move(parts)), "pipeline");
  if (!pipeline) return tl::unexpected(pipeline.error());
  p.pipeline = *pipeline;
  p.reloader =
      std::make_unique<TrustReloader>(c.client_trust, c.policy_file, p.trust, p.pipeline, clock);
  if (ocsp) {
    // Answers renewed before they go stale, at most a minute apart, and at once after a reload.
    const auto period = std::clamp<std::chrono::seconds>(
        c.ocsp->refresh_margin / 2, std::chrono::seconds(1), std::chrono::seconds(60));
    p.ocsp_refresher = std::make_unique<OcspRefresher>(ocsp, authenticator, period);
    p.reloader->on_reloaded([refresher = p.ocsp_refresher.get()] { refresher->wake(); });
  }
  p.reloader->audit_to(p.audit);

  if (c.documents) {
    documents::DocumentsContext dc;
    dc.config_dir = std::filesystem::absolute(c.source).parent_path();
    dc.clock = clock;
    dc.authenticator = authenticator;
    dc.policy = [pipeline = std::weak_ptr<exchange::LookupPipeline>(p.pipeline)] {
      auto alive = pipeline.lock();
      return alive ? alive->policy() : nullptr;
    };
    dc.audit = p.audit;
    dc.signing = *identity;
    auto built = documents::build_documents(*c.documents, dc);
    if (!built) return tl::unexpected(built.error());
    p.documents = std::move(*built);
    p.document_executor = std::make_shared<ThreadPoolExecutor>(8);
    // The outbox by state, for alerts on dead letters and a growing backlog (axis down).
    p.metrics->add_gauges([outbox = p.documents->outbox()](std::string& out) {
      auto counts = outbox->counts();
      out +=
          "# HELP lienthong_documents_up 1 when the document outbox's Redis answers.\n"
          "# TYPE lienthong_documents_up gauge\n";
      out += fmt::format("lienthong_documents_up {}\n", counts ? 1 : 0);
      if (!counts) return;
      out +=
          "# HELP lienthong_documents_outbox Outgoing documents by delivery state.\n"
          "# TYPE lienthong_documents_outbox gauge\n";
      for (auto state : {outbox::OutboxState::kAccepted, outbox::OutboxState::kDelivering,
                         outbox::OutboxState::kDelivered, outbox::OutboxState::kDead})
        out += fmt::format("lienthong_documents_outbox{{state=\"{}\"}} {}\n",
                           outbox::state_name(state), counts->of(state));
    });
  }

  // The gateway's own certificates in /readyz and /metrics, and a refused reload in /readyz.
  auto own = std::make_shared<std::vector<OwnCertificate>>();
  {
    std::vector<crypto::X509Ptr> chain;
    for (const auto& c : (*identity)->chain) chain.push_back(crypto::share(c.get()));
    own->push_back(
        {"signing", crypto::share((*identity)->certificate.get()), std::move(chain), true});
    if (auto tls = crypto::load_certificates(c.tls_certificate_chain); tls && !tls->empty()) {
      OwnCertificate t{"tls", std::move(tls->front()), {}, false};
      for (size_t i = 1; i < tls->size(); ++i) t.chain.push_back(std::move((*tls)[i]));
      own->push_back(std::move(t));
    }
  }
  p.pipeline->add_readiness_check(
      [own, trust = p.trust, reloader = p.reloader.get(), clock](exchange::Readiness& r) {
        check_own_certificates(*own, trust->get().get(), clock->now(), r);
        const auto state = reloader->state();
        if (!state.last_error.empty()) {
          r.degraded = true;
          r.notes.push_back("the last reload was refused (the trust and policy in force stay): " +
                            state.last_error);
        }
      });
  p.metrics->add_gauges(
      [own, clock](std::string& out) { render_own_certificates(*own, clock->now(), out); });

  // Gauges read when /metrics is rendered.
  auto cache_ptr = p.cache;
  auto adapters_copy = p.adapters;
  TrustReloader* reloader = p.reloader.get();  // outlives the metrics' readers (stop() order)
  p.metrics->add_gauges([cache_ptr, adapters_copy, reloader](std::string& out) {
    reloader->render_metrics(out);
    out += "# HELP lienthong_cache_up 1 when the record cache (Redis) answers.\n";
    out += "# TYPE lienthong_cache_up gauge\n";
    out += fmt::format("lienthong_cache_up {}\n", cache_ptr && cache_ptr->healthy() ? 1 : 0);
    out +=
        "# HELP lienthong_upstream_circuit_open 1 when an upstream's circuit breaker is not "
        "closed.\n# TYPE lienthong_upstream_circuit_open gauge\n";
    for (const auto& a : adapters_copy) {
      out += fmt::format("lienthong_upstream_circuit_open{{adapter=\"{}\",state=\"{}\"}} {}\n",
                         a->name(), a->upstream_state(), a->upstream_state() == "closed" ? 0 : 1);
    }
  });

  if (c.http.enabled) {
    front::HttpFrontConfig hc;
    hc.address = c.http.address;
    hc.port = c.http.port;
    hc.tls = server_tls(c, p.trust);
    if (c.http.threads > 0) hc.threads = c.http.threads;
    hc.signed_json = *signed_json;
    if (p.documents) {
      hc.documents = p.documents->service();
      hc.document_executor = p.document_executor;
    }
    p.http = std::make_unique<front::HttpFront>(hc, p.pipeline, p.metrics, clock);
  }
  if (c.thrift.enabled) {
    front::ThriftFrontConfig tc;
    tc.listen_address = c.thrift.address;
    tc.port = c.thrift.port;
    tc.tls = server_tls(c, p.trust);
    if (c.thrift.threads > 0) tc.max_connections = c.thrift.threads;
    tc.signed_json = *signed_json;
    if (p.documents) tc.documents = p.documents->service();
    if (auto ok = front::validate(tc); !ok) return tl::unexpected(ok.error());
    p.thrift = std::make_unique<front::ThriftFront>(tc, p.pipeline, p.metrics);
  }
  if (c.admin.enabled) {
    // [admin]: administrators' chains are judged by the members' live snapshot when both name
    // the same trust directory, else by a snapshot of their own read now.
    std::error_code same_ec;
    std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> admin_trust = p.trust;
    if (!std::filesystem::equivalent(c.admin.client_trust, c.client_trust, same_ec)) {
      auto snapshot =
          with_context(crypto::TrustSnapshot::load(c.admin.client_trust), "[admin] client_trust");
      if (!snapshot) return tl::unexpected(snapshot.error());
      admin_trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(*snapshot);
    }
    auto administrators =
        with_context(front::admin::AdminAllowlist::fingerprints_of(c.admin.administrators),
                     "[admin] administrators");
    if (!administrators) return tl::unexpected(administrators.error());
    GatewayAdminParts admin_parts{c.client_trust,    p.trust,    p.reloader.get(),
                                  c.policy_file,     p.pipeline, p.cache,
                                  c.audit_directory, p.adapters, p.documents.get()};
    auto router = std::make_shared<const front::admin::AdminRouter>(
        front::admin::AdminAllowlist(std::move(*administrators), admin_trust, clock),
        std::make_shared<GatewayAdminBackend>(std::move(admin_parts)), p.audit, clock);
    front::HttpFrontConfig ac;
    ac.address = c.admin.address;
    ac.port = c.admin.port;
    ac.tls = front::ServerTlsConfig{c.tls_certificate_chain.string(), c.tls_private_key.string(),
                                    c.admin.client_trust.string(), admin_trust};
    ac.threads = static_cast<unsigned>(c.admin.threads);
    ac.max_body_bytes = 1 << 20;  // a policy file, a CRL
    // No metrics: its HTTP counters would repeat the lookup front's names in /metrics.
    p.admin = std::make_unique<front::HttpFront>(ac, router, nullptr, clock);
  }
  return gateway;
}

Gateway::~Gateway() {
  if (parts_) stop();
}

Result<void> Gateway::start() {
  auto& p = *parts_;
  if (p.http) {
    auto port = with_context(p.http->start(), "[http]");
    if (!port) return tl::unexpected(port.error());
    p.http_port = *port;
    LT_LOG(info, "HTTPS front listening on {}:{}", p.config.http.address, p.http_port);
  }
  if (p.thrift) {
    auto port = with_context(p.thrift->start(), "[thrift]");
    if (!port) return tl::unexpected(port.error());
    p.thrift_port = *port;  // the Thrift front logs its own address
  }
  if (p.admin) {
    auto port = with_context(p.admin->start(), "[admin]");
    if (!port) return tl::unexpected(port.error());
    p.admin_port = *port;
    LT_LOG(info, "admin API listening on {}:{}", p.config.admin.address, p.admin_port);
  }
  if (p.ocsp_refresher) p.ocsp_refresher->start();
  if (p.documents) p.documents->start();
  if (p.config.watch_trust) {
    if (auto ok = p.reloader->watch(); !ok)
      LT_LOG(warn, "not watching the trust directory and policy ({}); SIGHUP reloads",
             ok.error().detail);
  }
  if (p.config.port_file) {
    const auto tmp = p.config.port_file->string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "http=" << p.http_port << "\nthrift=" << p.thrift_port << "\n";
      if (p.admin) out << "admin=" << p.admin_port << "\n";
    }
    std::filesystem::rename(tmp, *p.config.port_file);
  }
  return {};
}

Result<void> Gateway::reload(std::string_view why) { return parts_->reloader->reload(why); }

void Gateway::stop() {
  auto& p = *parts_;
  if (p.admin) p.admin->stop();  // it uses the reloader, the pipeline and the audit
  if (p.reloader) p.reloader->stop();
  if (p.ocsp_refresher) p.ocsp_refresher->stop();
  if (p.http) p.http->stop();
  if (p.thrift) p.thrift->stop();
  // After the fronts (they call the service); the deliverer finishes its send in flight.
  if (p.documents) p.documents->stop();
  if (p.document_executor) p.document_executor->stop();
  // In-flight upstream calls complete (or are failed) before the pool that runs their
  // continuations goes away; the audit flushes last so every answer given is in it.
  p.adapters.clear();
  p.pipeline.reset();
  if (p.executor) p.executor->stop();
  p.audit.reset();
}

std::uint16_t Gateway::http_port() const { return parts_->http_port; }
std::uint16_t Gateway::thrift_port() const { return parts_->thrift_port; }
std::uint16_t Gateway::admin_port() const { return parts_->admin_port; }

}  // namespace lienthong::app
