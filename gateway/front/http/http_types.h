// The Beast message types the HTTP front passes between its parts.
#pragma once

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

namespace lienthong::front::http {

namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// Beast 1.74 speaks boost::string_view; the rest of the gateway std::string_view.
inline std::string_view to_std(boost::beast::string_view s) { return {s.data(), s.size()}; }
inline boost::beast::string_view to_beast(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace lienthong::front::http
