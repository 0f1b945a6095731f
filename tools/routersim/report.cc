// Formatting of routersim Results: fixed-width tables, JSON (nlohmann-json), SVG by hand.
#include "tools/routersim/report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

namespace router::sim {
namespace {

std::string fmt(const char* format, double a, double b) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

std::string count(const Estimate& e) { return fmt("%.1f ± %.1f", e.mean, e.half_width); }
std::string secs(const Estimate& e) { return fmt("%.1f ± %.1f", e.mean, e.half_width); }
std::string pct(const Estimate& e) {
  return fmt("%.1f%% ± %.1f", 100.0 * e.mean, 100.0 * e.half_width);
}

// Display width of UTF-8 text (± is two bytes, one column).
size_t width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// A plain text table: first column left-aligned, the others right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string str() const {
    std::vector<size_t> w(rows_.front().size(), 0);
    for (const auto& r : rows_) {
      for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    }
    std::string out;
    for (size_t r = 0; r < rows_.size(); ++r) {
      for (size_t i = 0; i < w.size(); ++i) {
        const std::string& cell = i < rows_[r].size() ? rows_[r][i] : std::string();
        const std::string pad(w[i] - width(cell), ' ');
        if (i == 0) {
          out += cell;
          out += pad;
        } else {
          out += "  ";
          out += pad;
          out += cell;
        }
      }
      out += '\n';
      if (r == 0) {
        size_t total = 0;
        for (size_t x : w) total += x + 2;
        out += std::string(total - 2, '-') + '\n';
      }
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

void outcome_rows(Table& t, const std::vector<Outcome>& outcomes) {
  for (const Outcome& o : outcomes) {
    t.add({o.name, count(o.offered), count(o.answered), count(o.abandoned), pct(o.service_level),
           secs(o.asa_s), secs(o.wait_mean_s), secs(o.wait_p90_s), pct(o.abandon_rate),
           pct(o.occupancy), pct(o.ewt_in_range)});
  }
}

std::vector<std::string> outcome_header(const char* first) {
  return {first,    "offered",    "answered",    "abandoned", "SL",          "ASA s",
          "wait s", "p90 wait s", "abandoned %", "occupancy", "in EWT range"};
}

// A note under the tables naming the call types with a count in `field`, per replication, after
// `what` (refusals by the arrival rules and opening hours; calls taken as callbacks).
std::string per_type_note(const Results& r, Estimate Outcome::*field, const std::string& what) {
  std::string rows;
  for (const Outcome& o : r.call_types) {
    const Estimate& e = o.*field;
    if (e.mean <= 0) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %.1f ± %.1f", o.name.c_str(), e.mean, e.half_width);
    rows += (rows.empty() ? "" : ", ") + std::string(buf);
  }
  if (rows.empty()) return {};
  return what + ": " + rows + ".\n";
}

// A note under the tables when some service levels are not "answered within the threshold":
// which rows are done by due (work items).
std::string measure_note(const Results& r) {
  std::string rows;
  bool mixed = false;
  const auto add = [&](const std::vector<Outcome>& outcomes, const char* kind) {
    for (const Outcome& o : outcomes) {
      if (o.service_level_measure == ServiceLevelMeasure::kAnsweredWithinThreshold) continue;
      rows += rows.empty() ? "" : ", ";
      rows += std::string(kind) + " " + o.name;
      if (o.service_level_measure == ServiceLevelMeasure::kMixed) {
        rows += " (mixed)";
        mixed = true;
      }
    }
  };
  add(r.call_types, "call type");
  add(r.queues, "queue");
  if (rows.empty()) return {};
  return "SL of work items (" + rows +
         ") is done by due: completed (answer + handle time) by the due time / offered" +
         (mixed ? "; a mixed queue counts each interaction by its own measure" : "") + ".\n";
}

nlohmann::ordered_json json_of(const Estimate& e) {
  return {{"mean", e.mean}, {"half_width", e.half_width}};
}

nlohmann::ordered_json json_of(const Outcome& o) {
  return {{"name", o.name},
          {"offered", json_of(o.offered)},
          {"answered", json_of(o.answered)},
          {"abandoned", json_of(o.abandoned)},
          {"expired", json_of(o.expired)},
          {"refused", json_of(o.refused)},
          {"callbacks", json_of(o.callbacks)},
          {"service_level", json_of(o.service_level)},
          {"service_level_measure", std::string(to_string(o.service_level_measure))},
          {"asa_s", json_of(o.asa_s)},
          {"wait_mean_s", json_of(o.wait_mean_s)},
          {"wait_p90_s", json_of(o.wait_p90_s)},
          {"abandon_rate", json_of(o.abandon_rate)},
          {"p_wait", json_of(o.p_wait)},
          {"occupancy", json_of(o.occupancy)},
          {"ewt_range",
           {{"in", json_of(o.ewt_in_range)},
            {"below", json_of(o.ewt_below)},
            {"above", json_of(o.ewt_above)}}},
          {"wait_histogram_bucket_s", 5},
          {"wait_histogram", o.wait_histogram}};
}

nlohmann::ordered_json json_of(const Results& r) {
  nlohmann::ordered_json queues = nlohmann::ordered_json::array();
  for (const Outcome& o : r.queues) queues.push_back(json_of(o));
  nlohmann::ordered_json types = nlohmann::ordered_json::array();
  for (const Outcome& o : r.call_types) types.push_back(json_of(o));
  return {{"policy", std::string(to_string(r.policy))},
          {"replications", r.replications},
          {"simulated_interactions", r.simulated_interactions},
          {"wall_s", r.wall_s},
          {"occupancy", json_of(r.occupancy)},
          {"queues", std::move(queues)},
          {"call_types", std::move(types)}};
}

std::string escape_xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];
constexpr const char* kDashes[] = {"", "6,3", "2,3", "8,3,2,3", "1,5"};
constexpr size_t kDashCount = sizeof kDashes / sizeof kDashes[0];

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// An SVG path command with one point: "L12.5 30.0".
std::string path_point(char command, double x, double y) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c%.1f %.1f", command, x, y);
  return buf;
}

}  // namespace

std::string format_table(const Results& r) {
  std::ostringstream out;
  const double per_minute = r.wall_s > 0 ? r.simulated_interactions / r.wall_s * 60.0 : 0.0;
  out << "policy " << to_string(r.policy) << ", " << r.replications
      << " replications, 95% intervals (mean ± half-width over replications)\n";
  out << "occupancy " << pct(r.occupancy) << "; " << static_cast<uint64_t>(r.simulated_interactions)
      << " interactions simulated in " << fmt("%.2f s (%.0f per minute)", r.wall_s, per_minute)
      << "\n\n";
  Table queues(outcome_header("queue"));
  outcome_rows(queues, r.queues);
  out << queues.str() << '\n';
  Table types(outcome_header("call type"));
  outcome_rows(types, r.call_types);
  out << types.str();
  if (const std::string note = measure_note(r); !note.empty()) out << '\n' << note;
  // docs/routing.md, "Arrival rules" and "Opening hours".
  for (const std::string& note :
       {per_type_note(r, &Outcome::refused,
                      "refused at arrival by their queue's arrival rules or opening hours, per "
                      "replication (counted offered, not answered)"),
        per_type_note(r, &Outcome::callbacks,
                      "taken as callbacks by a closed queue, per replication (their wait runs "
                      "from the opening; within target when done by due)")}) {
    if (!note.empty()) out << '\n' << note;
  }
  return out.str();
}

std::string format_comparison(const std::vector<Results>& results) {
  if (results.empty()) return {};
  std::ostringstream out;
  out << "policies compared on the same arrivals, handle times and patience ("
      << results.front().replications << " replications, mean ± 95% half-width)\n";
  struct Metric {
    const char* title;
    std::string (*cell)(const Outcome&);
  };
  const Metric metrics[] = {
      {"service level", [](const Outcome& o) { return pct(o.service_level); }},
      {"ASA (s)", [](const Outcome& o) { return secs(o.asa_s); }},
      {"abandon rate", [](const Outcome& o) { return pct(o.abandon_rate); }},
  };
  for (const Metric& m : metrics) {
    std::vector<std::string> header{m.title};
    for (const Results& r : results) header.emplace_back(to_string(r.policy));
    Table t(header);
    const auto rows = [&](const std::vector<Outcome> Results::*list, const char* prefix) {
      for (size_t i = 0; i < (results.front().*list).size(); ++i) {
        std::vector<std::string> row{prefix + (results.front().*list)[i].name};
        for (const Results& r : results) {
          row.push_back(i < (r.*list).size() ? m.cell((r.*list)[i]) : "");
        }
        t.add(std::move(row));
      }
    };
    rows(&Results::call_types, "");
    rows(&Results::queues, "queue ");
    out << '\n' << t.str();
  }
  std::vector<std::string> header{"agents"};
  for (const Results& r : results) header.emplace_back(to_string(r.policy));
  Table occ(header);
  std::vector<std::string> row{"occupancy"};
  for (const Results& r : results) row.push_back(pct(r.occupancy));
  occ.add(std::move(row));
  out << '\n' << occ.str();
  if (const std::string note = measure_note(results.front()); !note.empty()) out << '\n' << note;
  return out.str();
}

std::string to_json(const std::vector<Results>& results) {
  if (results.size() == 1) return json_of(results.front()).dump(2) + "\n";
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const Results& r : results) all.push_back(json_of(r));
  return nlohmann::ordered_json{{"policies", std::move(all)}}.dump(2) + "\n";
}

std::string to_svg(const std::vector<Results>& results) {
  const double width = 980, panel = 360, top = 40, left = 70, right = 220, gap = 90;
  const double plot_w = width - left - right;
  const double height = top + panel + gap + panel + 50;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
    << num(height) << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (results.empty()) return s.str() + "</svg>\n";
  const std::vector<Outcome>& queues = results.front().queues;
  const size_t nq = std::max<size_t>(1, queues.size());
  const size_t np = results.size();
  const auto y_of = [&](double base, double fraction) {
    return base + panel - std::clamp(fraction, 0.0, 1.0) * panel;
  };
  const auto axes = [&](double base, const std::string& title) {
    s << "<text x=\"" << num(left) << "\" y=\"" << num(base - 12) << "\" font-size=\"15\">"
      << escape_xml(title) << "</text>\n";
    for (int p = 0; p <= 100; p += 20) {
      const double y = y_of(base, p / 100.0);
      s << "<line x1=\"" << num(left) << "\" x2=\"" << num(left + plot_w) << "\" y1=\"" << num(y)
        << "\" y2=\"" << num(y) << "\" stroke=\"#ddd\"/>\n"
        << "<text x=\"" << num(left - 8) << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\">"
        << p << "%</text>\n";
    }
    s << "<rect x=\"" << num(left) << "\" y=\"" << num(base) << "\" width=\"" << num(plot_w)
      << "\" height=\"" << num(panel) << "\" fill=\"none\" stroke=\"#333\"/>\n";
  };

  // Panel 1: service level per queue, one bar per policy, whiskers at the 95% interval.
  const double base1 = top;
  axes(base1, "Service level per queue (95% interval over replications)");
  const double group_w = plot_w / static_cast<double>(nq);
  const double bar_w = std::min(60.0, group_w * 0.8 / static_cast<double>(np));
  for (size_t q = 0; q < queues.size(); ++q) {
    const double group_x = left + group_w * static_cast<double>(q);
    const double bars_x = group_x + (group_w - bar_w * static_cast<double>(np)) / 2;
    for (size_t p = 0; p < np; ++p) {
      if (q >= results[p].queues.size()) continue;
      const Estimate& sl = results[p].queues[q].service_level;
      const double x = bars_x + bar_w * static_cast<double>(p);
      const double y = y_of(base1, sl.mean);
      const char* color = np > 1 ? kPalette[p % kPaletteSize] : kPalette[q % kPaletteSize];
      s << "<rect x=\"" << num(x + 2) << "\" y=\"" << num(y) << "\" width=\"" << num(bar_w - 4)
        << "\" height=\"" << num(base1 + panel - y) << "\" fill=\"" << color << "\"><title>"
        << escape_xml(queues[q].name + " " + std::string(to_string(results[p].policy)) + ": " +
                      pct(sl))
        << "</title></rect>\n";
      const double cx = x + bar_w / 2;
      const double lo = y_of(base1, sl.mean - sl.half_width);
      const double hi = y_of(base1, sl.mean + sl.half_width);
      s << "<path d=\"M" << num(cx) << ' ' << num(lo) << "V" << num(hi) << "M" << num(cx - 5) << ' '
        << num(lo) << "h10M" << num(cx - 5) << ' ' << num(hi)
        << "h10\" stroke=\"black\" fill=\"none\"/>\n";
    }
    s << "<text x=\"" << num(group_x + group_w / 2) << "\" y=\"" << num(base1 + panel + 16)
      << "\" text-anchor=\"middle\">" << escape_xml(queues[q].name) << "</text>\n";
  }
  if (np > 1) {
    for (size_t p = 0; p < np; ++p) {
      const double y = base1 + 10 + 18 * static_cast<double>(p);
      s << "<rect x=\"" << num(left + plot_w + 15) << "\" y=\"" << num(y) << "\" width=\"12\" "
        << "height=\"12\" fill=\"" << kPalette[p % kPaletteSize] << "\"/><text x=\""
        << num(left + plot_w + 32) << "\" y=\"" << num(y + 10) << "\">"
        << to_string(results[p].policy) << "</text>\n";
    }
  }

  // Panel 2: cumulative share of interactions by wait (answered, abandoned or still waiting).
  const double base2 = top + panel + gap;
  axes(base2, "Wait distribution per queue: share of interactions waiting at most x");
  const size_t buckets = queues.empty() ? 0 : queues.front().wait_histogram.size();
  const double max_wait_s = 5.0 * static_cast<double>(buckets > 0 ? buckets - 1 : 1);
  for (int w = 0; w <= static_cast<int>(max_wait_s); w += 30) {
    const double x = left + plot_w * w / max_wait_s;
    s << "<text x=\"" << num(x) << "\" y=\"" << num(base2 + panel + 16)
      << "\" text-anchor=\"middle\">" << w << " s</text>\n";
  }
  const auto dash_attr = [](size_t p) {
    const char* dash = kDashes[p % kDashCount];
    return *dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : std::string();
  };
  for (size_t p = 0; p < np; ++p) {
    for (size_t q = 0; q < results[p].queues.size(); ++q) {
      const Outcome& o = results[p].queues[q];
      // Built with snprintf: GCC 12 reports a false -Wrestrict on "literal" + std::string.
      std::string d = path_point('M', left, y_of(base2, 0));
      double cumulative = 0;
      for (size_t b = 0; b + 1 < o.wait_histogram.size(); ++b) {
        cumulative += o.wait_histogram[b];
        const double x = left + plot_w * 5.0 * static_cast<double>(b + 1) / max_wait_s;
        d += path_point('L', x, y_of(base2, cumulative));
      }
      s << "<path d=\"" << d << "\" fill=\"none\" stroke=\"" << kPalette[q % kPaletteSize]
        << "\" stroke-width=\"2\"" << dash_attr(p) << "/>\n";
    }
  }
  // Legend: a colour per queue; with several policies, also a dash pattern per policy.
  size_t line = 0;
  const auto legend = [&](const std::string& color, const std::string& dash,
                          const std::string& label) {
    const double y = base2 + 10 + 18 * static_cast<double>(line++);
    s << "<line x1=\"" << num(left + plot_w + 12) << "\" x2=\"" << num(left + plot_w + 32)
      << "\" y1=\"" << num(y + 6) << "\" y2=\"" << num(y + 6) << "\" stroke=\"" << color
      << "\" stroke-width=\"2\"" << dash << "/><text x=\"" << num(left + plot_w + 36) << "\" y=\""
      << num(y + 10) << "\">" << escape_xml(label) << "</text>\n";
  };
  for (size_t q = 0; q < queues.size(); ++q) legend(kPalette[q % kPaletteSize], "", queues[q].name);
  if (np > 1) {
    ++line;
    for (size_t p = 0; p < np; ++p) {
      legend("#333", dash_attr(p), std::string(to_string(results[p].policy)));
    }
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace router::sim
