// Reads the routing configuration and the customers file into the demo's Scenario.
#include "tools/routerdemo/scenario.h"

#include <algorithm>
#include <cctype>

#include "tools/center/customers.h"

namespace router::demo {
namespace {

using engine::Result;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Result<std::vector<KnownCustomer>> load_customers(const std::string& path,
                                                  const adapters::config::DaemonSettings& daemon) {
  std::vector<KnownCustomer> out;
  center::CustomerFileRead options;
  options.default_region = daemon.default_region;
  options.segments = daemon.segments;
  options.limit = kMaxCustomers + 1;
  options.skip_rejected = false;
  const engine::Status read =
      center::read_customer_file(path, options, [&](const adapters::channels::CustomerEntry& e) {
        const auto& r = e.record;
        out.push_back(KnownCustomer{r.customer_id, r.name,
                                    r.segment == engine::Segment::kStrategic ||
                                        std::count(r.tags.begin(), r.tags.end(), "vip") > 0,
                                    lower(r.language), e.phones, e.emails, e.web_visitors,
                                    e.web_accounts});
      });
  if (!read.ok()) return read.error();
  if (out.size() > kMaxCustomers) {
    return engine::invalid_argument(path + ": more than " + std::to_string(kMaxCustomers) +
                                    " customers");
  }
  return out;
}

}  // namespace

const char* channel_short_name(v1::Channel channel) {
  switch (channel) {
    case v1::PHONE: return "phone";
    case v1::EMAIL: return "email";
    case v1::WEB_CHAT: return "chat";
    case v1::WEB_CALLBACK: return "callback";
    default: return "?";
  }
}

Result<Scenario> load_scenario(const std::string& config_path) {
  auto model = adapters::config::load_routing_config(config_path);
  if (!model.ok()) return model.error();
  const auto& m = model.value();
  center::Center center = center::center_from_config(m);
  Scenario s;
  s.config_path = config_path;
  s.listen = m.daemon.listen;
  s.dev_no_auth = center.dev_no_auth;
  s.gateway_token = std::move(center.gateway_token);
  s.supervisor_token = std::move(center.supervisor_token);
  if (s.gateway_token.empty() && !s.dev_no_auth) {
    return engine::invalid_argument(config_path +
                                    ": auth.tokens: no GATEWAY token (routerdemo submits "
                                    "interactions as a gateway)");
  }
  s.agents = std::move(center.agents);
  s.agents_skipped = std::move(center.agents_without_token);
  s.doors = std::move(center.doors);
  s.customers_path = m.daemon.customers_file;
  if (!s.customers_path.empty()) {
    auto customers = load_customers(s.customers_path, m.daemon);
    if (!customers.ok()) return customers.error();
    s.customers = std::move(customers).value();
  }
  return s;
}

}  // namespace router::demo
