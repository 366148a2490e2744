// A blocking HTTPS client for the HTTP front's tests: Beast over asio::ssl, with an optional
// client certificate from the dev PKI. Tests may throw; the code under test may not.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_pki.h"

namespace lienthong::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

struct ClientIdentity {
  std::filesystem::path chain;  // PEM: leaf, then intermediates
  std::filesystem::path key;

  // A dev PKI certificate, sent with its intermediate.
  static ClientIdentity dev(const std::string& name, const std::string& kt = "ec") {
    return {pki_file(kt, name + ".fullchain.pem"), pki_file(kt, name + ".key")};
  }
};

class HttpsClient {
 public:
  HttpsClient(std::uint16_t port, std::optional<ClientIdentity> identity,
              const std::string& server_kt = "ec")
      : ssl_(asio::ssl::context::tls_client) {
    ssl_.load_verify_file(pki_file(server_kt, "root-ca.crt").string());
    ssl_.set_verify_mode(asio::ssl::verify_peer);
    if (identity) {
      ssl_.use_certificate_chain_file(identity->chain.string());
      ssl_.use_private_key_file(identity->key.string(), asio::ssl::context::pem);
    }
    stream_.emplace(ioc_, ssl_);
    stream_->lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  }

  // Throws when the server refuses (or after TLS 1.3's late refusal, on first read).
  void handshake() { stream_->handshake(asio::ssl::stream_base::client); }

  static HttpRequest post(const std::string& target, const std::string& content_type,
                          std::string body) {
    HttpRequest req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, "localhost");
    req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }
  static HttpRequest get(const std::string& target) {
    HttpRequest req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "localhost");
    return req;
  }

  void send(HttpRequest req) { bhttp::write(*stream_, req); }
  // Several requests in one write: pipelining as clients do it.
  void send_pipelined(const std::vector<HttpRequest>& requests) {
    std::string wire;
    for (const auto& req : requests) {
      std::ostringstream os;
      os << req;
      wire += os.str();
    }
    asio::write(*stream_, asio::buffer(wire));
  }
  void send_raw(const std::string& bytes) { asio::write(*stream_, asio::buffer(bytes)); }

  HttpResponse read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 << 20);
    bhttp::read(*stream_, buffer_, parser);
    return parser.release();
  }
  HttpResponse request(HttpRequest req) {
    send(std::move(req));
    return read();
  }

  // True when the server has closed the connection (read ends without a response).
  bool closed_by_server() {
    boost::system::error_code ec;
    bhttp::response_parser<bhttp::string_body> parser;
    bhttp::read(*stream_, buffer_, parser, ec);
    return static_cast<bool>(ec);
  }

 private:
  asio::io_context ioc_;
  asio::ssl::context ssl_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace lienthong::testing
