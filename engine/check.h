// Invariant checks for the engine. ROUTER_CHECK stays on in release builds (TigerBeetle's
// habit): a broken invariant in a router is a bug that must stop the process, not silently
// misroute. It prints the file, line and condition to stderr and calls std::abort().
// ROUTER_DCHECK is for checks too costly for release (O(n) recounts): on only without NDEBUG.
// Never check what came from outside with these: that gets a validation error naming the field.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace router::engine {

[[noreturn]] [[gnu::cold]] inline void check_failed(const char* condition, const char* message,
                                                    const char* file, int line) noexcept {
  if (message != nullptr) {
    std::fprintf(stderr, "router: invariant failed: %s (%s) at %s:%d\n", condition, message, file,
                 line);
  } else {
    std::fprintf(stderr, "router: invariant failed: %s at %s:%d\n", condition, file, line);
  }
  std::abort();
}

}  // namespace router::engine

#define ROUTER_CHECK(cond)                                                \
  do {                                                                    \
    if (!(cond)) [[unlikely]] {                                           \
      ::router::engine::check_failed(#cond, nullptr, __FILE__, __LINE__); \
    }                                                                     \
  } while (0)

// `msg` is a C string saying what the condition protects.
#define ROUTER_CHECK_MSG(cond, msg)                                     \
  do {                                                                  \
    if (!(cond)) [[unlikely]] {                                         \
      ::router::engine::check_failed(#cond, (msg), __FILE__, __LINE__); \
    }                                                                   \
  } while (0)

#ifdef NDEBUG
// Compiled (so it cannot rot) but never evaluated.
#define ROUTER_DCHECK(cond) \
  do {                      \
    (void)sizeof(!(cond));  \
  } while (0)
#else
#define ROUTER_DCHECK(cond) ROUTER_CHECK(cond)
#endif
