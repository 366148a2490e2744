// The business rules of an edXML envelope, beyond its structure (edxml_parse.h): what the
// Bkav validator and the VPCP samples agree on (FORMATS.md §1). validate() reports the first
// problem as BAD_REQUEST with the field's path, e.g.
// "MessageHeader/Subject: 612 characters, at most 500".
// Incoming envelopes are validated after parsing; outgoing ones before to_edxml().
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "adapters/documents/edxml_message.h"
#include "gateway/core/error.h"

namespace lienthong::edxml {

// Character limits, counted in Unicode code points (the text is UTF-8 Vietnamese).
inline constexpr size_t kMaxSubject = 500;
inline constexpr size_t kMaxContent = 500;
inline constexpr size_t kMaxPlace = 150;
inline constexpr size_t kMaxAppendix = 250;
inline constexpr size_t kMaxAttachmentName = 200;

Result<void> validate(const EdxmlMessage& message);
Result<void> validate(const EdxmlStatus& status);

// The number of code points of UTF-8 text, or nullopt when it is not valid UTF-8.
std::optional<size_t> utf8_length(std::string_view text);

// "yyyy/MM/dd" naming a calendar day, and "yyyy/MM/dd HH:mm:ss" with a valid time of day.
bool is_edxml_date(std::string_view text);
bool is_edxml_timestamp(std::string_view text);

}  // namespace lienthong::edxml
