// libFuzzer target: entry-point matching against the demo center's rules
// (tools/routerd/demo/center.yaml). Input (fuzz_input.h): selector byte = channel, then the
// fields address, intent, language, '\n'-separated. The address is normalized as the host does
// before matching (a DNIS as a dialled number, a mailbox lower-cased, a web topic trimmed); a
// route that comes back must name a queue of the center and a rule of the arrival's channel.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "adapters/channels/entry_points.h"
#include "adapters/channels/normalize.h"
#include "adapters/config/routing_config.h"
#include "fuzz_input.h"

namespace channels = router::adapters::channels;
namespace engine = router::engine;

namespace {

struct Center {
  router::adapters::config::RoutingModel model;
  channels::PhoneNormalizer phones;
  channels::EntryPointTable table;
};

const Center& demo_center() {
  static const Center* center = [] {
    auto model = router::adapters::config::load_routing_config(ROUTER_FUZZ_DEMO_CONFIG);
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.error().message.c_str());
      std::abort();
    }
    auto phones = channels::PhoneNormalizer::make(model.value().daemon.default_region);
    if (!phones.ok()) std::abort();
    auto table = channels::EntryPointTable::build(model.value().proto, model.value(),
                                                  phones.value(), "center.yaml");
    if (!table.ok()) {
      std::fprintf(stderr, "%s\n", table.error().message.c_str());
      std::abort();
    }
    return new Center{std::move(model).value(), phones.value(), std::move(table).value()};
  }();
  return *center;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Center& center = demo_center();
  const auto in = router::fuzz::split_input(data, size);
  channels::Arrival arrival;
  arrival.channel = static_cast<engine::Channel>(in.selector % engine::kChannelCount);
  const std::string_view raw_address = in.field(0);
  if (!raw_address.empty()) {
    switch (arrival.channel) {
      case engine::Channel::kPhone: {
        auto dnis = center.phones.to_dialled_number(raw_address);
        if (!dnis.ok()) return 0;  // the host refuses the submit (phone.dnis)
        arrival.address = dnis.value();
        break;
      }
      case engine::Channel::kEmail: {
        auto mailbox = channels::normalize_email(raw_address);
        if (!mailbox.ok()) return 0;
        arrival.address = mailbox.value();
        break;
      }
      default: arrival.address = channels::to_lower_ascii(channels::trim_ascii(raw_address)); break;
    }
  }
  arrival.intent = std::string(channels::trim_ascii(in.field(1)));
  arrival.language = channels::to_lower_ascii(channels::trim_ascii(in.field(2)));

  const auto route = center.table.match(arrival);
  if (!route) return 0;
  const auto& rules = center.model.proto.entry_points();
  if (route->rule_index < 0 || route->rule_index >= rules.size()) std::abort();
  if (route->queue.value() >= center.model.queues.size()) std::abort();
  if (route->priority_bonus < 0 || route->priority_bonus > 100) std::abort();
  return 0;
}
