#include "gateway/crypto/jws_json.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;

// A SAX pass that only checks; the document is built by a second pass once it is known to be
// harmless. Returning false stops nlohmann's parser at once.
class StrictCheck {
 public:
  explicit StrictCheck(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t value, const json::string_t&) {
    if (std::isfinite(value)) return true;
    return refuse("a number out of range");
  }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return refuse("binary data"); }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (!frames_.empty() && frames_.back().is_object && !frames_.back().names.insert(name).second)
      return refuse("member '" + shown(name) + "' repeated");
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    if (problem_.empty())
      problem_ = "not well-formed JSON (at byte " + std::to_string(position) + ")";
    return false;
  }

  const std::string& problem() const { return problem_; }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string, std::less<>> names;
  };

  bool open(bool is_object) {
    if (frames_.size() >= max_depth_)
      return refuse("nested deeper than " + std::to_string(max_depth_));
    frames_.push_back(Frame{is_object, {}});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  bool refuse(std::string why) {
    if (problem_.empty()) problem_ = std::move(why);
    return false;
  }

  size_t max_depth_;
  std::vector<Frame> frames_;
  std::string problem_;
};

}  // namespace

std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 40) out += "...";
  return out;
}

Result<nlohmann::json> parse_strict_json(std::string_view text, size_t max_depth,
                                         std::string_view what, ErrorCode code) {
  StrictCheck check(max_depth);
  const bool ok = json::sax_parse(text.begin(), text.end(), &check, json::input_format_t::json,
                                  /*strict=*/true);
  if (!ok || !check.problem().empty())
    return fail(code, std::string(what) + ": " +
                          (check.problem().empty() ? "not well-formed JSON" : check.problem()));
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(code, std::string(what) + ": not well-formed JSON");
  return doc;
}

}  // namespace lienthong::crypto
