// Memory of a large center: builds 15,000 agents and 500,000 waiting interactions (the
// benchmark's generator, scenario kAgentFreed, indexed) and prints peak RSS and the router's
// RSS delta from /proc/self/status. Usage: engine_memory [agents waiting [arrival]]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bench/workload.h"

namespace {

// A "VmXxx:   1234 kB" line of /proc/self/status, in KiB; -1 when absent.
long status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

}  // namespace

int main(int argc, char** argv) {
  using router::bench::Center;
  using router::bench::Scenario;
  router::bench::CenterSize size{15'000, 500'000};
  if (argc >= 3) {
    size.agents = std::strtoul(argv[1], nullptr, 10);
    size.waiting = std::strtoul(argv[2], nullptr, 10);
  }
  const Scenario scenario =
      argc >= 4 && std::string(argv[3]) == "arrival" ? Scenario::kArrival : Scenario::kAgentFreed;

  const long rss_before = status_kib("VmRSS");
  const auto start = std::chrono::steady_clock::now();
  Center center(scenario, size, router::engine::MatchMode::kIndexed);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long rss_after = status_kib("VmRSS");
  const long hwm = status_kib("VmHWM");

  std::printf("scenario            %s\n",
              scenario == Scenario::kArrival ? "arrival" : "agent_freed");
  std::printf("agents              %zu\n", center.router().agent_count());
  std::printf("live interactions   %zu\n", center.router().live_count());
  std::printf("build time          %.1f s\n", build_s);
  std::printf("RSS before router   %.1f MiB\n", mib(rss_before));
  std::printf("RSS after router    %.1f MiB\n", mib(rss_after));
  std::printf("router RSS delta    %.1f MiB (%.0f bytes per waiting interaction, all included)\n",
              mib(rss_after - rss_before),
              size.waiting ? 1024.0 * static_cast<double>(rss_after - rss_before) /
                                 static_cast<double>(size.waiting)
                           : 0.0);
  std::printf("peak RSS (VmHWM)    %.1f MiB\n", mib(hwm));
  std::printf("target              peak <= 2048 MiB: %s\n",
              mib(hwm) <= 2048.0 ? "holds" : "MISSED");
  return 0;
}
