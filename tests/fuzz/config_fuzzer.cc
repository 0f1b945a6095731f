// libFuzzer target: the routing configuration loader. The input is a configuration file's text
// (YAML, or JSON, which is YAML too) as routerd --check, start-up, SIGHUP and ReloadConfig read
// it. A file the loader accepts must also build a Router (build_router), as routerd then does.
// What counts as a finding: a crash, a sanitizer report, a leak, or the loader running out of
// time or memory on a small file (libFuzzer's -timeout and -rss_limit_mb).
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/config/routing_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto model = router::adapters::config::parse_routing_config(text, "fuzz.yaml");
  if (!model.ok()) return 0;
  auto router = router::adapters::config::build_router(model.value());
  (void)router.ok();
  return 0;
}
