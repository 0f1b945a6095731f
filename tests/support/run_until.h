// Drives an io_context from the test thread until a condition holds, against a deadline: how
// the Redis tests wait for replies without sleeping and hoping. Not thread-safe: the test
// thread is the only one running `io`.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <thread>

namespace router::it {

// Runs `io` until `done` holds or `limit` passes; false on timeout.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (io.stopped()) io.restart();
    if (io.run_for(std::chrono::milliseconds(10)) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return true;
}

}  // namespace router::it
