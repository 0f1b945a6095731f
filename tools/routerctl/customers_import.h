// `routerctl customers import FILE`: loads a customer file (JSON Lines or CSV) into Redis under
// keys.h's schema, through adapters/redis's CustomerImporter. Talks to Redis, not to routerd.
// The pieces are here rather than in main.cc so the summary and flag handling can be tested.
// Not thread-safe: one call at a time (main.cc's).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "adapters/redis/customer_writer.h"

namespace router::ctl {

// Exit status of `customers import`.
inline constexpr int kImportAllLoaded = 0;
inline constexpr int kImportSomeSkipped = 1;  // some records were skipped (the summary says why)
inline constexpr int kImportFailed = 2;       // Redis unreachable, file or config unreadable

struct CustomersImportFlags {
  std::string file;
  std::string config;  // a routing config: its redis section and daemon.default_region
  // Each value below overrides the config's when its *_given is set (the flag was on the
  // command line); without --config, the defaults apply.
  std::string redis = "127.0.0.1:6379";
  bool redis_given = false;
  int db = 0;
  bool db_given = false;
  std::string password_env;  // the variable holding the password; empty: the config's, or none
  std::string prefix = "router:";
  bool prefix_given = false;
  std::string region = "US";
  bool region_given = false;
  size_t batch = 500;
};

// Runs the import: progress on `err` (redrawn with '\r' at most 5 times a second when
// `err_is_tty`, else one line per 10% of the file), then the summary on `out`; failures on
// `err`. Returns one of the kImport* codes.
int run_customers_import(const CustomersImportFlags& flags, std::ostream& out, std::ostream& err,
                         bool err_is_tty);

// "loaded 299, skipped 1 (customers.csv:17: phone: not a phone number: \"12\"), 12,345
// records/s in 0.0s" — several skips listed one a line below, at most `max_reasons`, then
// "… and N more". Ends with a newline.
std::string render_import_summary(const adapters::redis::ImportSummary& summary,
                                  size_t max_reasons = 20);

// 1234567 → "1,234,567".
std::string group_thousands(uint64_t n);

}  // namespace router::ctl
