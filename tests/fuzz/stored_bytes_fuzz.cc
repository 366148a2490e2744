// Fuzz target: parsers of bytes the gateway wrote but reads back from outside the process,
// where they may have been altered: cached records (Redis) and audit lines (files).
// The first byte picks the parser. Any input must give a value or a typed error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/audit/audit_format.h"
#include "gateway/cache/record_codec.h"
#include "gateway/cache/sealing_key.h"

using namespace lienthong;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto record = cache::decode_record(bytes);
      // A decoded record always has the code of its subject and type.
      if (record && record->code != record_code(record->subject, record->doc_type)) std::abort();
      // The format has one encoding per record: what decodes encodes back to the same bytes.
      if (record) {
        auto again = cache::encode_record(*record);
        if (!again || *again != bytes) std::abort();
      }
      break;
    }
    case 1: {
      static const auto key = cache::SealingKey::from_bytes(std::string(32, '\x42'));
      if (!key) std::abort();
      auto opened = key->open(bytes, "lt:rec:fuzz");
      if (opened && bytes.size() < cache::SealingKey::kOverheadBytes) std::abort();
      break;
    }
    case 2: {
      auto link = audit::parse_link(bytes);
      if (link && link->hash.size() != 64) std::abort();
      break;
    }
    default: {
      auto entry = audit::decode_entry(bytes);
      (void)entry;
      break;
    }
  }
  return 0;
}
