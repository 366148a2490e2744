// CurlOcspTransport against a one-shot HTTP server on port 0 that answers with canned bytes:
// what it sends, and every answer it must refuse (status, content type, size, silence).
#include "gateway/upstream/curl_ocsp_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;

// Accepts one connection, reads the request (headers and Content-Length body), answers
// `response` (or nothing while `silent`), and closes.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response, bool silent = false)
      : response_(std::move(response)), silent_(silent) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ocsp"; }
  const std::string& request() const { return request_; }  // after the call returned

 private:
  void serve() {
    const int conn = ::accept(listener_, nullptr, nullptr);
    if (conn < 0) return;
    char buf[4096];
    size_t body_expected = std::string::npos;
    while (true) {
      const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
      const size_t end = request_.find("\r\n\r\n");
      if (end != std::string::npos && body_expected == std::string::npos) {
        const size_t cl = request_.find("Content-Length: ");
        body_expected = cl == std::string::npos ? 0 : std::stoul(request_.substr(cl + 16));
        body_expected += end + 4;
      }
      if (request_.size() >= body_expected) break;
    }
    if (silent_) {
      while (::recv(conn, buf, sizeof buf, 0) > 0) {
      }  // until the client gives up
    } else {
      ::send(conn, response_.data(), response_.size(), MSG_NOSIGNAL);
    }
    ::close(conn);
  }

  std::string response_;
  bool silent_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

std::string http(const std::string& status, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

TEST(CurlOcspTransportTest, PostsTheDerRequestAndReturnsTheAnswer) {
  OneShotServer server(
      http("200 OK", "application/ocsp-response", std::string("\x30\x03\x0a\x01\x03", 5)));
  CurlOcspTransport transport;
  auto answer = transport.post(server.url(), std::string("\x30\x00", 2), 2s);
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_EQ(*answer, std::string("\x30\x03\x0a\x01\x03", 5));
  EXPECT_EQ(server.request().rfind("POST /ocsp HTTP/1.1\r\n", 0), 0u) << server.request();
  EXPECT_NE(server.request().find("Content-Type: application/ocsp-request"), std::string::npos);
  EXPECT_EQ(server.request().substr(server.request().size() - 2), std::string("\x30\x00", 2));
}

TEST(CurlOcspTransportTest, WrongContentTypeIsRefused) {
  OneShotServer server(http("200 OK", "text/html", "<html>captive portal</html>"));
  auto answer = CurlOcspTransport().post(server.url(), "x", 2s);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(answer.error().detail.find("text/html"), std::string::npos) << answer.error().detail;
}

TEST(CurlOcspTransportTest, ContentTypeParametersAndCaseAreIgnored) {
  OneShotServer server(http("200 OK", "Application/OCSP-Response; charset=binary", "0"));
  EXPECT_TRUE(CurlOcspTransport().post(server.url(), "x", 2s));
}

TEST(CurlOcspTransportTest, HttpErrorIsRefused) {
  OneShotServer server(http("503 Service Unavailable", "application/ocsp-response", ""));
  auto answer = CurlOcspTransport().post(server.url(), "x", 2s);
  ASSERT_FALSE(answer);
  EXPECT_NE(answer.error().detail.find("HTTP 503"), std::string::npos) << answer.error().detail;
}

TEST(CurlOcspTransportTest, OversizedAnswerIsRefused) {
  OneShotServer server(http("200 OK", "application/ocsp-response", std::string(70 * 1024, 'a')));
  auto answer = CurlOcspTransport().post(server.url(), "x", 2s);
  ASSERT_FALSE(answer);
  EXPECT_NE(answer.error().detail.find("more than 65536 bytes"), std::string::npos)
      << answer.error().detail;
}

TEST(CurlOcspTransportTest, SilentResponderTimesOut) {
  OneShotServer server("", /*silent=*/true);
  auto answer = CurlOcspTransport().post(server.url(), "x", 300ms);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamTimeout);
}

TEST(CurlOcspTransportTest, NothingListeningIsUnavailable) {
  auto answer = CurlOcspTransport().post("http://127.0.0.1:1/ocsp", "x", 2s);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST(CurlOcspTransportTest, OnlyHttpAndHttpsUrls) {
  for (const char* url : {"file:///etc/passwd", "ldap://ca/ocsp", "127.0.0.1:80"}) {
    auto answer = CurlOcspTransport().post(url, "x", 1s);
    ASSERT_FALSE(answer) << url;
    EXPECT_EQ(answer.error().code, ErrorCode::kBadRequest);
  }
}

}  // namespace
}  // namespace lienthong::upstream
