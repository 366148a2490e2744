#include "tools/lienthong-load/report.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace lienthong::load {
namespace {

// `x` to `decimals` places; dividing by a power of ten gives the double nearest the decimal,
// which prints short ("2.002", not "2.0020000000000002").
double rounded(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

// Three decimals (microseconds) is all the histogram's precision supports.
double ms(std::chrono::nanoseconds d) { return rounded(double(d.count()) / 1e6, 3); }

template <class K>
nlohmann::json counts_json(const std::map<K, uint64_t>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, n] : counts) {
    if constexpr (std::is_same_v<K, std::string>) {
      out[key] = n;
    } else {
      out[std::to_string(key)] = n;
    }
  }
  return out;
}

template <class K>
std::string counts_text(std::string_view label, const std::map<K, uint64_t>& counts) {
  std::string out;
  for (const auto& [key, n] : counts) out += fmt::format("  {} {}: {}", label, key, n);
  return out;
}

const char* protocol_name(Protocol p) { return p == Protocol::kHttp ? "http" : "thrift"; }

}  // namespace

double Summary::elapsed_s() const {
  if (stats.last_completion <= stats.measure_start) return 0;
  return std::chrono::duration<double>(stats.last_completion - stats.measure_start).count();
}

double Summary::throughput_per_s() const {
  const double s = elapsed_s();
  return s > 0 ? double(stats.ok) / s : 0;
}

double Summary::achieved_rate() const {
  const double s = elapsed_s();
  return s > 0 ? double(stats.sent) / s : 0;
}

nlohmann::json summary_json(const Summary& s) {
  const RunStats& st = s.stats;
  const Histogram& h = st.latency;
  nlohmann::json j;
  j["protocol"] = protocol_name(s.options.protocol);
  j["connections"] = s.options.connections;
  j["connections_open"] = st.connections_open;
  j["target_rate"] = s.options.open_loop() ? nlohmann::json(s.options.rate) : nlohmann::json();
  j["achieved_rate"] = rounded(s.achieved_rate(), 2);
  j["duration_s"] = rounded(s.elapsed_s(), 3);
  j["warmup_s"] = s.options.warmup_s;
  j["sent"] = st.sent;
  j["completed"] = st.completed();
  j["ok"] = st.ok;
  j["unsent"] = st.unsent;
  j["errors"] = {{"total", st.errors()},
                 {"status", counts_json(st.by_status)},
                 {"code", counts_json(st.by_code)},
                 {"unsigned_answer", st.unsigned_answers},
                 {"transport", counts_json(st.transport)},
                 {"connect", counts_json(st.connect_failures)}};
  j["reconnects"] = st.reconnects;
  j["tls_resumed"] = st.tls_resumed;
  j["throughput_per_s"] = rounded(s.throughput_per_s(), 2);
  j["latency_ms"] = {{"p50", ms(h.percentile(50))}, {"p90", ms(h.percentile(90))},
                     {"p99", ms(h.percentile(99))}, {"p999", ms(h.percentile(99.9))},
                     {"max", ms(h.max())},          {"mean", ms(h.mean())},
                     {"min", ms(h.min())}};
  j["next_subject_offset"] = s.next_subject_offset;
  j["signing"] = nullptr;
  if (s.signing) {
    j["signing"] = {{"alg", s.signing->alg},
                    {"presigned", s.signing->presigned},
                    {"used", s.signing->used},
                    {"presign_s", rounded(s.signing->presign_s, 3)},
                    {"exhausted", s.signing->exhausted}};
  }
  j["workload"] = s.options.documents() ? "documents" : "lookup";
  j["document_type"] =
      s.options.documents() ? nlohmann::json() : nlohmann::json(s.options.document_type);
  j["documents"] = nullptr;
  if (s.documents) {
    const auto& d = *s.documents;
    j["documents"] = {{"from", d.from_organ},
                      {"to", d.to_organ},
                      {"run_id", d.run_id},
                      {"attachment_bytes", d.attachment_bytes},
                      {"body_bytes", d.body_bytes},
                      {"issued", d.issued},
                      {"mb_per_s", rounded(s.throughput_per_s() * double(d.body_bytes) / 1e6, 2)}};
  }
  return j;
}

std::string summary_text(const Summary& s) {
  const RunStats& st = s.stats;
  const Histogram& h = st.latency;
  const Options& o = s.options;
  std::string out;
  out += fmt::format(
      "lienthong-load: {} to {}:{}, {} connections ({} open), {}\n", protocol_name(o.protocol),
      o.host, o.port, o.connections, st.connections_open,
      o.open_loop() ? fmt::format("open loop at {} req/s", o.rate) : std::string("closed loop"));
  out += fmt::format("  measured {:.3f} s after {} s of warm-up\n", s.elapsed_s(), o.warmup_s);
  if (s.documents) {
    const auto& d = *s.documents;
    out += fmt::format(
        "documents: POST /v1/documents, {} -> {}, {} B envelopes ({} B attachment), "
        "DocumentIds <n>/LT-{}, {} issued\n",
        d.from_organ, d.to_organ, d.body_bytes, d.attachment_bytes, d.run_id, d.issued);
  } else {
    out += fmt::format("lookups: document type {}\n", o.document_type);
  }
  out += fmt::format("requests: sent {}  completed {}  ok {}  errors {}  unsent {}\n", st.sent,
                     st.completed(), st.ok, st.errors(), st.unsent);
  if (st.errors() > 0 || st.connect_failure_count() > 0) {
    out += "errors:" + counts_text("status", st.by_status) + counts_text("code", st.by_code) +
           (st.unsigned_answers > 0
                ? fmt::format("  answers without {}: {}", kJwsSignatureHeader, st.unsigned_answers)
                : std::string()) +
           counts_text("transport", st.transport) + counts_text("connect", st.connect_failures) +
           "\n";
  }
  if (s.signing) {
    out += fmt::format("signed requests: {}, {} pre-signed in {:.3f} s (not measured), {} used\n",
                       s.signing->alg, s.signing->presigned, s.signing->presign_s, s.signing->used);
    if (s.signing->exhausted) {
      out += "  the run stopped early: every pre-signed body was used (raise --presign)\n";
    }
  }
  out += fmt::format("throughput: {:.1f} ok/s   achieved rate {:.1f} req/s", s.throughput_per_s(),
                     s.achieved_rate());
  out += o.open_loop() ? fmt::format(" (target {} req/s)\n", o.rate) : std::string("\n");
  if (s.documents) {
    out += fmt::format("documents accepted: {:.2f} MB/s of envelopes\n",
                       s.throughput_per_s() * double(s.documents->body_bytes) / 1e6);
  }
  out += fmt::format(
      "latency ms: p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  max {:.3f}  mean {:.3f}\n",
      ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)),
      ms(h.max()), ms(h.mean()));
  out += fmt::format("connections: reconnects {}  TLS resumed {}\n", st.reconnects, st.tls_resumed);
  out += fmt::format("next unused subject: --subject-offset {}\n", s.next_subject_offset);
  for (const auto& [kind, message] : st.first_error) {
    out += fmt::format("first {} error: {}\n", kind, message);
  }
  return out;
}

}  // namespace lienthong::load
