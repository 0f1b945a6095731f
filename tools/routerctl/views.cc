// routerctl's views: API responses as tables, field blocks, event lines or JSON.
#include "tools/routerctl/views.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "tools/routerctl/rpc_error.h"
#include "tools/routerctl/table.h"

namespace router::ctl {

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kNone = "-";

// "field  value" lines with the values aligned; empty values are left out.
std::string render_fields(const Fields& fields) {
  std::size_t width = 0;
  for (const auto& [name, value] : fields) {
    if (!value.empty()) width = std::max(width, display_width(name));
  }
  std::string out;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    out += name;
    out.append(width - display_width(name) + 2, ' ');
    out += value;
    out += '\n';
  }
  return out;
}

std::string join(const auto& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string or_dash(const std::string& text) { return text.empty() ? std::string(kNone) : text; }

std::string number(double value, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// agents_by_state keys as routerd may spell them ("READY", "ready", "AGENT_WRAP_UP",
// "wrap-up") folded to the API's names without the proto prefix ("WRAP_UP").
std::string normalize_state_key(std::string key) {
  for (char& c : key) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  constexpr std::string_view kPrefix = "AGENT_";
  if (key.starts_with(kPrefix) && key != "AGENT_STATE_UNSPECIFIED") {
    key.erase(0, kPrefix.size());
  }
  return key;
}

int agents_in_state(const v1::QueueStats& stats, std::string_view state) {
  int count = 0;
  for (const auto& [key, n] : stats.agents_by_state()) {
    if (normalize_state_key(key) == state) count += n;
  }
  return count;
}

std::string customer_summary(const v1::Customer& customer) {
  if (customer.customer_id().empty()) return "anonymous";
  std::string out = customer.customer_id();
  if (!customer.name().empty()) out += " " + customer.name();
  std::vector<std::string> notes;
  if (customer.segment() != v1::SEGMENT_UNSPECIFIED)
    notes.push_back(segment_name(customer.segment()));
  if (customer.lifetime_value() != 0)
    notes.push_back("LTV " + number(customer.lifetime_value(), "%.0f"));
  if (!customer.language().empty()) notes.push_back("language " + customer.language());
  if (!customer.matched_by().empty()) notes.push_back("matched by " + customer.matched_by());
  if (!customer.preferred_agent().empty()) {
    notes.push_back("preferred agent " + customer.preferred_agent());
  }
  if (!customer.last_agent().empty()) notes.push_back("last agent " + customer.last_agent());
  if (!notes.empty()) out += " (" + join(notes, ", ") + ")";
  return out;
}

std::string details_summary(const v1::Interaction& interaction) {
  std::vector<std::string> parts;
  auto add = [&parts](const char* name, const std::string& value) {
    if (!value.empty()) parts.push_back(std::string(name) + " " + value);
  };
  switch (interaction.details_case()) {
    case v1::Interaction::kPhone: {
      const auto& phone = interaction.phone();
      add("ani", phone.ani());
      add("dnis", phone.dnis());
      add("ivr path", phone.ivr_path());
      add("digits", phone.ivr_digits());
      add("language", phone.language());
      break;
    }
    case v1::Interaction::kEmail: {
      const auto& email = interaction.email();
      add("from", email.from());
      add("to", email.to_mailbox());
      if (!email.subject().empty()) parts.push_back("subject \"" + email.subject() + "\"");
      add("message-id", email.message_id());
      add("in-reply-to", email.in_reply_to());
      if (email.references_size() > 0) add("references", join(email.references(), " "));
      break;
    }
    case v1::Interaction::kWeb: {
      const auto& web = interaction.web();
      add("visitor", web.visitor_id());
      add("account", web.account_id());
      add("page", web.page_url());
      add("topic", web.topic());
      add("callback", web.callback_number());
      break;
    }
    case v1::Interaction::kWorkItem: {
      const auto& item = interaction.work_item();
      std::string type = v1::WorkItemDetails::Type_Name(item.type());
      for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      add("type", type);
      add("customer", item.customer_id());
      add("owner", item.owner());
      if (!item.subject().empty()) parts.push_back("subject \"" + item.subject() + "\"");
      if (item.has_not_before()) add("not before", format_clock(item.not_before()));
      if (item.has_due()) add("due", format_clock(item.due()));
      add("callback", item.callback_number());
      break;
    }
    case v1::Interaction::DETAILS_NOT_SET: break;
  }
  return join(parts, ", ");
}

std::string sorted_attributes(const google::protobuf::Map<std::string, std::string>& attributes) {
  const std::map<std::string, std::string> sorted(attributes.begin(), attributes.end());
  std::string out;
  for (const auto& [key, value] : sorted) {
    if (!out.empty()) out += ", ";
    out.append(key).append("=").append(value);
  }
  return out;
}

}  // namespace

std::string render_queue_stats(const v1::GetQueueStatsResponse& response) {
  Table table({{"QUEUE"},
               {"WAITING", Align::kRight},
               {"OFFERED", Align::kRight},
               {"LONGEST", Align::kRight},
               {"EWT", Align::kRight},
               {"SL", Align::kRight},
               {"ASA", Align::kRight},
               {"AHT", Align::kRight},
               {"ABANDON", Align::kRight},
               {"ANSWERED", Align::kRight},
               {"ABANDONED", Align::kRight},
               {"READY", Align::kRight},
               {"BUSY", Align::kRight},
               {"WRAP", Align::kRight},
               {"NOT_READY", Align::kRight}});
  for (const auto& q : response.queues()) {
    const bool has_outcomes = q.answered() + q.abandoned() + q.expired() > 0;
    // A closed queue says so by its name (docs/routing.md, "Opening hours").
    table.add_row({q.closed() ? q.queue() + " (closed)" : q.queue(), std::to_string(q.waiting()),
                   std::to_string(q.offered_now()),
                   q.waiting() > 0 ? format_duration(q.longest_wait_s()) : std::string(kNone),
                   format_duration(q.ewt_new_s()),
                   has_outcomes ? format_percent(q.service_level()) : std::string(kNone),
                   q.answered() > 0 ? format_duration(q.asa_s()) : std::string(kNone),
                   q.completed() > 0 ? format_duration(q.aht_s()) : std::string(kNone),
                   has_outcomes ? format_percent(q.abandon_rate()) : std::string(kNone),
                   std::to_string(q.answered()), std::to_string(q.abandoned()),
                   std::to_string(agents_in_state(q, "READY")),
                   std::to_string(agents_in_state(q, "BUSY")),
                   std::to_string(agents_in_state(q, "WRAP_UP")),
                   std::to_string(agents_in_state(q, "NOT_READY"))});
  }
  if (table.row_count() == 0) return "no queues\n";
  return table.render();
}

std::string render_agent_totals(const v1::ListAgentsResponse& response) {
  constexpr std::array kOrder = {v1::READY,         v1::RESERVED,  v1::BUSY,
                                 v1::AGENT_WRAP_UP, v1::NOT_READY, v1::LOGGED_OUT};
  std::map<int, int> counts;
  for (const auto& agent : response.agents()) ++counts[agent.state()];
  std::vector<std::string> parts;
  for (const auto state : kOrder) {
    if (counts[state] > 0)
      parts.push_back(std::to_string(counts[state]) + " " + agent_state_name(state));
  }
  for (const auto& [state, n] : counts) {  // states this routerctl does not know yet
    if (std::find(kOrder.begin(), kOrder.end(), state) == kOrder.end() && n > 0) {
      parts.push_back(std::to_string(n) + " " +
                      agent_state_name(static_cast<v1::AgentState>(state)));
    }
  }
  if (parts.empty()) return "agents: none\n";
  return "agents: " + join(parts, ", ") + " (" + std::to_string(response.agents_size()) +
         " in all)\n";
}

std::string render_agents(const v1::ListAgentsResponse& response, WallClock::time_point now) {
  Table table({{"AGENT"},
               {"STATE"},
               {"REASON"},
               {"IN STATE", Align::kRight},
               {"HANDLED", Align::kRight},
               {"WORK"}});
  for (const auto& agent : response.agents()) {
    table.add_row({agent.agent(), agent_state_name(agent.state()), or_dash(agent.reason()),
                   agent.has_since() ? format_duration(seconds_since(agent.since(), now))
                                     : std::string(kNone),
                   std::to_string(agent.handled()), or_dash(join(agent.work(), ","))});
  }
  if (table.row_count() == 0) return "no agents\n";
  return table.render();
}

std::string render_interactions(const v1::ListInteractionsResponse& response,
                                WallClock::time_point now) {
  Table table({{"POS", Align::kRight},
               {"INTERACTION"},
               {"CHANNEL"},
               {"STATE"},
               {"PRIORITY", Align::kRight},
               {"WAITED", Align::kRight},
               {"EWT", Align::kRight},
               {"CUSTOMER"},
               {"SEGMENT"},
               {"LANGUAGE"},
               {"AGENT"}});
  for (const auto& i : response.interactions()) {
    table.add_row(
        {i.position() > 0 ? std::to_string(i.position()) : std::string(kNone), i.interaction_id(),
         channel_name(i.channel()), interaction_state_name(i.state()), std::to_string(i.priority()),
         i.has_arrived() ? format_duration(seconds_since(i.arrived(), now)) : std::string(kNone),
         i.state() == v1::QUEUED ? format_duration(i.ewt_s()) : std::string(kNone),
         i.customer().customer_id().empty() ? "anonymous" : i.customer().customer_id(),
         segment_name(i.customer().segment()), or_dash(i.language()), or_dash(i.agent())});
  }
  if (table.row_count() == 0) return "no interactions\n";
  return table.render();
}

namespace {

// "2m30s (1m05s–4m50s)": the mean and the calibrated range (8 in 10) of a waiting
// interaction's wait (docs/routing.md, "Estimated wait"); the mean alone without a range.
std::string ewt_text(const v1::Interaction& i) {
  std::string text = format_duration(i.ewt_s());
  if (i.ewt_high_s() > 0) {
    text += " (" + format_duration(i.ewt_low_s()) + "–" + format_duration(i.ewt_high_s()) + ")";
  }
  return text;
}

// Multi-offer: the agents an OFFERED interaction rings, when more than one.
std::string ringing_text(const v1::Interaction& i) {
  if (i.offered_to_size() < 2) return {};
  std::string out;
  for (const std::string& agent : i.offered_to()) out += (out.empty() ? "" : ", ") + agent;
  return out + " (the first to accept takes it)";
}

}  // namespace

std::string render_interaction(const v1::Interaction& i, WallClock::time_point now) {
  const bool queued = i.state() == v1::QUEUED;
  Fields fields = {
      {"interaction", i.interaction_id()},
      {"channel", channel_name(i.channel())},
      {"state", interaction_state_name(i.state())},
      {"queue", i.queue()},
      {"priority", std::to_string(i.priority())},
      {"position", i.position() > 0 ? std::to_string(i.position()) : std::string()},
      {"EWT", queued ? ewt_text(i) : std::string()},
      {"arrived", i.has_arrived() ? format_clock(i.arrived()) + " (" +
                                        format_duration(seconds_since(i.arrived(), now)) + " ago)"
                                  : std::string()},
      {"agent", i.agent()},
      {"ringing", ringing_text(i)},
      {"customer", customer_summary(i.customer())},
      {"language", i.language()},
      {"intent", i.intent()},
      {"attributes", sorted_attributes(i.attributes())},
      {"details", details_summary(i)},
  };
  return render_fields(fields);
}

std::string render_submit(const v1::SubmitInteractionResponse& response) {
  const auto& i = response.interaction();
  const bool queued = i.state() == v1::QUEUED;
  Fields fields = {
      {"interaction", i.interaction_id()},
      {"channel", channel_name(i.channel())},
      {"state", interaction_state_name(i.state())},
      {"queue", i.queue()},
      {"position", queued ? std::to_string(i.position()) : std::string()},
      {"EWT", queued ? ewt_text(i) : std::string()},
      {"agent", i.agent()},
      {"customer", customer_summary(i.customer())},
      {"replayed",
       response.replayed() ? "yes (this id was submitted before; nothing new queued)" : "no"},
  };
  return render_fields(fields);
}

std::string render_skill_requirements(
    const google::protobuf::RepeatedPtrField<v1::SkillRequirement>& skills) {
  std::vector<std::string> parts;
  for (const auto& s : skills) parts.push_back(s.skill() + ">=" + std::to_string(s.min_level()));
  return parts.empty() ? "none" : join(parts, ", ");
}

std::string render_breakdown(const google::protobuf::RepeatedPtrField<v1::PointsTerm>& terms) {
  std::vector<std::string> parts;
  for (const auto& t : terms) {
    if (format_points(t.points()) != "0.0")
      parts.push_back(t.term() + " " + format_points(t.points()));
  }
  return parts.empty() ? "every term 0" : join(parts, ", ");
}

// A finished interaction's history: what happened, and each offer with its points as decided.
static std::string render_history(const v1::ExplainRoutingResponse& response) {
  const v1::InteractionHistory& h = response.history();
  std::string path;
  for (const auto& q : h.queue_path()) path += (path.empty() ? "" : " -> ") + q;
  std::string out = render_fields({
      {"interaction", response.interaction_id()},
      {"state", interaction_state_name(response.state()) + " (finished)"},
      {"arrived", format_clock(h.arrived())},
      {"answered", format_clock(h.answered())},
      {"finished", format_clock(h.finished())},
      {"queues", or_dash(path)},
      {"agent", or_dash(h.interaction().agent())},
      {"wrap-up code", or_dash(h.interaction().wrap_up_code())},
  });
  out += "\noffers, in order (points as the decision gave them):\n";
  if (h.offers_size() == 0) {
    out += "  none\n";
  } else {
    Table table({{"AT"}, {"AGENT"}, {"QUEUE"}, {"POINTS", Align::kRight}, {"OUTCOME"}, {"TERMS"}});
    for (const auto& o : h.offers()) {
      std::string terms;
      for (const auto& t : o.breakdown()) {
        if (format_points(t.points()) == "0.0") continue;
        terms += (terms.empty() ? "" : " ") + t.term() + "=" + format_points(t.points());
      }
      table.add_row({format_clock(o.at()), o.agent(), o.queue(), format_points(o.points()),
                     o.outcome(), or_dash(terms)});
    }
    out += table.render();
  }
  if (h.partial()) {
    out += "(recovered after a restart or takeover: offers before it are not recorded)\n";
  }
  return out;
}

std::string render_explain(const v1::ExplainRoutingResponse& response) {
  if (response.has_history()) return render_history(response);
  std::string out = render_fields({
      {"interaction", response.interaction_id()},
      {"state", interaction_state_name(response.state())},
      {"stage", std::to_string(response.stage()) + " expansion step(s) applied"},
      {"required now", render_skill_requirements(response.effective_skills())},
  });
  // Preferred-agent hold (docs/routing.md): the phase it is in.
  if (response.has_held_until()) {
    out += render_fields({{"phase", "held for its preferred or last agent until " +
                                        format_clock(response.held_until())}});
  }

  // One column per points term, in the order the terms first appear; a term that gives every
  // agent 0 gets no column (it cannot change the ranking) but is named below the table.
  std::vector<std::string> terms;
  std::vector<std::string> zero_terms;
  for (const auto& ranked : response.eligible()) {
    for (const auto& t : ranked.breakdown()) {
      if (std::find(terms.begin(), terms.end(), t.term()) == terms.end()) terms.push_back(t.term());
    }
  }
  std::erase_if(terms, [&](const std::string& term) {
    for (const auto& ranked : response.eligible()) {
      for (const auto& t : ranked.breakdown()) {
        if (t.term() == term && format_points(t.points()) != "0.0") return false;
      }
    }
    zero_terms.push_back(term);
    return true;
  });
  out += "\neligible agents, best first:\n";
  if (response.eligible_size() == 0) {
    out += "  none\n";
  } else {
    std::vector<Column> columns = {{"RANK", Align::kRight}, {"AGENT"}, {"POINTS", Align::kRight}};
    for (const auto& term : terms) columns.push_back({term, Align::kRight});
    Table table(std::move(columns));
    int rank = 0;
    for (const auto& ranked : response.eligible()) {
      std::vector<std::string> row = {std::to_string(++rank), ranked.agent(),
                                      format_points(ranked.points())};
      for (const auto& term : terms) {
        const auto it = std::find_if(ranked.breakdown().begin(), ranked.breakdown().end(),
                                     [&term](const v1::PointsTerm& t) { return t.term() == term; });
        row.push_back(it == ranked.breakdown().end() ? std::string(kNone)
                                                     : format_points(it->points()));
      }
      table.add_row(std::move(row));
    }
    out += table.render();
    if (!zero_terms.empty()) out += "0 for every agent: " + join(zero_terms, ", ") + "\n";
  }

  out += "\nineligible agents:\n";
  if (response.ineligible_size() == 0) {
    out += "  none\n";
  } else {
    Table table({{"AGENT"}, {"REASON"}, {"DETAIL"}});
    for (const auto& agent : response.ineligible()) {
      table.add_row({agent.agent(), agent.reason(), or_dash(agent.detail())});
    }
    out += table.render();
  }
  return out;
}

std::string render_agent_status(const v1::AgentStatus& status, WallClock::time_point now) {
  std::string out = status.agent() + "  " + agent_state_name(status.state());
  if (!status.reason().empty()) out += " (" + status.reason() + ")";
  if (status.has_since()) {
    out += "  for " + format_duration(seconds_since(status.since(), now));
  }
  out += "  work: " + or_dash(join(status.work(), ","));
  out += "  handled: " + std::to_string(status.handled()) + "\n";
  return out;
}

std::string render_audit(const v1::ListAuditResponse& response) {
  Table table({{"WHEN"}, {"ACTOR"}, {"ACTION"}, {"TARGET"}, {"RESULT"}, {"CHANGE"}, {"DETAIL"}});
  for (const auto& e : response.entries()) {
    char when[32] = "-";
    const std::time_t t = static_cast<std::time_t>(e.at().seconds());
    std::tm local{};
    if (localtime_r(&t, &local) != nullptr) {
      std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
    }
    std::string change;
    if (!e.before().empty() || !e.after().empty()) {
      change = or_dash(e.before()) + " -> " + or_dash(e.after());
    }
    table.add_row({when, e.role().empty() ? e.actor() : e.actor() + " (" + e.role() + ")",
                   e.action(), or_dash(e.target()), e.result(), or_dash(change),
                   or_dash(e.detail())});
  }
  std::string out = table.row_count() == 0 ? "no audit entries\n" : table.render();
  if (response.truncated()) {
    out += "(stopped after reading 100,000 entries: narrow --from/--to for older ones)\n";
  }
  return out;
}

namespace {

std::string local_minute(const google::protobuf::Timestamp& at) {
  char when[32] = "-";
  const std::time_t t = static_cast<std::time_t>(at.seconds());
  std::tm local{};
  if (localtime_r(&t, &local) != nullptr)
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &local);
  return when;
}

template <class Map, class Format>
std::string join_map(const Map& map, const char* sep, Format format) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& [key, value] : map) items.emplace_back(key, format(value));
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& [key, value] : items) {
    if (!out.empty()) out += sep;
    out += key + "=" + value;
  }
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string render_report(const v1::GetReportResponse& response) {
  Table queues({{"INTERVAL"},
                {"QUEUE"},
                {"OFFERED", Align::kRight},
                {"ANSWERED", Align::kRight},
                {"ABANDONED", Align::kRight},
                {"SL", Align::kRight},
                {"ASA", Align::kRight},
                {"AHT", Align::kRight},
                {"CODES"}});
  Table agents({{"INTERVAL"},
                {"AGENT"},
                {"OFFERS", Align::kRight},
                {"ANSWERED", Align::kRight},
                {"REJECTED", Align::kRight},
                {"MISSED", Align::kRight},
                {"HANDLED", Align::kRight},
                {"AHT", Align::kRight},
                {"OCCUPANCY", Align::kRight},
                {"READY", Align::kRight},
                {"NOT READY"},
                {"CODES"}});
  const auto count_text = [](int64_t n) { return std::to_string(n); };
  for (const auto& r : response.rows()) {
    const std::string when = local_minute(r.start());
    const std::string codes = or_dash(join_map(r.codes(), " ", count_text));
    if (r.scope() == "queue") {
      const bool measured = r.answered() + r.abandoned() > 0;
      queues.add_row({when, r.name(), std::to_string(r.offered()), std::to_string(r.answered()),
                      std::to_string(r.abandoned()),
                      measured ? format_percent(r.service_level()) : "-",
                      r.answered() > 0 ? format_duration(r.asa_s()) : "-",
                      r.handled() > 0 ? format_duration(r.aht_s()) : "-", codes});
    } else {
      std::string not_ready = r.not_ready_s() > 0 ? format_duration(r.not_ready_s()) : "-";
      if (r.not_ready_by_reason_s_size() > 0) {
        not_ready +=
            " (" +
            join_map(r.not_ready_by_reason_s(), " ", [](double v) { return format_duration(v); }) +
            ")";
      }
      const bool on_duty = r.ready_s() + r.reserved_s() + r.busy_s() + r.wrap_up_s() > 0;
      agents.add_row({when, r.name(), std::to_string(r.offered()), std::to_string(r.answered()),
                      std::to_string(r.rejected()), std::to_string(r.missed()),
                      std::to_string(r.handled()),
                      r.handled() > 0 ? format_duration(r.aht_s()) : "-",
                      on_duty ? format_percent(r.occupancy()) : "-",
                      r.ready_s() > 0 ? format_duration(r.ready_s()) : "-", not_ready, codes});
    }
  }
  if (queues.row_count() == 0 && agents.row_count() == 0) {
    return "no intervals in that range (interval " + std::to_string(response.length_s()) + " s)\n";
  }
  std::string out;
  if (queues.row_count() > 0) out += queues.render();
  if (agents.row_count() > 0) out += (out.empty() ? "" : "\n") + agents.render();
  return out;
}

std::string render_report_csv(const v1::GetReportResponse& response) {
  std::string out =
      "start,length_s,scope,name,offered,answered,answered_in_target,abandoned,short_abandoned,"
      "expired,overflowed,rejected,missed,handled,service_level,asa_s,aht_s,abandon_rate,"
      "ready_s,reserved_s,busy_s,wrap_up_s,not_ready_s,occupancy,not_ready_by_reason_s,codes\r\n";
  for (const auto& r : response.rows()) {
    char start[32] = "";
    const std::time_t t = static_cast<std::time_t>(r.start().seconds());
    std::tm utc{};
    if (gmtime_r(&t, &utc) != nullptr)
      std::strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const std::vector<std::string> cells = {
        start,
        std::to_string(r.length_s()),
        r.scope(),
        csv_cell(r.name()),
        std::to_string(r.offered()),
        std::to_string(r.answered()),
        std::to_string(r.answered_in_target()),
        std::to_string(r.abandoned()),
        std::to_string(r.short_abandoned()),
        std::to_string(r.expired()),
        std::to_string(r.overflowed()),
        std::to_string(r.rejected()),
        std::to_string(r.missed()),
        std::to_string(r.handled()),
        number(r.service_level()),
        number(r.asa_s()),
        number(r.aht_s()),
        number(r.abandon_rate()),
        number(r.ready_s()),
        number(r.reserved_s()),
        number(r.busy_s()),
        number(r.wrap_up_s()),
        number(r.not_ready_s()),
        number(r.occupancy()),
        csv_cell(join_map(r.not_ready_by_reason_s(), ";", [](double v) { return number(v); })),
        csv_cell(join_map(r.codes(), ";", [](int64_t n) { return std::to_string(n); })),
    };
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\r\n";
  }
  return out;
}

std::string render_reload(const v1::ReloadConfigResponse& response) {
  std::string out = "reloaded " + or_dash(response.file()) + ": " +
                    std::to_string(response.queues()) + " queues, " +
                    std::to_string(response.agents()) + " agents\n";
  if (response.changes_size() == 0) {
    out += "no changes\n";
  } else {
    out += "changes:\n";
    for (const auto& change : response.changes()) out += "  " + change + "\n";
  }
  if (response.warnings_size() > 0) {
    out += "warnings:\n";
    for (const auto& warning : response.warnings()) out += "  " + warning + "\n";
  }
  return out;
}

std::string render_work_event(const v1::WorkEvent& event, WallClock::time_point now) {
  const std::string at = format_clock(event.at());
  const std::string indent(display_width(at) + 2, ' ');
  switch (event.event_case()) {
    case v1::WorkEvent::kOffer: {
      const auto& offer = event.offer();
      const auto& i = offer.interaction();
      std::string out = at + "  offer      " + i.interaction_id() + " " +
                        channel_name(i.channel()) + " from queue " + or_dash(i.queue()) +
                        ", customer " + customer_summary(i.customer());
      if (offer.has_expires()) {
        out += "; accept within " + format_duration(seconds_until(offer.expires(), now));
      }
      out += "\n" + indent + "           points " + format_points(offer.points());
      if (offer.breakdown_size() > 0) out += " = " + render_breakdown(offer.breakdown());
      return out + "\n";
    }
    case v1::WorkEvent::kUpdate: {
      const auto& i = event.update();
      std::string out =
          at + "  update     " + i.interaction_id() + " " + interaction_state_name(i.state());
      if (!i.queue().empty()) out += " queue " + i.queue();
      if (!i.agent().empty()) out += " agent " + i.agent();
      return out + "\n";
    }
    case v1::WorkEvent::kStatus:
      return at + "  status     " + render_agent_status(event.status(), now);
    case v1::WorkEvent::kHeartbeat: return at + "  heartbeat\n";
    case v1::WorkEvent::EVENT_NOT_SET: break;
  }
  return at + "  (an event this routerctl does not know; use --json to see it)\n";
}

std::string render_session_response(const v1::AgentSessionResponse& response,
                                    const std::string& summary, WallClock::time_point now) {
  switch (response.response_case()) {
    case v1::AgentSessionResponse::kWork: return render_work_event(response.work(), now);
    case v1::AgentSessionResponse::kAnswer: {
      const auto& answer = response.answer();
      const auto& result = answer.result();
      std::string out =
          format_clock(to_timestamp(now)) + "  answer     #" + or_dash(result.correlation_id());
      if (!summary.empty()) out += " " + summary;
      out += ": ";
      if (result.code() == 0) {
        out += "OK";
        if (answer.has_status()) return out + "  " + render_agent_status(answer.status(), now);
        return out + "\n";
      }
      out += status_code_name(static_cast<grpc::StatusCode>(result.code()));
      if (!result.message().empty()) out += ": " + result.message();
      return out + "\n";
    }
    case v1::AgentSessionResponse::RESPONSE_NOT_SET: break;
  }
  return format_clock(to_timestamp(now)) +
         "  (a message this routerctl does not know; use --json to see it)\n";
}

Parsed<std::string> to_json(const google::protobuf::Message& message, bool multiline) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = multiline;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return Parsed<std::string>::failure("cannot print " + message.GetTypeName() +
                                        " as JSON: " + status.ToString());
  }
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace router::ctl
