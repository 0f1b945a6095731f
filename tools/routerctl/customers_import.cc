// `routerctl customers import`: flags and config → ImportTarget, the progress line, the summary.
#include "tools/routerctl/customers_import.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <utility>

#include "adapters/channels/customer_file.h"
#include "adapters/channels/normalize.h"
#include "adapters/config/routing_config.h"
#include "adapters/redis/sentinel.h"

namespace router::ctl {
namespace {

namespace redis = adapters::redis;
namespace channels = adapters::channels;
using Clock = std::chrono::steady_clock;

constexpr auto kRedrawEvery = std::chrono::milliseconds(200);  // ≤ 5 redraws a second
constexpr int kLinePercentStep = 10;

// "host:port" or "[v6]:port" → target.host, target.port.
bool parse_address(const std::string& address, redis::ImportTarget& target) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  const auto [p, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || p != end || port < 1 || port > 65535) return false;
  target.host = std::move(host);
  target.port = port;
  return true;
}

std::string seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", std::chrono::duration<double>(d).count());
  return buf;
}

// Draws progress on a terminal ('\r', throttled) or as lines (every 10% of the file).
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool tty, std::string source)
      : err_(err), tty_(tty), source_(std::move(source)) {}

  void update(const redis::ImportProgress& p) {
    const int percent =
        p.total_bytes == 0 ? 100 : static_cast<int>(100 * p.bytes_read / p.total_bytes);
    if (tty_) {
      const Clock::time_point now = Clock::now();
      if (drawn_ && now - last_ < kRedrawEvery) return;
      last_ = now;
      drawn_ = true;
      err_ << "\r\033[K" << line(p, percent) << std::flush;
    } else if (percent >= next_percent_ && percent < 100) {
      next_percent_ = (percent / kLinePercentStep + 1) * kLinePercentStep;
      err_ << line(p, percent) << '\n' << std::flush;
    }
  }

  // Clears the terminal line before the summary.
  void finish() {
    if (tty_ && drawn_) err_ << "\r\033[K" << std::flush;
  }

 private:
  std::string line(const redis::ImportProgress& p, int percent) const {
    const double s = std::chrono::duration<double>(p.elapsed).count();
    const auto rate = s > 0 ? static_cast<uint64_t>(static_cast<double>(p.records) / s) : 0;
    return "importing " + source_ + ": " + std::to_string(percent) + "%, " +
           group_thousands(p.records) + " records, " + group_thousands(p.loaded) + " loaded, " +
           group_thousands(p.skipped) + " skipped, " + group_thousands(rate) + " records/s";
  }

  std::ostream& err_;
  bool tty_;
  std::string source_;
  bool drawn_ = false;
  Clock::time_point last_;
  int next_percent_ = kLinePercentStep;
};

}  // namespace

std::string group_thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string render_import_summary(const redis::ImportSummary& summary, size_t max_reasons) {
  std::string out =
      "loaded " + group_thousands(summary.loaded) + ", skipped " + group_thousands(summary.skipped);
  const bool inline_reason = summary.skipped == 1 && summary.reasons.size() == 1;
  if (inline_reason) out += " (" + summary.reasons.front() + ")";
  out += ", " + group_thousands(static_cast<uint64_t>(summary.records_per_s())) + " records/s in " +
         seconds(summary.elapsed) + "\n";
  if (!inline_reason) {
    const size_t shown = std::min(max_reasons, summary.reasons.size());
    for (size_t i = 0; i < shown; ++i) out += "  " + summary.reasons[i] + "\n";
    if (summary.skipped > shown) {
      out += "  … and " + group_thousands(summary.skipped - shown) + " more\n";
    }
  }
  if (summary.file_error) {
    out += "stopped reading: " + summary.file_error->message + " (the rest was not loaded)\n";
  }
  if (!summary.redis_status.ok()) {
    out += "stopped: " + std::string(summary.redis_status.message()) + "\n";
  }
  return out;
}

int run_customers_import(const CustomersImportFlags& flags, std::ostream& out, std::ostream& err,
                         bool err_is_tty) {
  const auto fail = [&err](const std::string& message) {
    err << "routerctl customers import: " << message << '\n';
    return kImportFailed;
  };

  redis::ImportTarget target;
  std::string region = "US";
  channels::CustomerFileOptions file_options;
  if (!flags.config.empty()) {
    auto model = adapters::config::load_routing_config(flags.config);
    if (!model.ok()) return fail("cannot use the config: " + model.error().message);
    if (!model->redis) {
      return fail(flags.config + " has no redis section (give --redis instead of --config)");
    }
    const auto& r = *model->redis;
    target.host = r.host;
    target.port = r.port;
    if (!r.sentinels.empty() && !flags.redis_given) {
      // Redis under Sentinel: the import goes to the primary the sentinels name now.
      redis::SentinelOptions sentinel{.sentinels = r.sentinels,
                                      .master = r.sentinel_master,
                                      .password = r.sentinel_password,
                                      .timeout = r.connect_timeout};
      auto primary = redis::ask_primary_blocking(sentinel);
      if (!primary.ok()) return fail(std::string(primary.status().message()));
      target.host = primary->host;
      target.port = primary->port;
    }
    target.database = r.database;
    target.password = r.password;
    target.key_prefix = r.key_prefix;
    target.connect_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(r.connect_timeout);
    region = model->daemon.default_region;
    file_options.segments = model->daemon.segments;
  }
  if (flags.config.empty() || flags.redis_given) {
    if (!parse_address(flags.redis, target)) {
      return fail("--redis: expected HOST:PORT, got '" + flags.redis + "'");
    }
  }
  if (flags.config.empty() || flags.db_given) target.database = flags.db;
  if (flags.config.empty() || flags.prefix_given) target.key_prefix = flags.prefix;
  if (flags.config.empty() || flags.region_given) region = flags.region;
  if (!flags.password_env.empty()) {
    const char* password = std::getenv(flags.password_env.c_str());
    if (password == nullptr) {
      return fail("--password-env: environment variable " + flags.password_env + " is not set");
    }
    target.password = password;
  }

  auto phones = channels::PhoneNormalizer::make(region);
  if (!phones.ok()) return fail("--region: " + phones.error().message);
  auto reader = channels::CustomerFileReader::open(flags.file, *phones, file_options);
  if (!reader.ok()) return fail("cannot read the file: " + reader.error().message);

  auto importer = redis::CustomerImporter::connect(target);
  if (!importer.ok()) return fail(std::string(importer.status().message()));

  ProgressLine progress(err, err_is_tty, (*reader)->source());
  redis::ImportOptions options;
  options.batch = flags.batch;
  const redis::ImportSummary summary = (*importer)->run(
      **reader, [&progress](const redis::ImportProgress& p) { progress.update(p); }, options);
  progress.finish();
  out << render_import_summary(summary) << std::flush;
  if (summary.file_error || !summary.redis_status.ok()) return kImportFailed;
  return summary.skipped == 0 ? kImportAllLoaded : kImportSomeSkipped;
}

}  // namespace router::ctl
