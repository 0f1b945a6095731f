// Interval reports (docs/operations.md, "Interval reports"): what each engine event adds to the
// counters of its interval, the periodic store of what was gathered, and GetReport.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "adapters/host/routing_host.h"
#include "adapters/host/translate.h"
#include "engine/log_text.h"

namespace router::adapters::host {

namespace {

// The recorder's name for an agent state (its "<state>_ms" counter); "" for LOGGED_OUT.
std::string state_word(engine::AgentState s) {
  switch (s) {
    case engine::AgentState::kLoggedOut: return "";
    case engine::AgentState::kNotReady: return "not_ready";
    case engine::AgentState::kReady: return "ready";
    case engine::AgentState::kReserved: return "reserved";
    case engine::AgentState::kBusy: return "busy";
    case engine::AgentState::kWrapUp: return "wrap_up";
  }
  return "";
}

int64_t to_ms(engine::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

int64_t timestamp_ms(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

double ratio(int64_t num, int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
}

// One counter into its row's field.
void apply(v1::ReportRow& row, const std::string& metric, int64_t n) {
  static const std::map<std::string, void (*)(v1::ReportRow&, int64_t)> kCounts = {
      {"offered", [](v1::ReportRow& r, int64_t v) { r.set_offered(r.offered() + v); }},
      {"answered", [](v1::ReportRow& r, int64_t v) { r.set_answered(r.answered() + v); }},
      {"answered_in_target",
       [](v1::ReportRow& r, int64_t v) { r.set_answered_in_target(r.answered_in_target() + v); }},
      {"abandoned", [](v1::ReportRow& r, int64_t v) { r.set_abandoned(r.abandoned() + v); }},
      {"short_abandoned",
       [](v1::ReportRow& r, int64_t v) { r.set_short_abandoned(r.short_abandoned() + v); }},
      {"expired", [](v1::ReportRow& r, int64_t v) { r.set_expired(r.expired() + v); }},
      {"overflowed", [](v1::ReportRow& r, int64_t v) { r.set_overflowed(r.overflowed() + v); }},
      {"rejected", [](v1::ReportRow& r, int64_t v) { r.set_rejected(r.rejected() + v); }},
      {"missed", [](v1::ReportRow& r, int64_t v) { r.set_missed(r.missed() + v); }},
      {"handled", [](v1::ReportRow& r, int64_t v) { r.set_handled(r.handled() + v); }},
      {"handle_ms", [](v1::ReportRow& r, int64_t v) { r.set_handle_ms(r.handle_ms() + v); }},
      {"answer_wait_ms",
       [](v1::ReportRow& r, int64_t v) { r.set_answer_wait_ms(r.answer_wait_ms() + v); }},
      {"ready_ms", [](v1::ReportRow& r, int64_t v) { r.set_ready_s(r.ready_s() + v / 1000.0); }},
      {"reserved_ms",
       [](v1::ReportRow& r, int64_t v) { r.set_reserved_s(r.reserved_s() + v / 1000.0); }},
      {"busy_ms", [](v1::ReportRow& r, int64_t v) { r.set_busy_s(r.busy_s() + v / 1000.0); }},
      {"wrap_up_ms",
       [](v1::ReportRow& r, int64_t v) { r.set_wrap_up_s(r.wrap_up_s() + v / 1000.0); }},
      {"not_ready_ms",
       [](v1::ReportRow& r, int64_t v) { r.set_not_ready_s(r.not_ready_s() + v / 1000.0); }},
  };
  if (auto f = kCounts.find(metric); f != kCounts.end()) return f->second(row, n);
  if (metric.rfind("code=", 0) == 0) {
    (*row.mutable_codes())[metric.substr(5)] += n;
  } else if (metric.rfind("not_ready_ms=", 0) == 0) {
    (*row.mutable_not_ready_by_reason_s())[metric.substr(13)] += n / 1000.0;
  }
  // Anything else: a counter a newer routerd wrote; not shown by this one.
}

void finish_row(v1::ReportRow& r) {
  const int64_t base = r.answered() + r.abandoned();
  r.set_service_level(base > 0 ? ratio(r.answered_in_target(), base) : 1.0);
  r.set_abandon_rate(ratio(r.abandoned(), base));
  r.set_asa_s(ratio(r.answer_wait_ms(), r.answered()) / 1000.0);
  r.set_aht_s(ratio(r.handle_ms(), r.handled()) / 1000.0);
  const double worked = r.busy_s() + r.wrap_up_s();
  const double available = worked + r.ready_s() + r.reserved_s();
  r.set_occupancy(available > 0 ? worked / available : 0.0);
}

}  // namespace

int64_t RoutingHost::wall_ms(engine::TimePoint t) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall(t).time_since_epoch())
      .count();
}

void RoutingHost::record_report(const engine::Event& event) {
  const int64_t at = wall_ms(event.at);
  const auto queue = [this](engine::QueueId q) -> const std::string& {
    return model_.queues[q.value()].name;
  };
  IntervalRecorder& r = recorder_;
  if (const auto* e = std::get_if<engine::QueuedEvent>(&event.body)) {
    if (!e->recovered) r.count(at, 'q', "offered", queue(e->queue));
    // Sent on at once by its arrival rules: offered to the first queue, overflowed from it.
    if (e->redirected_from.valid()) {
      r.count(at, 'q', "offered", queue(e->redirected_from));
      r.count(at, 'q', "overflowed", queue(e->redirected_from));
    }
  } else if (const auto* e = std::get_if<engine::OfferedEvent>(&event.body)) {
    r.count(at, 'a', "offered", agent_name(e->agent));
  } else if (const auto* e = std::get_if<engine::AssignedEvent>(&event.body)) {
    const std::string& q = queue(e->queue);
    r.count(at, 'q', "answered", q);
    if (e->within_target) r.count(at, 'q', "answered_in_target", q);
    r.count(at, 'q', "answer_wait_ms", q, to_ms(e->waited));
    r.count(at, 'a', "answered", agent_name(e->agent));
  } else if (const auto* e = std::get_if<engine::RequeuedEvent>(&event.body)) {
    if (e->reason == engine::RequeueReason::kRejected) {
      r.count(at, 'a', "rejected", agent_name(e->agent));
    } else if (e->reason == engine::RequeueReason::kOfferTimeout) {
      r.count(at, 'a', "missed", agent_name(e->agent));
    }
  } else if (const auto* e = std::get_if<engine::AbandonedEvent>(&event.body)) {
    // A scheduled work item cancelled before its time never came to its queue.
    if (!e->before_queued) {
      r.count(at, 'q', e->short_abandon ? "short_abandoned" : "abandoned", queue(e->queue));
    }
  } else if (const auto* e = std::get_if<engine::ExpiredEvent>(&event.body)) {
    r.count(at, 'q', "expired", queue(e->queue));
  } else if (const auto* e = std::get_if<engine::OverflowedEvent>(&event.body)) {
    r.count(at, 'q', "overflowed", queue(e->from));
    r.count(at, 'q', "offered", queue(e->to));
  } else if (const auto* e = std::get_if<engine::MovedEvent>(&event.body)) {
    r.count(at, 'q', "overflowed", queue(e->from));
    r.count(at, 'q', "offered", queue(e->to));
  } else if (const auto* e = std::get_if<engine::CompletedEvent>(&event.body)) {
    const std::string& q = queue(e->queue);
    const std::string agent = agent_name(e->agent);
    const int64_t handle = to_ms(e->handled);
    r.count(at, 'q', "handled", q);
    r.count(at, 'q', "handle_ms", q, handle);
    r.count(at, 'a', "handled", agent);
    r.count(at, 'a', "handle_ms", agent, handle);
    auto t = tracked_.find(e->interaction.value());
    if (t != tracked_.end() && !t->second.proto.wrap_up_code().empty()) {
      const std::string code = "code=" + t->second.proto.wrap_up_code();
      r.count(at, 'q', code, q);
      r.count(at, 'a', code, agent);
    }
  } else if (const auto* e = std::get_if<engine::AgentStateChangedEvent>(&event.body)) {
    r.agent_state(at, agent_name(e->agent), state_word(e->to), e->reason);
  }
}

void RoutingHost::arm_report_timer() {
  if (reports_ == nullptr || stopped_) return;
  report_timer_ = clock_.start_timer(kReportStoreEvery, [this] {
    store_reports(nullptr);
    arm_report_timer();
  });
}

void RoutingHost::store_reports(std::function<void(absl::Status)> then) {
  if (then) report_waiters_.push_back(std::move(then));
  if (report_storing_) return;  // its completion starts the next add for the waiters
  const int64_t now = wall_ms(clock_.now());
  // Agents logged in before this host saw them change (a takeover, a restart's recovery, a
  // login before the store was wired): their time counts from now.
  for (size_t i = 0; i < router_->agent_count(); ++i) {
    const engine::AgentId id(static_cast<uint32_t>(i));
    auto a = router_->agent(id, clock_.now());
    if (!a.ok() || a.value().state == engine::AgentState::kLoggedOut) continue;
    if (!recorder_.tracks(a.value().name)) {
      recorder_.agent_state(now, a.value().name, state_word(a.value().state),
                            a.value().not_ready_reason);
    }
  }
  auto waiters = std::move(report_waiters_);
  report_waiters_.clear();
  auto deltas = recorder_.take(now);
  if (deltas.empty()) {
    for (auto& w : waiters) w(absl::OkStatus());
    return;
  }
  report_storing_ = true;
  auto copy = deltas;
  reports_->add(std::move(copy), [this, deltas = std::move(deltas),
                                  waiters = std::move(waiters)](absl::Status s) mutable {
    post([this, s = std::move(s), deltas = std::move(deltas),
          waiters = std::move(waiters)]() mutable {
      report_storing_ = false;
      if (!s.ok()) {
        // Kept and added again at the next store (up to a day of intervals; older are dropped).
        const size_t intervals = deltas.size();
        recorder_.give_back(std::move(deltas));
        spdlog::warn("event=report_unstored intervals={} dropped_total={} error={}", intervals,
                     recorder_.dropped_intervals(), engine::log_text(std::string(s.message())));
      }
      for (auto& w : waiters) w(s);
      if (!report_waiters_.empty()) store_reports(nullptr);
    });
  });
}

void RoutingHost::store_reports_now(std::function<void(absl::Status)> done) {
  if (reports_ == nullptr || stopped_) return done(absl::OkStatus());
  store_reports(std::move(done));
}

void RoutingHost::report(const v1::GetReportRequest& request, v1::GetReportResponse* out,
                         std::function<void(absl::Status)> done) {
  const int64_t length = recorder_.length_ms();
  out->set_length_s(static_cast<uint32_t>(length / 1000));
  if (reports_ == nullptr) {
    return done(absl::FailedPreconditionError("interval reports are not kept by this routerd"));
  }
  if (!request.has_from()) return done(absl::InvalidArgumentError("from: required"));
  ports::IntervalQuery query;
  query.from_ms = recorder_.interval_of(timestamp_ms(request.from()));
  query.to_ms = request.has_to() ? timestamp_ms(request.to()) : wall_ms(clock_.now()) + 1;
  if (query.to_ms <= timestamp_ms(request.from())) {
    return done(absl::InvalidArgumentError("to: must be after from"));
  }
  if ((query.to_ms - query.from_ms) / length > 10'000) {
    return done(absl::InvalidArgumentError("to: at most 10000 intervals of " +
                                           std::to_string(length / 1000) + " s after from"));
  }
  if (!request.queue().empty() && !request.agent().empty()) {
    return done(absl::InvalidArgumentError("agent: give a queue or an agent, not both"));
  }
  if (!request.queue().empty()) {
    engine::QueueId q;
    if (absl::Status s = find_queue(request.queue(), "queue", q); !s.ok()) return done(s);
    query.scope = 'q';
    query.name = request.queue();
  } else if (!request.agent().empty()) {
    engine::AgentId a;
    if (absl::Status s = find_agent(request.agent(), a); !s.ok()) return done(s);
    query.scope = 'a';
    query.name = request.agent();
  }
  store_reports([this, query, out, done = std::move(done)](absl::Status) mutable {
    // Stored or not, what the store has is read: a store that refused the add refuses the read
    // too, and the caller hears why.
    reports_->read(query, [out, done = std::move(done)](
                              absl::StatusOr<std::vector<ports::IntervalCounters>> r) {
      if (!r.ok()) {
        return done(absl::UnavailableError("reports could not be read: " +
                                           std::string(r.status().message())));
      }
      std::map<std::tuple<int64_t, int, std::string>, v1::ReportRow> rows;
      for (const auto& c : *r) {
        for (const auto& [field, n] : c.fields) {
          char scope = 0;
          std::string metric, name;
          if (!ports::split_interval_field(field, scope, metric, name)) continue;
          if (scope != 'q' && scope != 'a') continue;
          auto& row = rows[{c.start_ms, scope == 'q' ? 0 : 1, name}];
          if (row.name().empty()) {
            row.mutable_start()->set_seconds(c.start_ms / 1000);
            row.mutable_start()->set_nanos(static_cast<int32_t>(c.start_ms % 1000) * 1'000'000);
            row.set_length_s(static_cast<uint32_t>(c.length_ms / 1000));
            row.set_scope(scope == 'q' ? "queue" : "agent");
            row.set_name(name);
          }
          apply(row, metric, n);
        }
      }
      for (auto& [key, row] : rows) {
        finish_row(row);
        *out->add_rows() = std::move(row);
      }
      done(absl::OkStatus());
    });
  });
}

}  // namespace router::adapters::host
