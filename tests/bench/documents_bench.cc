// Durable acceptance of an outgoing edXML document carrying one 100 KB attachment (issue 6,
// item 7), stage by stage, next to its reference measured in the same run: a raw `SET key
// <the same signed envelope>` over hiredis to the same redis-server with `appendonly yes
// --appendfsync always`, the least that storing those bytes durably costs. The same pair with
// `appendfsync no` shows what the fsync itself costs. ops/bench_documents.py prints the ratios.
//
// The redis-servers are started here (tests/support/redis_test_server.h: 127.0.0.1, ephemeral
// port, a temporary directory under $TMPDIR, killed at exit). Their AOF goes to $TMPDIR: point
// it at the disk to measure (a tmpfs makes every fsync free; the context line `redis_fs` says
// which it was). Keys for the signing stages come from a dev PKI named by LIENTHONG_BENCH_PKI
// (certs/dev-pki.sh DIR), EC P-256 `gateway-sign` with its intermediate in KeyInfo.
//
// Every accepted document has its own DocumentId (benchmark_document_id); every benchmark run
// starts from an empty Redis (FLUSHALL before its loop) so memory stays bounded.
#include <benchmark/benchmark.h>
#include <sys/statfs.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_validate.h"
#include "gateway/cache/sealing_key.h"
#include "gateway/core/clock.h"
#include "gateway/crypto/signing_identity.h"
#include "gateway/crypto/xml_signer.h"
#include "gateway/outbox/document_outbox.h"
#include "tests/support/redis_test_server.h"
#include "tools/lienthong-load/document_bodies.h"

namespace lienthong {
namespace {

using testing::RedisServer;

constexpr const char* kFrom = "000.00.00.G22";

// One redis-server, the outbox on it and a raw hiredis connection to it.
struct Durable {
  std::unique_ptr<RedisServer> server;
  outbox::DocumentOutbox::Ptr outbox;
  testing::ContextPtr raw;
  std::string error;  // set when any of it could not be made
};

std::unique_ptr<Durable> start_durable(const std::string& appendfsync) {
  auto d = std::make_unique<Durable>();
  d->server = std::make_unique<RedisServer>("yes", appendfsync);
  if (!d->server->start()) {
    d->error = "redis-server (" LIENTHONG_REDIS_SERVER ") did not start";
    return d;
  }
  outbox::OutboxConfig config;
  config.redis.port = d->server->port();
  config.redis.command_timeout = std::chrono::milliseconds(10000);
  // `always` is what production requires and is checked as it would be; `no` is refused by the
  // check, so it is skipped for that reference only.
  config.persistence = appendfsync == "always" ? outbox::PersistenceCheck::kRequire
                                               : outbox::PersistenceCheck::kSkip;
  auto key = cache::SealingKey::from_bytes(std::string(cache::SealingKey::kKeyBytes, 'k'));
  auto made = outbox::DocumentOutbox::create(
      config, std::make_shared<const cache::SealingKey>(std::move(*key)), SystemClock::instance());
  if (!made) {
    d->error = "outbox: " + made.error().detail;
    return d;
  }
  d->outbox = *made;
  d->raw = d->server->connect();
  if (!d->raw || d->raw->err != 0) d->error = "hiredis could not connect";
  return d;
}

Durable& durable(const std::string& appendfsync) {
  static std::unique_ptr<Durable> always = start_durable("always");
  static std::unique_ptr<Durable> no = start_durable("no");
  return appendfsync == "always" ? *always : *no;
}

std::shared_ptr<const crypto::XmlDsigSigner> make_signer(std::string& error) {
  const char* dir = std::getenv("LIENTHONG_BENCH_PKI");
  if (dir == nullptr) {
    error = "set LIENTHONG_BENCH_PKI to a dev PKI (certs/dev-pki.sh DIR)";
    return nullptr;
  }
  const auto ec = std::filesystem::path(dir) / "ec";
  auto identity = crypto::SigningIdentity::load(ec / "gateway-sign.key", ec / "gateway-sign.crt",
                                                {ec / "intermediate-ca.crt"});
  if (!identity) {
    error = identity.error().detail;
    return nullptr;
  }
  auto signer = crypto::XmlDsigSigner::create(*identity, edxml::EdxmlLimits{}.xml());
  if (!signer) {
    error = signer.error().detail;
    return nullptr;
  }
  return *signer;
}

// The documents, the signer, and document 0 as received and as signed.
struct Documents {
  std::unique_ptr<load::DocumentBodies> bodies;
  std::shared_ptr<const crypto::XmlDsigSigner> signer;
  std::string received;  // body(0): what a member POSTs
  std::string signed_;   // sign_edxml(received): what the outbox stores (sealed)
  std::string error;
};

const Documents& documents() {
  static const Documents docs = [] {
    Documents d;
    auto bodies = load::DocumentBodies::create(load::document_spec(kFrom));
    if (!bodies) {
      d.error = bodies.error().detail;
      return d;
    }
    d.bodies = std::move(*bodies);
    d.received = d.bodies->body(0);
    d.signer = make_signer(d.error);
    if (!d.signer) return d;
    auto signed_doc = edxml::sign_edxml(*d.signer, d.received);
    if (!signed_doc) {
      d.error = "sign_edxml: " + signed_doc.error().detail;
      return d;
    }
    d.signed_ = std::move(*signed_doc);
    return d;
  }();
  return docs;
}

// DocumentIds never repeat within the process (the outbox would answer "duplicate").
std::atomic<uint64_t> next_document{1};

bool ready(benchmark::State& state, const Durable* d) {
  const auto& docs = documents();
  if (!docs.error.empty()) {
    state.SkipWithError(docs.error.c_str());
    return false;
  }
  if (d != nullptr) {
    if (!d->error.empty()) {
      state.SkipWithError(d->error.c_str());
      return false;
    }
    auto r = testing::raw(d->raw.get(), {"FLUSHALL"});
    if (!r || r->type == REDIS_REPLY_ERROR) {
      state.SkipWithError("FLUSHALL failed");
      return false;
    }
  }
  return true;
}

void count(benchmark::State& state, size_t bytes) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["doc_bytes"] = static_cast<double>(bytes);
}

// --- Stages. ---

// parse_edxml (safe parse with limits, base64 decode of the attachment) + validate.
void BM_ParseValidate(benchmark::State& state) {
  if (!ready(state, nullptr)) return;
  const std::string& body = documents().received;
  for (auto _ : state) {
    auto message = edxml::parse_edxml(body);
    if (!message || !edxml::validate(*message)) state.SkipWithError("parse/validate");
    benchmark::DoNotOptimize(message);
  }
  count(state, body.size());
}

// sign_edxml: enveloped XML-DSig over the whole envelope, ES256, chain in KeyInfo.
void BM_Sign(benchmark::State& state) {
  if (!ready(state, nullptr)) return;
  const auto& docs = documents();
  for (auto _ : state) {
    auto out = edxml::sign_edxml(*docs.signer, docs.received);
    if (!out) state.SkipWithError("sign_edxml");
    benchmark::DoNotOptimize(out);
  }
  count(state, docs.received.size());
}

// DocumentOutbox::accept: seal (AES-256-GCM), keyed digest, one Lua script, Redis's answer
// after its AOF write (and, with `always`, its fsync). The body is the signed document 0 each
// time under a new DocumentId: the cost does not depend on which DocumentId the bytes name.
void BM_OutboxAccept(benchmark::State& state, const std::string& appendfsync) {
  Durable& d = durable(appendfsync);
  if (!ready(state, &d)) return;
  const auto& docs = documents();
  for (auto _ : state) {
    const std::string id =
        load::benchmark_document_id(docs.bodies->spec(), next_document.fetch_add(1));
    auto accepted = d.outbox->accept(id, kFrom, docs.signed_);  // copies the body, as a caller
    if (!accepted || accepted->duplicate) state.SkipWithError("accept");
    benchmark::DoNotOptimize(accepted);
  }
  count(state, docs.signed_.size());
}

// The whole acceptance path of POST /v1/documents behind the front, as GatewayDocuments::send
// runs it: the bytes received (a new DocumentId each time, written outside the timing), parse +
// validate, accept — the member's bytes, unsigned. Signing (BM_Sign) is the deliverer's, off the
// sender's time (gateway/documents/gateway_documents.h).
void BM_WholePath(benchmark::State& state, const std::string& appendfsync) {
  Durable& d = durable(appendfsync);
  if (!ready(state, &d)) return;
  const auto& docs = documents();
  for (auto _ : state) {
    state.PauseTiming();
    std::string received = docs.bodies->body(next_document.fetch_add(1));
    state.ResumeTiming();
    auto message = edxml::parse_edxml(received);
    if (!message || !edxml::validate(*message)) {
      state.SkipWithError("parse/validate");
      break;
    }
    auto accepted = d.outbox->accept(message->header.document_id, message->header.from.organ_id,
                                     std::move(received));
    if (!accepted || accepted->duplicate) state.SkipWithError("accept");
    benchmark::DoNotOptimize(accepted);
  }
  count(state, docs.received.size());
}

// --- The reference: the same signed envelope stored with one SET, no sealing, no script. ---

void BM_RawSet(benchmark::State& state, const std::string& appendfsync) {
  Durable& d = durable(appendfsync);
  if (!ready(state, &d)) return;
  const std::string& bytes = documents().signed_;
  const std::string prefix = "bench:set:";
  for (auto _ : state) {
    const std::string key = prefix + std::to_string(next_document.fetch_add(1));
    const char* argv[] = {"SET", key.data(), bytes.data()};
    const size_t lens[] = {3, key.size(), bytes.size()};
    testing::ReplyPtr r(static_cast<redisReply*>(redisCommandArgv(d.raw.get(), 3, argv, lens)));
    if (!r || r->type != REDIS_REPLY_STATUS) state.SkipWithError("SET");
  }
  count(state, bytes.size());
}

// What the temporary directory (and so the AOF) is on: "tmpfs" would make fsync free.
std::string filesystem_of(const std::filesystem::path& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x01021994UL:
      return "tmpfs";
    case 0xEF53UL:
      return "ext2/3/4";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683EUL:
      return "btrfs";
    case 0x794C7630UL:
      return "overlayfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type));
      return hex;
    }
  }
}

}  // namespace
}  // namespace lienthong

using namespace lienthong;

BENCHMARK(BM_ParseValidate)->UseRealTime();
BENCHMARK(BM_Sign)->UseRealTime();
BENCHMARK_CAPTURE(BM_OutboxAccept, always, std::string("always"))->UseRealTime();
BENCHMARK_CAPTURE(BM_OutboxAccept, no_fsync, std::string("no"))->UseRealTime();
BENCHMARK_CAPTURE(BM_WholePath, always, std::string("always"))->UseRealTime();
BENCHMARK_CAPTURE(BM_RawSet, always, std::string("always"))->UseRealTime();
BENCHMARK_CAPTURE(BM_RawSet, no_fsync, std::string("no"))->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const auto tmp = std::filesystem::temp_directory_path();
  benchmark::AddCustomContext("redis_dir", tmp.string());
  benchmark::AddCustomContext("redis_fs", filesystem_of(tmp));
  benchmark::AddCustomContext("attachment_bytes",
                              std::to_string(load::document_spec(kFrom).attachment_bytes));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
