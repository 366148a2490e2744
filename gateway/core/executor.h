// Where continuations run. Upstream completions arrive on the HTTP client's thread and audit
// completions on the audit writer's; both hand CPU work (signature checks, response signing)
// back to the gateway's worker pool through this interface, so no thread waits on the network.
#pragma once

#include <functional>
#include <memory>

namespace lienthong {

class Executor {
 public:
  using Ptr = std::shared_ptr<Executor>;
  virtual ~Executor() = default;
  virtual void post(std::function<void()> task) = 0;
};

// Runs the task on the calling thread: unit tests, and the CLI.
class InlineExecutor final : public Executor {
 public:
  void post(std::function<void()> task) override { task(); }
};

}  // namespace lienthong
