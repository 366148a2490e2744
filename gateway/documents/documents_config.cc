#include "gateway/documents/documents_config.h"

#include <fmt/format.h>

#include <unistd.h>

#include "adapters/documents/axis_client.h"
#include "adapters/documents/edxml_signature.h"
#include "adapters/rest/signed_rest_config.h"
#include "gateway/app/config_reader.h"
#include "gateway/core/log.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/documents/document_receiver.h"
#include "gateway/documents/gateway_documents.h"
#include "gateway/outbox/outbox_deliverer.h"
#include "gateway/upstream/curl_http_client.h"

namespace lienthong::documents {

namespace {

using std::chrono::milliseconds;
constexpr std::string_view kWhere = "[documents]";

struct Settings {
  upstream::UpstreamConfig upstream;
  std::string token_url, client_id, client_secret;
  std::filesystem::path signer_trust;
  std::filesystem::path sealing_key;
  outbox::RedisLinkConfig redis;
  outbox::PersistenceCheck persistence = outbox::PersistenceCheck::kRequire;
  std::vector<std::string> receive_for;
  milliseconds poll_interval{1000};
  outbox::DelivererConfig deliverer;
  std::size_t max_document_bytes = std::size_t{32} << 20;
};

Result<Settings> read_settings(const toml::table& table, const std::filesystem::path& base) {
  config::TableReader r(table, std::string(kWhere), base);
  Settings s;
  auto& up = s.upstream;
  up.name = "axis";
  up.base_url = r.string("axis_url", true).value_or("");
  adapters::rest::read_upstream_tls(r, up);
  s.token_url = r.string("token_url").value_or("");
  s.client_id = r.string("client_id").value_or("");
  auto secret = adapters::rest::read_secret(r, kWhere, "client_secret", "client_secret_file");
  s.signer_trust = r.path("signer_trust", true).value_or("");
  s.sealing_key = r.path("sealing_key", true).value_or("");
  s.redis.host = r.string("redis_host").value_or(s.redis.host);
  if (auto v = r.integer("redis_port", 1, 65535)) s.redis.port = static_cast<int>(*v);
  s.redis.unix_socket = r.string("redis_unix_socket").value_or("");
  if (auto v = r.integer("redis_db", 0, 15)) s.redis.db = static_cast<int>(*v);
  s.redis.username = r.string("redis_username").value_or("");
  auto password = adapters::rest::read_secret(r, kWhere, "redis_password", "redis_password_file");
  const std::string persistence = r.string("persistence").value_or("require");
  s.receive_for = r.strings("receive_for");
  if (auto v = r.integer("poll_interval_ms", 50, 60'000)) s.poll_interval = milliseconds(*v);
  if (auto v = r.integer("deliver_batch", 1, 1000)) s.deliverer.batch = static_cast<size_t>(*v);
  if (auto v = r.integer("lease_ms", 1000, 3'600'000)) s.deliverer.lease = milliseconds(*v);
  if (auto v = r.integer("deliver_max_attempts", 1, 1000))
    s.deliverer.max_attempts = static_cast<int>(*v);
  if (auto v = r.integer("backoff_initial_ms", 10, 600'000))
    s.deliverer.backoff.initial = milliseconds(*v);
  if (auto v = r.integer("backoff_max_ms", 10, 86'400'000))
    s.deliverer.backoff.max = milliseconds(*v);
  if (auto v = r.integer("max_document_bytes", 1024, std::int64_t{32} << 20))
    s.max_document_bytes = static_cast<size_t>(*v);
  adapters::rest::read_upstream_limits(r, up);
  if (auto ok = r.finish(); !ok) return tl::unexpected(ok.error());
  if (!secret) return tl::unexpected(secret.error());
  if (!password) return tl::unexpected(password.error());
  s.client_secret = std::move(*secret);
  s.redis.password = std::move(*password);

  if (persistence == "skip")
    s.persistence = outbox::PersistenceCheck::kSkip;
  else if (persistence != "require")
    return fail(ErrorCode::kBadRequest, "[documents] persistence must be require or skip");
  if (auto origin = upstream::https_origin(up.base_url); !origin)
    return fail(ErrorCode::kBadRequest, "[documents] axis_url: " + origin.error().detail);
  // Tokens: all three or none (an axis reached over mTLS alone).
  const int token_keys = !s.token_url.empty() + !s.client_id.empty() + !s.client_secret.empty();
  if (token_keys != 0 && token_keys != 3)
    return fail(ErrorCode::kBadRequest,
                "[documents] token_url, client_id and client_secret (or client_secret_file) "
                "go together");
  if (s.deliverer.backoff.max < s.deliverer.backoff.initial)
    return fail(ErrorCode::kBadRequest, "[documents] backoff_max_ms < backoff_initial_ms");
  // Documents are read whole; the client refuses a larger answer before it is.
  up.max_response_bytes = s.max_document_bytes + (64 << 10);
  return s;
}

class RunningDocuments final : public Documents {
 public:
  DocumentService::Ptr service() const override { return service_; }
  outbox::DocumentOutbox::Ptr outbox() const override { return outbox_; }
  DocumentInbox::Ptr inbox() const override { return inbox_; }
  void start() override {
    deliverer_->start();
    if (receiver_) receiver_->start();
  }
  void stop() override {
    if (receiver_) receiver_->stop();
    deliverer_->stop();
  }
  ~RunningDocuments() override { stop(); }

  DocumentService::Ptr service_;
  outbox::DocumentOutbox::Ptr outbox_;
  DocumentInbox::Ptr inbox_;
  std::unique_ptr<outbox::OutboxDeliverer> deliverer_;
  std::unique_ptr<DocumentReceiver> receiver_;
};

}  // namespace

Result<std::unique_ptr<Documents>> build_documents(const toml::table& table,
                                                   const DocumentsContext& context) {
  auto settings = read_settings(table, context.config_dir);
  if (!settings) return tl::unexpected(settings.error());
  auto& s = *settings;
  edxml::EdxmlLimits limits;
  limits.max_document_bytes = s.max_document_bytes;

  auto key = cache::SealingKey::load_file(s.sealing_key);
  if (!key) return fail(key.error().code, "[documents] sealing_key: " + key.error().detail);
  auto sealing = std::make_shared<const cache::SealingKey>(std::move(*key));

  outbox::OutboxConfig oc;
  oc.redis = s.redis;
  oc.persistence = s.persistence;
  oc.max_document_bytes = s.max_document_bytes;
  auto outbox = outbox::DocumentOutbox::create(oc, sealing, context.clock);
  if (!outbox) return fail(outbox.error().code, "[documents] " + outbox.error().detail);
  InboxConfig ic;
  ic.redis = s.redis;
  ic.persistence = s.persistence;
  ic.max_document_bytes = s.max_document_bytes;
  auto inbox = DocumentInbox::create(ic, sealing, context.clock);
  if (!inbox) return fail(inbox.error().code, "[documents] " + inbox.error().detail);

  // The axis: one mTLS client for sending, receiving and statuses.
  auto http = upstream::CurlHttpClient::create(s.upstream, context.clock);
  if (!http) return fail(http.error().code, "[documents] " + http.error().detail);
  std::shared_ptr<upstream::BearerTokenSource> tokens;
  if (!s.token_url.empty()) {
    upstream::TokenConfig tc;
    tc.token_url = s.token_url;
    tc.client_id = s.client_id;
    tc.client_secret = s.client_secret;
    tokens = upstream::BearerTokenSource::create(*http, std::move(tc), context.clock);
  }
  edxml::AxisClientConfig ac;
  ac.max_document_bytes = s.max_document_bytes + (64 << 10);
  auto axis = edxml::AxisClient::create(*http, tokens, ac);
  if (!axis) return fail(axis.error().code, "[documents] " + axis.error().detail);

  // The gateway's own key signs outgoing documents and Status messages; an edXML document may
  // be far larger than a lookup, hence the edXML limits.
  auto signer = crypto::XmlDsigSigner::create(context.signing, limits.xml());
  if (!signer) return fail(signer.error().code, "[documents] signer: " + signer.error().detail);

  // Who may sign documents the axis brings: certificates chaining to signer_trust (CRLs there
  // are checked).
  auto verifier = adapters::rest::xml_signer_verifier(s.signer_trust, context.clock, limits.xml());
  if (!verifier)
    return fail(verifier.error().code, "[documents] signer_trust: " + verifier.error().detail);

  auto running = std::make_unique<RunningDocuments>();
  running->outbox_ = *outbox;
  running->inbox_ = *inbox;
  outbox::DelivererConfig dc = s.deliverer;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  dc.owner = fmt::format("{}:{}", host, ::getpid());
  running->deliverer_ = std::make_unique<outbox::OutboxDeliverer>(
      *outbox, std::make_shared<SigningAxisSender>(*axis, *signer, limits), context.clock, dc);

  if (!s.receive_for.empty()) {
    ReceiverConfig rc;
    rc.organs = s.receive_for;
    rc.poll_interval = s.poll_interval;
    rc.owner = dc.owner;
    auto verify = [verifier = *verifier, limits](std::string_view bytes) {
      return edxml::verify_edxml(*verifier, bytes, limits);
    };
    running->receiver_ = std::make_unique<DocumentReceiver>(*inbox, *axis, std::move(verify),
                                                            context.audit, context.clock, rc);
  }

  GatewayDocumentsParts parts;
  parts.authenticator = context.authenticator;
  parts.policy = context.policy;
  parts.outbox = *outbox;
  parts.inbox = *inbox;
  parts.axis = *axis;
  parts.signer = *signer;
  parts.audit = context.audit;
  parts.clock = context.clock;
  parts.limits = limits;
  parts.accepted = [d = running->deliverer_.get()] { d->wake(); };
  auto service = GatewayDocuments::create(std::move(parts));
  if (!service) return tl::unexpected(service.error());
  running->service_ = *service;
  LT_LOG(info, "documents: axis {}, receiving for {} organ(s)", s.upstream.base_url,
         s.receive_for.size());
  return std::unique_ptr<Documents>(std::move(running));
}

}  // namespace lienthong::documents
