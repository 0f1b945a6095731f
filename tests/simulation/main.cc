// Catch2's runner for the host simulation, with spdlog silenced: the host logs every submit,
// offer and recovery, which over a thousand seeds would bury a failure's report.
// ROUTER_HOST_SIM_LOG=1 keeps the host's log (with ROUTER_HOST_SIM_SEED, to read one run).
#define CATCH_CONFIG_RUNNER
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

int main(int argc, char* argv[]) {
  const char* log = std::getenv("ROUTER_HOST_SIM_LOG");
  if (log == nullptr || std::string(log) != "1") spdlog::set_level(spdlog::level::off);
  return Catch::Session().run(argc, argv);
}
