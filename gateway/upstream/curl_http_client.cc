#include "gateway/upstream/curl_http_client.h"

#include <curl/curl.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gateway/core/log.h"
#include "gateway/upstream/circuit_breaker.h"
#include "gateway/upstream/curl_socket_events.h"
#include "gateway/upstream/retry_budget.h"

namespace lienthong::upstream {
namespace {

using SteadyClock = std::chrono::steady_clock;

// libcurl's process-wide state, initialised once before the first handle. Never cleaned up:
// clients may live until exit, and curl_global_cleanup must not race with them.
bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// One call across its attempts. Heap-allocated and never moved while libcurl holds pointers
// into it (the request body, the error buffer, the Transfer itself as write-callback data).
struct Transfer {
  HttpRequest request;
  ResponseCallback done;
  std::string url;  // request.url resolved against base_url
  SteadyClock::time_point accepted;
  std::size_t max_body = 0;

  EasyPtr easy;  // created on the first attempt, reused by retries
  SlistPtr headers;
  int attempts = 0;

  // State of the current attempt.
  std::string body;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
};

// Collects the response body up to max_body; one byte more aborts the transfer (libcurl then
// ends it with CURLE_WRITE_ERROR and too_large tells why).
size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (bytes > transfer->max_body - transfer->body.size()) {
    transfer->too_large = true;
    return 0;
  }
  transfer->body.append(data, bytes);
  return bytes;
}

bool is_token(std::string_view text) {  // RFC 9110 token: method and header names
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// Header values must not smuggle a second header or end the header block.
bool is_header_value(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Failures worth another attempt: the connection broke or never came up. A certificate that
// does not verify, or any local misconfiguration, fails the same way the next time.
bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

// What one attempt came to, and whether another attempt could do better.
struct AttemptOutcome {
  Result<HttpResponse> result;
  bool retryable = false;
};

}  // namespace

class CurlHttpClient::Loop {
 public:
  Loop(UpstreamConfig config, Clock::Ptr clock, MultiPtr multi,
       std::unique_ptr<CurlSocketEvents> events, std::string origin)
      : config_(std::move(config)),
        origin_(std::move(origin)),
        base_(config_.base_url),
        multi_(std::move(multi)),
        events_(std::move(events)),
        breaker_(config_.name, config_.breaker_failure_threshold, config_.breaker_open_for, clock),
        budget_(config_.retry_budget_ratio, config_.retry_budget_min_per_second, clock),
        rng_(std::random_device{}()) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  // Any thread. Refusals are queued too, so that every callback runs on the loop's thread.
  void send(HttpRequest request, ResponseCallback done) {
    auto url = resolve(request);
    if (!url) return refuse(std::move(done), std::move(url.error()));
    if (outstanding_.fetch_add(1) >= config_.max_queued) {
      outstanding_.fetch_sub(1);
      return refuse(
          std::move(done),
          unavailable("queue full (" + std::to_string(config_.max_queued) + " calls pending)"));
    }
    // Asked last: a call let through in half-open state is the probe, and must not then be
    // refused for another reason (its outcome would never reach the breaker).
    if (!breaker_.allow()) {
      outstanding_.fetch_sub(1);
      return refuse(std::move(done), unavailable("circuit open"));
    }
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    transfer->url = std::move(*url);
    transfer->accepted = SteadyClock::now();
    transfer->max_body = config_.max_response_bytes;
    {
      std::lock_guard lock(mutex_);
      incoming_.push_back(std::move(transfer));
    }
    events_->wake();
  }

  // Any thread: asks run() to finish. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    events_->wake();
  }

  // The client's thread.
  void run() {
    pthread_setname_np(pthread_self(), "lt-upstream");
    while (true) {
      std::vector<std::unique_ptr<Transfer>> incoming;
      std::vector<Refusal> refused;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        incoming.swap(incoming_);
        refused.swap(refused_);
      }
      for (auto& refusal : refused) deliver(refusal.done, tl::unexpected(std::move(refusal.error)));
      for (auto& transfer : incoming) {
        budget_.on_request();
        start_attempt(std::move(transfer));
      }
      start_due_retries();
      // Sleeps until a socket is ready, libcurl's own next timeout, the next retry, or a
      // wakeup from send()/stop() (a wakeup sent before this call is not lost), and lets
      // libcurl move the transfers those concern.
      events_->run_once(std::chrono::milliseconds(poll_timeout_ms()));
      collect_finished();
    }
    drain();
  }

  CircuitBreaker::State breaker_state() const { return breaker_.state(); }
  std::size_t outstanding() const { return outstanding_.load(); }

 private:
  struct Refusal {
    ResponseCallback done;
    Error error;
  };

  Error unavailable(const std::string& why) const {
    return Error{ErrorCode::kUpstreamUnavailable, config_.name + ": " + why};
  }

  void refuse(ResponseCallback done, Error error) {
    {
      std::lock_guard lock(mutex_);
      refused_.push_back(Refusal{std::move(done), std::move(error)});
    }
    events_->wake();
  }

  // The absolute URL of a request, or BAD_REQUEST: a relative url is appended to base_url, an
  // absolute one must stay on base_url's origin (the client certificate is for this upstream
  // only). Method and headers are checked here too, before any network work.
  Result<std::string> resolve(const HttpRequest& request) const {
    const auto bad = [this](const std::string& why) {
      return fail(ErrorCode::kBadRequest, config_.name + ": " + why);
    };
    if (!is_token(request.method) || request.method.size() > 16) return bad("invalid HTTP method");
    if ((request.method == "GET" || request.method == "HEAD") && !request.body.empty())
      return bad(request.method + " request with a body");
    for (const auto& [name, value] : request.headers) {
      if (!is_token(name) || !is_header_value(value)) return bad("invalid request header");
    }
    const std::string& url = request.url;
    std::string absolute =
        url.empty() || url.front() == '/' || url.front() == '?' ? base_ + url : url;
    auto origin = https_origin(absolute);
    if (!origin) return bad("request URL: " + origin.error().detail);
    if (*origin != origin_) return bad("request URL is not on the upstream's origin");
    return absolute;
  }

  // Sets up the easy handle of a call once; retries reuse it with the same options.
  Result<void> configure(Transfer& t) const {
    t.easy.reset(curl_easy_init());
    if (!t.easy) return fail(ErrorCode::kInternal, config_.name + ": curl_easy_init failed");
    for (const auto& [name, value] : t.request.headers) {
      // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      curl_slist* grown = curl_slist_append(t.headers.get(), line.c_str());
      if (grown == nullptr) return fail(ErrorCode::kInternal, config_.name + ": out of memory");
      (void)t.headers.release();
      t.headers.reset(grown);
    }
    // No "Expect: 100-continue" round trip before large bodies: the upstream is known.
    if (curl_slist* grown = curl_slist_append(t.headers.get(), "Expect:")) {
      (void)t.headers.release();
      t.headers.reset(grown);
    }

    CURL* easy = t.easy.get();
    CURLcode rc = CURLE_OK;
    const auto set = [&](CURLoption option, auto value) {
      if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_URL, t.url.c_str());
    set(CURLOPT_PRIVATE, static_cast<void*>(&t));
    set(CURLOPT_NOSIGNAL, 1L);  // threads and signals do not mix; timeouts use the loop
    set(CURLOPT_PROTOCOLS_STR, "https");
    set(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer for the adapter, not a hop
    set(CURLOPT_PROXY, "");           // never a proxy from https_proxy & co.
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_CAINFO, config_.ca_file.c_str());
    set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));  // not the system's CA directory
    set(CURLOPT_SSLCERT, config_.client_certificate_file.c_str());
    set(CURLOPT_SSLCERTTYPE, "PEM");
    set(CURLOPT_SSLKEY, config_.client_key_file.c_str());
    set(CURLOPT_SSLKEYTYPE, "PEM");
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout.count()));
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    // Refuses a declared Content-Length over the cap before any byte; on_body() catches the
    // rest (chunked bodies).
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(config_.max_response_bytes));
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
    set(CURLOPT_ERRORBUFFER, t.error);
    set(CURLOPT_HTTPHEADER, t.headers.get());
    if (t.request.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
    } else if (t.request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request.body.size()));
      set(CURLOPT_POSTFIELDS, t.request.body.data());
      if (t.request.method != "POST") set(CURLOPT_CUSTOMREQUEST, t.request.method.c_str());
    }
    if (rc != CURLE_OK)
      return fail(ErrorCode::kInternal,
                  config_.name + ": libcurl option refused: " + curl_easy_strerror(rc));
    return {};
  }

  void start_attempt(std::unique_ptr<Transfer> t) {
    if (!t->easy) {
      if (auto ok = configure(*t); !ok) return finish(std::move(t), tl::unexpected(ok.error()));
    }
    t->body.clear();
    t->too_large = false;
    t->error[0] = '\0';
    ++t->attempts;
    CURL* easy = t->easy.get();
    if (const CURLMcode rc = curl_multi_add_handle(multi_.get(), easy); rc != CURLM_OK) {
      return finish(std::move(t),
                    fail(ErrorCode::kInternal, config_.name + ": " + curl_multi_strerror(rc)));
    }
    active_.emplace(easy, std::move(t));
  }

  void start_due_retries() {
    const auto now = SteadyClock::now();
    while (!retries_.empty() && retries_.begin()->first <= now) {
      auto node = retries_.extract(retries_.begin());
      start_attempt(std::move(node.mapped()));
    }
  }

  void collect_finished() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      // Copied out first: removing the handle invalidates the message.
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi_.get(), easy);
      auto node = active_.extract(easy);
      if (node.empty()) continue;  // not ours: cannot happen, nothing to report to
      attempt_finished(std::move(node.mapped()), code);
    }
  }

  void attempt_finished(std::unique_ptr<Transfer> t, CURLcode code) {
    AttemptOutcome outcome = judge(*t, code);
    if (outcome.retryable && t->request.idempotent && t->attempts < config_.max_attempts &&
        budget_.try_acquire_retry()) {
      retries_.emplace(SteadyClock::now() + backoff(), std::move(t));
      return;
    }
    finish(std::move(t), std::move(outcome.result));
  }

  AttemptOutcome judge(Transfer& t, CURLcode code) const {
    CURL* easy = t.easy.get();
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 500) return {unavailable_result("HTTP " + std::to_string(status)), true};
      HttpResponse response;
      response.status = status;
      char* content_type = nullptr;
      if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK &&
          content_type != nullptr)
        response.content_type = content_type;
      // Every header of the final answer, in order (libcurl >= 7.84): adapters read signatures
      // from them (X-JWS-Signature).
      for (curl_header* h = curl_easy_nextheader(easy, CURLH_HEADER, -1, nullptr); h != nullptr;
           h = curl_easy_nextheader(easy, CURLH_HEADER, -1, h))
        response.headers.emplace_back(h->name, h->value);
      response.body = std::move(t.body);
      return {std::move(response), false};
    }
    if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return {unavailable_result("response too large (over " +
                                 std::to_string(config_.max_response_bytes) + " bytes), refused"),
              false};
    }
    // libcurl's own message (e.g. "SSL certificate problem: ...") names the host at most,
    // never the path or query, which may carry a personal ID.
    const std::string detail = t.error[0] != '\0' ? t.error : curl_easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return {fail(ErrorCode::kUpstreamTimeout, config_.name + ": " + detail), true};
    }
    return {unavailable_result(detail), is_transient(code)};
  }

  Result<HttpResponse> unavailable_result(const std::string& why) const {
    return tl::unexpected(unavailable(why));
  }

  // The last word on a call: the breaker hears of it, the slot is freed, the callback runs.
  enum class Report { kBreaker, kNobody };
  void finish(std::unique_ptr<Transfer> t, Result<HttpResponse> result,
              Report report = Report::kBreaker) {
    if (report == Report::kBreaker) {
      if (result) {
        breaker_.on_success();
      } else {
        breaker_.on_failure();
      }
    }
    if (result) {
      result->attempts = t->attempts;
      result->elapsed =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t->accepted);
    } else if (t->attempts > 1) {
      result.error().detail += " (" + std::to_string(t->attempts) + " attempts)";
    }
    ResponseCallback done = std::move(t->done);
    t.reset();  // the easy handle goes back before user code runs
    outstanding_.fetch_sub(1);
    deliver(done, std::move(result));
  }

  // Callbacks must not throw (HttpClient's contract); one that does must not take the loop,
  // and every other pending call, down with it.
  void deliver(ResponseCallback& done, Result<HttpResponse> result) {
    try {
      done(std::move(result));
    } catch (const std::exception& e) {
      LT_LOG(error, "upstream '{}': a response callback threw: {}", config_.name, e.what());
    }
  }

  std::chrono::milliseconds backoff() {
    std::uniform_int_distribution<long long> pick(config_.retry_backoff_min.count(),
                                                  config_.retry_backoff_max.count());
    return std::chrono::milliseconds(pick(rng_));
  }

  // At most a second, so a stop() is never waited on for long even if a wakeup went missing;
  // sooner when a retry is due. run_once shortens it further for libcurl's own timers.
  int poll_timeout_ms() const {
    constexpr long long kMaxMs = 1000;
    if (retries_.empty()) return static_cast<int>(kMaxMs);
    const auto wait =
        std::chrono::ceil<std::chrono::milliseconds>(retries_.begin()->first - SteadyClock::now());
    return static_cast<int>(std::clamp<long long>(wait.count(), 0, kMaxMs));
  }

  // After stop(): every call still pending gets its one answer. Callbacks may send() again
  // meanwhile, hence the loop until nothing is left.
  void drain() {
    const auto shutting_down = [this] {
      return Result<HttpResponse>(tl::unexpected(unavailable("client shutting down")));
    };
    for (auto& [easy, t] : active_) curl_multi_remove_handle(multi_.get(), easy);
    auto active = std::move(active_);
    active_.clear();
    for (auto& [easy, t] : active) finish(std::move(t), shutting_down(), Report::kNobody);
    auto retries = std::move(retries_);
    retries_.clear();
    for (auto& [at, t] : retries) finish(std::move(t), shutting_down(), Report::kNobody);
    while (true) {
      std::vector<std::unique_ptr<Transfer>> incoming;
      std::vector<Refusal> refused;
      {
        std::lock_guard lock(mutex_);
        incoming.swap(incoming_);
        refused.swap(refused_);
      }
      if (incoming.empty() && refused.empty()) break;
      for (auto& refusal : refused) deliver(refusal.done, tl::unexpected(std::move(refusal.error)));
      for (auto& t : incoming) finish(std::move(t), shutting_down(), Report::kNobody);
    }
  }

  const UpstreamConfig config_;
  const std::string origin_;  // "https://host:port" of base_url
  std::string base_;          // base_url without a trailing '/'
  MultiPtr multi_;            // declared before the transfers: cleaned up after them
  std::unique_ptr<CurlSocketEvents> events_;  // after multi_: unhooks itself before cleanup
  CircuitBreaker breaker_;
  RetryBudget budget_;
  std::atomic<std::size_t> outstanding_{0};

  // Handed from send()/stop() to the loop.
  std::mutex mutex_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Transfer>> incoming_;
  std::vector<Refusal> refused_;

  // The loop's thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;                // inside libcurl
  std::multimap<SteadyClock::time_point, std::unique_ptr<Transfer>> retries_;  // backing off
  std::minstd_rand rng_;  // backoff jitter; not security-relevant
};

Result<std::shared_ptr<CurlHttpClient>> CurlHttpClient::create(UpstreamConfig config,
                                                               Clock::Ptr clock) {
  if (auto valid = config.validate(); !valid) return tl::unexpected(valid.error());
  if (!curl_ready()) return fail(ErrorCode::kInternal, "curl_global_init failed");
  auto origin = https_origin(config.base_url);
  if (!origin) return tl::unexpected(origin.error());

  MultiPtr multi(curl_multi_init());
  if (!multi) return fail(ErrorCode::kInternal, config.name + ": curl_multi_init failed");
  CURLMcode rc =
      curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, config.max_connections);
  if (rc == CURLM_OK)
    rc = curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, config.max_connections);
  // The pool of idle connections kept for reuse.
  if (rc == CURLM_OK)
    rc = curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, config.max_connections);
  if (rc != CURLM_OK)
    return fail(ErrorCode::kInternal, config.name + ": " + curl_multi_strerror(rc));

  auto events = CurlSocketEvents::create(multi.get());
  if (!events) return tl::unexpected(events.error());
  auto loop = std::make_shared<Loop>(std::move(config), std::move(clock), std::move(multi),
                                     std::move(*events), std::move(*origin));
  std::shared_ptr<CurlHttpClient> client(new CurlHttpClient(loop));
  try {
    client->thread_ = std::thread([loop] { loop->run(); });
  } catch (const std::system_error& e) {
    return fail(ErrorCode::kInternal, std::string("cannot start the upstream thread: ") + e.what());
  }
  return client;
}

CurlHttpClient::CurlHttpClient(std::shared_ptr<Loop> loop) : loop_(std::move(loop)) {}

CurlHttpClient::~CurlHttpClient() {
  loop_->stop();
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    // Destroyed by one of our own callbacks: joining would wait for ourselves. The thread
    // holds the loop and ends as soon as that callback returns.
    thread_.detach();
  } else {
    thread_.join();
  }
}

void CurlHttpClient::send(HttpRequest request, ResponseCallback done) {
  loop_->send(std::move(request), std::move(done));
}

std::string CurlHttpClient::breaker_state() const {
  return CircuitBreaker::name(loop_->breaker_state());
}

std::size_t CurlHttpClient::outstanding() const { return loop_->outstanding(); }

}  // namespace lienthong::upstream
