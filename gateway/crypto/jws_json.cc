#include "gateway/crypto/jws_json.h"

#include <cmath>
#include <string>
#include <vector>

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;

// One SAX pass that checks and builds the document: returning false stops nlohmann's parser at
// once, so nothing deeper than the limit is ever built, and a repeated member name is found in
// the object being built (a std::map, so no second index of names is needed).
class StrictBuilder {
 public:
  explicit StrictBuilder(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return put(json(nullptr)) != nullptr; }
  bool boolean(bool value) { return put(json(value)) != nullptr; }
  bool number_integer(json::number_integer_t value) { return put(json(value)) != nullptr; }
  bool number_unsigned(json::number_unsigned_t value) { return put(json(value)) != nullptr; }
  bool number_float(json::number_float_t value, const json::string_t&) {
    if (!std::isfinite(value)) return refuse("a number out of range");
    return put(json(value)) != nullptr;
  }
  bool string(json::string_t& value) { return put(json(std::move(value))) != nullptr; }
  bool binary(json::binary_t&) { return refuse("binary data"); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    json& object = *open_.back();
    if (object.contains(name)) return refuse("member '" + shown(name) + "' repeated");
    member_ = &object[std::move(name)];
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    if (problem_.empty())
      problem_ = "not well-formed JSON (at byte " + std::to_string(position) + ")";
    return false;
  }

  const std::string& problem() const { return problem_; }
  json& document() { return root_; }

 private:
  // Where a value goes: the root, the end of the open array, or the member just named. The
  // containers on open_ stay put while they are open (map nodes do not move; an array gets no
  // new element while its last one is open).
  json* put(json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *member_ = std::move(value);
    return member_;
  }
  bool open(json container) {
    if (open_.size() >= max_depth_)
      return refuse("nested deeper than " + std::to_string(max_depth_));
    open_.push_back(put(std::move(container)));
    return true;
  }
  bool close() {
    if (!open_.empty()) open_.pop_back();
    return true;
  }
  bool refuse(std::string why) {
    if (problem_.empty()) problem_ = std::move(why);
    return false;
  }

  size_t max_depth_;
  json root_;
  std::vector<json*> open_;  // the containers open, outermost first
  json* member_ = nullptr;   // the object member named by the last key
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
  // nlohmann's lexer takes a NUL byte for the end of input, even in strict mode over a range:
  // "{...}\0<anything>" would parse as the object alone. No JSON text contains a raw NUL.
  if (text.find('\0') != std::string_view::npos)
    return fail(code, std::string(what) + ": not well-formed JSON (a NUL byte)");
  StrictBuilder builder(max_depth);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                  /*strict=*/true);
  if (!ok || !builder.problem().empty())
    return fail(code, std::string(what) + ": " +
                          (builder.problem().empty() ? "not well-formed JSON" : builder.problem()));
  return std::move(builder.document());
}

}  // namespace lienthong::crypto
