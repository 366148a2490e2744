// What the HTTPS server (session, listener, HttpFront) asks of whatever answers its requests:
// the lookup front's Router, or the admin API's AdminRouter. One hardened server (limits,
// timeouts, pipelining, graceful stop, mTLS) serves both; only the handler differs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

class Handler {
 public:
  using Ptr = std::shared_ptr<const Handler>;
  // Builds the response; the session calls it on the connection's strand, so that encoding
  // never runs on the thread that finished the work (a worker, the audit writer, ...).
  using Deferred = std::function<Response()>;
  // Called exactly once, from any thread, when an asynchronous route has its answer.
  using Respond = std::function<void(Deferred)>;

  virtual ~Handler() = default;

  // The response when it is ready now; otherwise nullopt, and `respond` follows. `member` is
  // the TLS peer's (member_from_peer), never the request's. Runs on the connection's strand.
  virtual std::optional<Response> handle(Request& request, const std::string& request_id,
                                         const Result<Member>& member,
                                         const Respond& respond) const = 0;
};

}  // namespace lienthong::front::http
