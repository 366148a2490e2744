#include "gateway/front/thrift/thrift_front.h"

#include <fmt/format.h>
#include <thrift/TOutput.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TTransportException.h>

#include <pthread.h>

#include <csignal>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "gateway/core/log.h"
#include "gateway/front/thrift/exchange_handler.h"
#include "gateway/front/thrift/peer_socket.h"
#include "gateway/front/thrift/wire_limits.h"
#include "lienthong_thrift/Exchange.h"

namespace lienthong::front {
namespace {

using apache::thrift::transport::TTransport;
using thrift_internal::ListeningSslServerSocket;
using thrift_internal::PeerSslSocketFactory;

// Thrift reports refused handshakes and broken connections through its global TOutput, to
// stderr by default; route them to the gateway's log. Its messages carry no request contents.
// Closing a connection the member already dropped is routine (TSSLSocket reports its failed
// close_notify); keep those at debug so refusals and broken connections stand out.
void log_thrift_output(const char* message) {
  const std::string_view text(message);
  if (text.starts_with("SSL_shutdown:") || text.find("close failed") != std::string_view::npos) {
    LT_LOG(debug, "thrift: {}", text);
  } else {
    LT_LOG(warn, "thrift: {}", text);
  }
}

void route_thrift_output() {
  static std::once_flag once;
  std::call_once(once, [] { apache::thrift::GlobalOutput.setOutputFunction(log_thrift_output); });
}

// A member that disconnects makes the next TLS write on its connection (a late reply, the
// close_notify) raise SIGPIPE, which would end the gateway: OpenSSL writes with write(2), not
// send(MSG_NOSIGNAL). Blocked on the serving thread, and so on every connection thread
// TThreadedServer starts from it (they inherit the mask), such a write fails with EPIPE
// instead and only that connection ends. The rest of the process is left as it was.
void block_sigpipe_on_this_thread() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
}

}  // namespace

Result<void> validate(const ThriftFrontConfig& config) {
  if (config.listen_address.empty())
    return fail(ErrorCode::kBadRequest, "thrift: no listen address");
  if (config.max_connections < 1) {
    return fail(ErrorCode::kBadRequest, "thrift: max_connections must be at least 1");
  }
  if (config.max_message_bytes < 1024) {
    return fail(ErrorCode::kBadRequest, "thrift: max_message_bytes must be at least 1024");
  }
  if (config.max_frame_bytes < 1024) {
    return fail(ErrorCode::kBadRequest, "thrift: max_frame_bytes must be at least 1024");
  }
  // Ministry calls are kilobytes; a limit past this is a typo, and near INT_MAX it overflows.
  constexpr int kCeiling = 256 << 20;
  if (config.max_message_bytes > kCeiling || config.max_frame_bytes > kCeiling ||
      config.max_document_bytes > kCeiling) {
    return fail(ErrorCode::kBadRequest,
                "thrift: message, frame and document limits must be at most 256 MiB");
  }
  if (config.max_document_bytes < 1024) {
    return fail(ErrorCode::kBadRequest, "thrift: max_document_bytes must be at least 1024");
  }
  // Writing a response nests result → LookupResponse → Record → RecordField.
  if (config.recursion_limit < 4) {
    return fail(ErrorCode::kBadRequest, "thrift: recursion_limit must be at least 4");
  }
  if (config.idle_timeout.count() < 0 || config.send_timeout.count() < 0) {
    return fail(ErrorCode::kBadRequest, "thrift: timeouts must not be negative");
  }
  return {};
}

struct ThriftFront::Running {
  std::shared_ptr<apache::thrift::server::TThreadedServer> server;
  std::thread thread;
};

ThriftFront::ThriftFront(ThriftFrontConfig config, exchange::Pipeline::Ptr pipeline,
                         std::shared_ptr<Metrics> metrics)
    : config_(std::move(config)), pipeline_(std::move(pipeline)), metrics_(std::move(metrics)) {}

ThriftFront::~ThriftFront() { stop(); }

Result<std::uint16_t> ThriftFront::start() {
  if (started_) return fail(ErrorCode::kInternal, "thrift front already started");
  if (!pipeline_) return fail(ErrorCode::kInternal, "thrift front has no pipeline");
  if (auto valid = validate(config_); !valid) return tl::unexpected(valid.error());
  started_ = true;
  route_thrift_output();

  auto factory = PeerSslSocketFactory::create(config_.tls, thrift_internal::socket_limits(config_));
  if (!factory) return tl::unexpected(factory.error());

  auto server_socket =
      std::make_shared<ListeningSslServerSocket>(config_.listen_address, config_.port, *factory);
  server_socket->setRecvTimeout(static_cast<int>(config_.idle_timeout.count()));
  server_socket->setSendTimeout(static_cast<int>(config_.send_timeout.count()));
  int port = -1;
  try {
    server_socket->listen();
    port = server_socket->bound_port();
  } catch (const apache::thrift::transport::TTransportException& e) {
    return fail(ErrorCode::kInternal, fmt::format("thrift front cannot listen on {}:{}: {}",
                                                  config_.listen_address, config_.port, e.what()));
  }
  if (port <= 0) {
    server_socket->close();
    return fail(ErrorCode::kInternal, "thrift front: cannot read the bound port");
  }

  // Each connection's handler asks its own socket for the member, once, after the handshake.
  auto resolver = [](const std::shared_ptr<TTransport>& transport) {
    std::weak_ptr<TTransport> weak = transport;
    return thrift_internal::ExchangeHandler::MemberSource([weak]() -> Result<Member> {
      auto alive = weak.lock();
      if (!alive) return fail(ErrorCode::kInternal, "connection already closed");
      return thrift_internal::member_of(alive);
    });
  };
  auto handlers = std::make_shared<thrift_internal::ExchangeHandlerFactory>(
      pipeline_, metrics_, resolver, config_.signed_json, config_.documents);
  auto processors = std::make_shared<lienthong::thrift::ExchangeProcessorFactory>(handlers);
  auto server = std::make_shared<apache::thrift::server::TThreadedServer>(
      processors, server_socket, thrift_internal::framed_transport_factory(config_),
      thrift_internal::binary_protocol_factory(config_));
  server->setConcurrentClientLimit(config_.max_connections);

  running_ = std::make_unique<Running>();
  running_->server = server;
  running_->thread = std::thread([server] {
    block_sigpipe_on_this_thread();
    try {
      server->serve();
    } catch (const std::exception& e) {
      LT_LOG(error, "thrift front stopped serving: {}", e.what());
    }
  });
  LT_LOG(info, "thrift front listening on {}:{}", config_.listen_address, port);
  return static_cast<std::uint16_t>(port);
}

void ThriftFront::stop() {
  if (!running_) return;
  running_->server->stop();
  if (running_->thread.joinable()) running_->thread.join();
  running_.reset();
}

}  // namespace lienthong::front
