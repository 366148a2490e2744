// lienthong-load: drives the gateway's lookup API (HTTPS/JSON or Thrift) or its documents API
// (HTTPS, edXML) with client certificates and reports throughput and latency percentiles
// (DESIGN.md §2, README.md here).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>

#include "gateway/core/log.h"
#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/key_material.h"
#include "tools/lienthong-load/document_bodies.h"
#include "tools/lienthong-load/http_driver.h"
#include "tools/lienthong-load/options.h"
#include "tools/lienthong-load/report.h"
#include "tools/lienthong-load/signed_bodies.h"
#include "tools/lienthong-load/thrift_driver.h"
#include "tools/lienthong-load/workload.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitNothingWorked = 1;  // not one request succeeded (or could be sent)

// --workload documents: the envelopes, From the --cert leaf's organ unless --from-organ says.
lienthong::Result<std::unique_ptr<lienthong::load::DocumentBodies>> make_documents(
    const lienthong::load::Options& options) {
  std::string from = options.from_organ;
  if (from.empty()) {
    auto certs = lienthong::crypto::load_certificates(options.cert);
    if (!certs || certs->empty()) {
      return lienthong::fail(
          lienthong::ErrorCode::kBadRequest,
          "--cert " + options.cert + ": " + (certs ? "no certificate" : certs.error().detail));
    }
    auto organ = lienthong::crypto::organ_code_of(certs->front().get());
    if (!organ) {
      return lienthong::fail(lienthong::ErrorCode::kBadRequest,
                             "--cert " + options.cert +
                                 " names no organ (give --from-organ): " + organ.error().detail);
    }
    from = *organ;
  }
  auto spec = lienthong::load::document_spec(std::move(from));
  spec.to_organ = options.to_organ;
  spec.attachment_bytes = static_cast<size_t>(options.attachment_kb) * 1024;
  return lienthong::load::DocumentBodies::create(std::move(spec));
}

// Each connection is a descriptor; 2,000 of them need more than the usual soft limit of 1,024.
void raise_descriptor_limit(int connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      LT_LOG(warn, "cannot raise the descriptor limit: {}", std::strerror(errno));
    }
  }
  getrlimit(RLIMIT_NOFILE, &limit);
  // Descriptors besides the connections: stdio, files, the event loop's own.
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < rlim_t(connections) + 64) {
    LT_LOG(warn, "descriptor limit {} is too low for {} connections", limit.rlim_cur, connections);
  }
}

int run(int argc, char** argv) {
  // Logs go to stderr so that --json leaves stdout to the summary alone.
  spdlog::set_default_logger(spdlog::stderr_color_mt("lienthong-load"));

  CLI::App app{
      "lienthong-load: load generator for the lienthong gateway's lookup and documents APIs"};
  lienthong::load::Options options;
  lienthong::load::add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (auto ok = lienthong::load::finish_options(options); !ok) {
    std::cerr << "lienthong-load: " << ok.error().detail << "\n";
    return kExitUsage;
  }
  raise_descriptor_limit(options.connections);
  // A peer that closes while OpenSSL writes would otherwise kill the process with SIGPIPE;
  // ignored, the write fails with EPIPE and counts as a transport error.
  std::signal(SIGPIPE, SIG_IGN);

  lienthong::load::SubjectSource subjects(options);
  std::unique_ptr<lienthong::load::DocumentBodies> documents;
  if (options.documents()) {
    auto made = make_documents(options);
    if (!made) {
      std::cerr << "lienthong-load: " << made.error().detail << "\n";
      return kExitUsage;
    }
    documents = std::move(*made);
  }
  // Signed requests are signed before the run starts: the signing is not measured.
  std::unique_ptr<lienthong::load::SignedBodies> signed_bodies;
  if (options.signing()) {
    auto presigned = lienthong::load::SignedBodies::presign(options, subjects);
    if (!presigned) {
      std::cerr << "lienthong-load: " << presigned.error().detail << "\n";
      return kExitUsage;
    }
    signed_bodies = std::move(*presigned);
    const auto report = signed_bodies->report();
    LT_LOG(info, "pre-signed {} requests ({}) in {:.3f} s", report.presigned, report.alg,
           report.presign_s);
  }
  auto stats =
      options.protocol == lienthong::load::Protocol::kHttp
          ? lienthong::load::run_http_load(options, subjects, signed_bodies.get(), documents.get())
          : lienthong::load::run_thrift_load(options, subjects);
  if (!stats) {
    std::cerr << "lienthong-load: " << stats.error().detail << "\n";
    return kExitUsage;
  }
  lienthong::load::Summary summary{.options = options,
                                   .stats = std::move(*stats),
                                   .next_subject_offset = subjects.next_offset(),
                                   .signing = std::nullopt,
                                   .documents = std::nullopt};
  if (documents) {
    const auto& spec = documents->spec();
    summary.documents = lienthong::load::DocumentsReport{.from_organ = spec.from_organ,
                                                         .to_organ = spec.to_organ,
                                                         .run_id = spec.run_id,
                                                         .attachment_bytes = spec.attachment_bytes,
                                                         .body_bytes = documents->body_size(),
                                                         .issued = documents->issued()};
  }
  if (signed_bodies) {
    summary.signing = signed_bodies->report();
    if (summary.signing->exhausted) {
      LT_LOG(warn,
             "every one of the {} pre-signed requests was used: the run stopped early "
             "(raise --presign)",
             summary.signing->presigned);
    }
  }
  if (options.json) {
    std::cout << lienthong::load::summary_json(summary).dump() << "\n";
  } else {
    std::cout << lienthong::load::summary_text(summary);
  }
  return summary.stats.ok > 0 ? 0 : kExitNothingWorked;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // startup may throw; report, do not abort
    std::cerr << "lienthong-load: " << e.what() << "\n";
    return kExitUsage;
  }
}
