// The io thread the Redis integration tests run their clients on (adapters/redis/client.h: one
// thread runs the io_context), and the polling wait they share.
// Threading: start() and finish() from the test's thread; finish() after the clients were
// stopped (it runs what they posted, then stops the io_context and joins).
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace router::it {

struct IoThread {
  void start() {
    thread = std::thread([this] { io.run(); });
  }
  void finish() {
    work.reset();
    std::promise<void> flushed;
    asio::post(io, [&] { flushed.set_value(); });
    flushed.get_future().wait_for(std::chrono::seconds(2));
    io.stop();
    if (thread.joinable()) thread.join();
  }
  // Polls `condition` every `every` until it holds (true) or `limit` passes (false).
  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds limit = std::chrono::seconds(10),
                         std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(every);
    }
    return true;
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;
};

}  // namespace router::it
