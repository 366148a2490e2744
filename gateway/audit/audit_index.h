// The subject index of an audit directory (gateway/audit/README.md, "Subject index"): answers
// "who processed this citizen's data" (Decree 13/2023) from DIR/index/ without scanning the log.
//
// The index is derived data: it is caught up from the last indexed line of each segment before
// every query, it can be deleted at any time (the next call rebuilds it), and it is never
// trusted for an answer: every line it points to is re-read, its subject compared and its hash
// checked. A broken index file is rebuilt from the log, never answered from.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/audit/audit_format.h"
#include "gateway/core/error.h"

namespace lienthong::audit {

inline constexpr std::string_view kIndexDirectory = "index";

struct IndexStatus {
  std::uint64_t indexed = 0;      // lines newly indexed by this call
  std::uint64_t entries = 0;      // entries the index covers in all
  std::uint64_t through_seq = 0;  // the last entry it covers (entries after it are not seen)
  std::uint64_t unreadable = 0;   // lines that are not entries at all (run `audit verify`)
  std::uint64_t rebuilt = 0;      // index files found broken or stale, and rebuilt
};

// Catches the index of `dir` up with the log: reads only the lines not yet indexed (complete
// ones: a line still being written is left for the next call). Takes DIR/index/LOCK
// exclusively, so it is safe beside other queries, other catch-ups and a writing gateway.
Result<IndexStatus> update_index(const std::filesystem::path& dir);

struct SubjectQuery {
  std::string subject;             // compared byte for byte with the entries' `subject`
  std::optional<TimePoint> from;   // entries at or after
  std::optional<TimePoint> until;  // entries strictly before
};

struct IndexedEntry {
  std::string file;          // segment file name
  std::uint64_t offset = 0;  // byte offset of the line in it
  DecodedEntry decoded;      // its hash verified
};

// A line the index led to that is the subject's but fails its own hash check (or no longer
// decodes): the audit was modified. Never answered as genuine.
struct SuspectEntry {
  std::string file;
  std::uint64_t offset = 0;
  std::uint64_t seq = 0;  // as the line says
  std::string problem;
};

struct SubjectAnswer {
  std::vector<IndexedEntry> entries;  // oldest first (by seq)
  std::vector<SuspectEntry> tampered;
  IndexStatus index;
};

// One entry of a `who` answer as JSON (the CLI's --json and the admin API): at, member,
// member_certificate, officer_id, officer_account, document_type, dossier_code, procedure_code,
// front, outcome, cache_hit, request_id, seq.
nlohmann::ordered_json who_json_entry(const IndexedEntry& hit);

// update_index, then the subject's entries through the index (DIR/index/LOCK shared while
// reading). An error only when the directory or the index cannot be read or written.
Result<SubjectAnswer> query_subject(const std::filesystem::path& dir, const SubjectQuery& query);

}  // namespace lienthong::audit
