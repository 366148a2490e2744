#include "tools/lienthong-load/thrift_driver.h"

#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>

#include <algorithm>
#include <latch>
#include <memory>
#include <optional>
#include <semaphore>
#include <thread>
#include <vector>

#include "lienthong_thrift/Exchange.h"

namespace lienthong::load {

namespace gen = ::lienthong::thrift;
using apache::thrift::TApplicationException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::transport::DefaultClientAccessManager;
using apache::thrift::transport::SSLContext;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSSLException;
using apache::thrift::transport::TSSLSocket;
using apache::thrift::transport::TSSLSocketFactory;
using apache::thrift::transport::TTransportException;

namespace {

// Connections opening at once while setting up (as in the HTTP driver): the listen backlog.
constexpr std::ptrdiff_t kParallelConnects = 128;

// Thrift's TSSLSocket shakes hands lazily, on the first read or write, which would put the
// handshake inside the first measured request. This one completes it in open().
class EagerSslSocket final : public TSSLSocket {
 public:
  EagerSslSocket(std::shared_ptr<SSLContext> context, const std::string& host, int port)
      : TSSLSocket(std::move(context), host, port) {}
  void open() override {
    TSSLSocket::open();
    initializeHandshake();  // blocking socket: returns with the handshake done, or throws
    if (!checkHandshake()) throw TSSLException("TLS handshake did not complete");
  }
};

class EagerSslSocketFactory final : public TSSLSocketFactory {
 public:
  using TSSLSocketFactory::createSocket;
  std::shared_ptr<TSSLSocket> createSocket(const std::string& host, int port) override {
    auto socket = std::make_shared<EagerSslSocket>(ctx_, host, port);
    // The default client check: the server certificate names the host (DNS or IP SAN).
    socket->access(std::make_shared<DefaultClientAccessManager>());
    return socket;
  }
};

std::string failure_kind(const TTransportException& e) {
  if (dynamic_cast<const TSSLException*>(&e) != nullptr) return "tls";
  switch (e.getType()) {
    case TTransportException::TIMED_OUT:
      return "timeout";
    case TTransportException::END_OF_FILE:
    case TTransportException::CLIENT_DISCONNECT:
      return "closed";
    case TTransportException::NOT_OPEN:
      return "not_open";
    default:
      return "io";
  }
}

struct Shared {
  const Options& options;
  TSSLSocketFactory& factory;
  SubjectSource& subjects;
  RequestBudget budget;
  std::counting_semaphore<kParallelConnects> connecting{kParallelConnects};
  std::optional<Schedule> schedule;  // set once every connection has been tried
};

// One connection and its thread's counters.
class Connection {
 public:
  Connection(Shared& shared, RunStats& stats) : shared_(shared), stats_(stats) {}

  bool open() {
    close();
    const int timeout_ms = static_cast<int>(shared_.options.timeout_s * 1000);
    try {
      auto socket = shared_.factory.createSocket(shared_.options.host, shared_.options.port);
      socket->setConnTimeout(timeout_ms);
      socket->setRecvTimeout(timeout_ms);
      socket->setSendTimeout(timeout_ms);
      socket->setNoDelay(true);
      transport_ = std::make_shared<TFramedTransport>(socket);
      client_ =
          std::make_unique<gen::ExchangeClient>(std::make_shared<TBinaryProtocol>(transport_));
      transport_->open();
      connected_ = true;
      return true;
    } catch (const TTransportException& e) {
      const std::string kind = failure_kind(e);
      ++stats_.connect_failures[kind];
      stats_.first_error.try_emplace("connect " + kind, e.what());
    }
    close();
    return false;
  }

  void close() {
    connected_ = false;
    if (transport_ != nullptr) {
      try {
        transport_->close();
      } catch (const TTransportException&) {
        // Closing a socket that already failed: the failure was counted when it happened.
      }
    }
    client_.reset();
    transport_.reset();
  }

  // The closed or open loop, until the window closes or the budget runs out.
  void run(int rank) {
    const Schedule& schedule = *shared_.schedule;
    gen::LookupRequest request;
    request.documentType = shared_.options.document_type;
    request.purpose.dossierCode = kDossierCode;
    request.purpose.procedureCode = kProcedureCode;
    request.officer.personalId = kOfficerPersonalId;
    request.officer.account = kOfficerAccount;
    if (shared_.options.max_age_s) request.__set_maxAgeSeconds(*shared_.options.max_age_s);
    gen::LookupResponse response;

    for (uint64_t k = 0;; ++k) {
      const SteadyTime now = SteadyClock::now();
      SteadyTime origin = now;
      if (schedule.open_loop()) {
        origin = schedule.intended(rank, k);
        if (schedule.past_end(origin)) break;
        if (schedule.past_end(now)) {
          stats_.unsent += schedule.remaining_before_end(rank, k);
          break;
        }
        if (origin > now) std::this_thread::sleep_until(origin);
      } else if (schedule.past_end(now)) {
        break;
      }
      const bool measured = !schedule.in_warmup(origin);
      if (measured && !shared_.budget.take()) break;
      if (measured) ++stats_.sent;
      request.subjectId = shared_.subjects.next();
      call(request, response, origin, measured);
    }
    close();
  }

 private:
  // One lookup; reopens the connection first if the last call broke it.
  void call(const gen::LookupRequest& request, gen::LookupResponse& response, SteadyTime origin,
            bool measured) {
    std::optional<std::string> failure;
    bool answered = false;
    if (!connected_) {
      ++stats_.reconnects;
      if (!open()) failure = "connect";
    }
    if (!failure) {
      try {
        client_->lookup(response, request);
        answered = true;
        if (measured) ++stats_.ok;
      } catch (const gen::LookupError& e) {
        answered = true;
        if (measured) {
          ++stats_.refused;
          ++stats_.by_code[e.codeName.empty() ? "(none)" : e.codeName];
        }
      } catch (const TTransportException& e) {
        failure = failure_kind(e);
        stats_.first_error.try_emplace(*failure, e.what());
      } catch (const TProtocolException& e) {
        failure = "protocol";
        stats_.first_error.try_emplace(*failure, e.what());
      } catch (const TApplicationException& e) {
        failure = "application";
        stats_.first_error.try_emplace(*failure, e.what());
      }
    }
    if (failure) close();  // the stream may be mid-message: start clean
    if (!measured) return;
    const SteadyTime now = SteadyClock::now();
    stats_.last_completion = now;
    if (answered) stats_.latency.record(now - origin);
    if (failure) ++stats_.transport[*failure];
  }

  Shared& shared_;
  RunStats& stats_;
  std::shared_ptr<TFramedTransport> transport_;
  std::unique_ptr<gen::ExchangeClient> client_;
  // Ours, not transport_->isOpen(): TSSLSocket reports open only once it has seen traffic.
  bool connected_ = false;
};

// Thrift prints every socket error to stderr; the driver counts them instead, and keeps the
// first message of each kind for the report.
void quiet(const char*) {}

}  // namespace

Result<RunStats> run_thrift_load(const Options& options, SubjectSource& subjects) {
  apache::thrift::GlobalOutput.setOutputFunction(&quiet);
  EagerSslSocketFactory factory;
  try {
    factory.authenticate(true);  // verify the server's certificate
    factory.loadTrustedCertificates(options.ca.c_str());
    factory.loadCertificate(options.cert.c_str());  // PEM: the whole chain, leaf first
    factory.loadPrivateKey(options.key.c_str());
  } catch (const TSSLException& e) {
    return fail(ErrorCode::kBadRequest, std::string("TLS files: ") + e.what());
  }

  Shared shared{.options = options,
                .factory = factory,
                .subjects = subjects,
                .budget = RequestBudget(options.requests),
                .schedule = std::nullopt};
  const auto count = static_cast<size_t>(options.connections);
  std::vector<RunStats> stats(count);
  std::vector<int> ranks(count, -1);  // -1: could not connect, sits the run out
  std::latch tried(static_cast<std::ptrdiff_t>(count));
  std::latch go(1);
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      Connection connection(shared, stats[i]);
      shared.connecting.acquire();
      const bool up = connection.open();
      shared.connecting.release();
      if (up) stats[i].connections_open = 1;
      tried.count_down();
      go.wait();  // ranks and schedule are written before go opens
      if (ranks[i] >= 0) connection.run(ranks[i]);
    });
  }
  tried.wait();
  int open = 0;
  for (size_t i = 0; i < count; ++i) {
    if (stats[i].connections_open == 1) ranks[i] = open++;
  }
  if (open > 0) shared.schedule.emplace(options, open, SteadyClock::now());
  go.count_down();
  for (auto& t : threads) t.join();

  RunStats total;
  for (const auto& s : stats) total.merge(s);
  if (shared.schedule) total.measure_start = shared.schedule->measure_start();
  return total;
}

}  // namespace lienthong::load
