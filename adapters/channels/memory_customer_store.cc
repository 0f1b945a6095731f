// Customer files (JSON Lines, CSV) → records indexed by every lookup key. Both formats are read
// as a stream, record by record, so only one record's text is held besides the records.
#include "adapters/channels/memory_customer_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <streambuf>
#include <utility>

namespace router::adapters::channels {
namespace {

using Index = std::array<std::unordered_map<std::string, size_t>, kKeyPrecedence.size()>;

// Positions of the key kinds in kKeyPrecedence (and in Index).
constexpr size_t kIdKey = 0;
constexpr size_t kWebAccountKey = 1;
constexpr size_t kPhoneKey = 2;
constexpr size_t kEmailKey = 3;
constexpr size_t kWebVisitorKey = 4;
static_assert(kKeyPrecedence[kIdKey].key == &CustomerKeys::customer_id);
static_assert(kKeyPrecedence[kWebAccountKey].key == &CustomerKeys::web_account);
static_assert(kKeyPrecedence[kPhoneKey].key == &CustomerKeys::phone_e164);
static_assert(kKeyPrecedence[kEmailKey].key == &CustomerKeys::email);
static_assert(kKeyPrecedence[kWebVisitorKey].key == &CustomerKeys::web_visitor);

// One record as read, before validation and normalization.
struct Fields {
  std::string id, name, segment, language, preferred_agent, last_agent;
  std::optional<double> current_value, potential_value, lifetime_value;
  std::vector<std::string> tags;
  std::array<std::vector<std::string>, kKeyPrecedence.size()> keys;  // keys[kIdKey] unused
};

// How a format spells the key fields, for error messages.
struct Spelling {
  std::array<const char*, kKeyPrecedence.size()> key_field;
  bool index_lists;  // JSON names an element ("phones[1]"); CSV the column ("phone")
};
constexpr Spelling kJsonSpelling{{"id", "web_accounts", "phones", "emails", "web_visitors"}, true};
constexpr Spelling kCsvSpelling{{"id", "web_account", "phone", "email", "web_visitor"}, false};

// A read-only streambuf over text that outlives it (load_from_string reads without a copy).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());  // never written: no put area, no putback
    setg(p, p, p + text.size());
  }
};

constexpr int kEof = std::char_traits<char>::eof();

// One line without its "\n" (or "\r\n"). False at the end of the input. A line longer than
// `max_bytes` is consumed whole but not kept, and `too_long` is set.
bool read_line(std::streambuf& in, std::string& line, size_t max_bytes, bool& too_long) {
  line.clear();
  too_long = false;
  int c = in.sbumpc();
  if (c == kEof) return false;
  for (; c != kEof && c != '\n'; c = in.sbumpc()) {
    if (line.size() < max_bytes) {
      line += static_cast<char>(c);
    } else {
      too_long = true;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::string_view strip_bom(std::string_view s) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (s.substr(0, kBom.size()) == kBom) s.remove_prefix(kBom.size());
  return s;
}

std::optional<engine::Segment> parse_segment(std::string_view s) {
  if (equals_ignore_case(s, "strategic")) return engine::Segment::kStrategic;
  if (equals_ignore_case(s, "profitable")) return engine::Segment::kProfitable;
  if (equals_ignore_case(s, "ordinary")) return engine::Segment::kOrdinary;
  if (equals_ignore_case(s, "risk")) return engine::Segment::kRisk;
  return std::nullopt;
}

// Validates one record's fields and adds it to the index; owns the records until they move into
// the store. Every error is "<source>:<line>: <field>: <what>".
class Loader {
 public:
  Loader(std::string source, const PhoneNormalizer& phones, const CustomerFileOptions& options)
      : source_(std::move(source)), phones_(phones), options_(options) {}

  engine::Error fail(size_t line, std::string_view field, const std::string& what) const {
    std::string m = source_ + ":" + std::to_string(line) + ": ";
    if (!field.empty()) m += std::string(field) + ": ";
    return engine::invalid_argument(m + what);
  }
  engine::Error exhausted(size_t line, const std::string& what) const {
    return engine::resource_exhausted(source_ + ":" + std::to_string(line) + ": " + what);
  }

  const CustomerFileLimits& limits() const { return options_.limits; }
  const std::string& source() const { return source_; }

  std::optional<engine::Error> add(Fields&& in, size_t line, const Spelling& spelling) {
    if (records_.size() >= limits().max_records) {
      return exhausted(line, "more than " + std::to_string(limits().max_records) +
                                 " customer records (the limit)");
    }
    CustomerRecord r;
    const std::pair<std::string*, const char*> texts[] = {
        {&in.id, "id"},
        {&in.name, "name"},
        {&in.segment, "segment"},
        {&in.language, "language"},
        {&in.preferred_agent, "preferred_agent"},
        {&in.last_agent, "last_agent"},
    };
    for (const auto& [value, field] : texts) {
      *value = std::string(trim_ascii(*value));
      if (auto e = length(*value, line, field)) return e;
    }
    if (in.id.empty()) return fail(line, "id", "required");
    r.customer_id = std::move(in.id);
    r.name = std::move(in.name);
    r.language = std::move(in.language);
    r.preferred_agent = std::move(in.preferred_agent);
    r.last_agent = std::move(in.last_agent);

    const std::pair<const std::optional<double>*, const char*> numbers[] = {
        {&in.current_value, "current_value"},
        {&in.potential_value, "potential_value"},
        {&in.lifetime_value, "lifetime_value"},
    };
    for (const auto& [value, field] : numbers) {
      if (*value && !std::isfinite(**value)) return fail(line, field, "must be a finite number");
    }
    r.current_value = in.current_value.value_or(0.0);
    r.potential_value = in.potential_value.value_or(0.0);
    if (in.lifetime_value) {
      if (*in.lifetime_value < 0) return fail(line, "lifetime_value", "must be ≥ 0");
      r.lifetime_value = *in.lifetime_value;
    } else {
      r.lifetime_value = std::max(0.0, r.current_value + r.potential_value);
    }
    if (in.segment.empty()) {
      r.segment = derive_segment(r.current_value, r.potential_value, options_.segments);
    } else if (auto s = parse_segment(in.segment)) {
      r.segment = *s;
    } else {
      return fail(line, "segment",
                  "must be strategic, profitable, ordinary or risk, got " + quote(in.segment));
    }

    if (auto e = list(in.tags, line, "tags", spelling, r.tags)) return e;

    // Keys, normalized; then checked against every other record's.
    std::array<std::vector<std::string>, kKeyPrecedence.size()> keys;
    for (size_t k = kIdKey + 1; k < keys.size(); ++k) {
      if (auto e = key_list(k, in.keys[k], line, spelling, keys[k])) return e;
    }
    keys[kIdKey].push_back(r.customer_id);
    for (size_t k = 0; k < keys.size(); ++k) {
      for (const std::string& key : keys[k]) {
        const auto it = index_[k].find(key);
        if (it == index_[k].end()) continue;
        const CustomerRecord& other = records_[it->second];
        const std::string other_line = std::to_string(lines_[it->second]);
        if (k == kIdKey) {
          return fail(line, "id", quote(key) + " already defined at line " + other_line);
        }
        return fail(line, spelling.key_field[k],
                    quote(key) + " already belongs to customer " + quote(other.customer_id) +
                        " (line " + other_line + ")");
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      for (std::string& key : keys[k]) index_[k].emplace(std::move(key), records_.size());
    }
    records_.push_back(std::move(r));
    lines_.push_back(line);
    return std::nullopt;
  }

  std::vector<CustomerRecord> take_records() { return std::move(records_); }
  Index take_index() { return std::move(index_); }

 private:
  std::string source_;
  const PhoneNormalizer& phones_;
  const CustomerFileOptions& options_;
  std::vector<CustomerRecord> records_;
  std::vector<size_t> lines_;  // line of each record, for duplicate errors
  Index index_;

  std::optional<engine::Error> length(std::string_view value, size_t line,
                                      const std::string& field) const {
    if (value.size() <= limits().max_field_chars) return std::nullopt;
    return fail(line, field,
                "longer than " + std::to_string(limits().max_field_chars) + " characters");
  }

  static std::string element(const Spelling& spelling, const char* field, size_t i) {
    if (!spelling.index_lists) return field;
    return std::string(field) + "[" + std::to_string(i) + "]";
  }

  // Trimmed values, empty ones skipped, duplicates dropped, at most max_values.
  std::optional<engine::Error> list(const std::vector<std::string>& in, size_t line,
                                    const char* field, const Spelling& spelling,
                                    std::vector<std::string>& out) const {
    for (size_t i = 0; i < in.size(); ++i) {
      std::string value(trim_ascii(in[i]));
      if (value.empty()) continue;
      if (auto e = length(value, line, element(spelling, field, i))) return e;
      if (std::find(out.begin(), out.end(), value) != out.end()) continue;
      if (out.size() == limits().max_values) {
        return fail(line, field, "more than " + std::to_string(limits().max_values) + " values");
      }
      out.push_back(std::move(value));
    }
    return std::nullopt;
  }

  std::optional<engine::Error> key_list(size_t kind, const std::vector<std::string>& in,
                                        size_t line, const Spelling& spelling,
                                        std::vector<std::string>& out) const {
    const char* field = spelling.key_field[kind];
    std::vector<std::string> normalized;
    for (size_t i = 0; i < in.size(); ++i) {
      if (trim_ascii(in[i]).empty()) {
        normalized.emplace_back();
        continue;
      }
      if (kind == kPhoneKey || kind == kEmailKey) {
        auto n = kind == kPhoneKey ? phones_.to_e164(in[i]) : normalize_email(in[i]);
        if (!n.ok()) return fail(line, element(spelling, field, i), n.error().message);
        normalized.push_back(std::move(n).value());
      } else {
        normalized.push_back(normalize_web_id(in[i]));
      }
    }
    return list(normalized, line, field, spelling, out);
  }
};

// ---------------------------------------------------------------------------------------------
// JSON Lines.

std::optional<engine::Error> json_text(const nlohmann::json& v, const Loader& loader, size_t line,
                                       const std::string& field, std::string& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) return loader.fail(line, field, "must be a string");
  out = v.get<std::string>();
  return std::nullopt;
}

std::optional<engine::Error> json_number(const nlohmann::json& v, const Loader& loader, size_t line,
                                         const std::string& field, std::optional<double>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) return loader.fail(line, field, "must be a number");
  out = v.get<double>();
  return std::nullopt;
}

std::optional<engine::Error> json_list(const nlohmann::json& v, const Loader& loader, size_t line,
                                       const std::string& field, std::vector<std::string>& out) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return std::nullopt;
  }
  if (!v.is_array()) return loader.fail(line, field, "must be an array of strings");
  if (v.size() > loader.limits().max_values) {
    return loader.fail(line, field,
                       "more than " + std::to_string(loader.limits().max_values) + " values");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return loader.fail(line, field + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.push_back(v[i].get<std::string>());
  }
  return std::nullopt;
}

std::optional<engine::Error> json_record(const nlohmann::json& object, const Loader& loader,
                                         size_t line, Fields& f) {
  if (!object.is_object()) {
    return loader.fail(line, "", "expected a JSON object (one customer per line: JSON Lines)");
  }
  for (const auto& [key, v] : object.items()) {
    std::optional<engine::Error> e;
    if (key == "id") {
      if (v.is_number_integer()) {
        f.id = v.dump();
      } else {
        e = json_text(v, loader, line, key, f.id);
      }
    } else if (key == "name") {
      e = json_text(v, loader, line, key, f.name);
    } else if (key == "segment") {
      e = json_text(v, loader, line, key, f.segment);
    } else if (key == "language") {
      e = json_text(v, loader, line, key, f.language);
    } else if (key == "preferred_agent") {
      e = json_text(v, loader, line, key, f.preferred_agent);
    } else if (key == "last_agent") {
      e = json_text(v, loader, line, key, f.last_agent);
    } else if (key == "current_value") {
      e = json_number(v, loader, line, key, f.current_value);
    } else if (key == "potential_value") {
      e = json_number(v, loader, line, key, f.potential_value);
    } else if (key == "lifetime_value") {
      e = json_number(v, loader, line, key, f.lifetime_value);
    } else if (key == "tags") {
      e = json_list(v, loader, line, key, f.tags);
    } else if (key == "phones") {
      e = json_list(v, loader, line, key, f.keys[kPhoneKey]);
    } else if (key == "emails") {
      e = json_list(v, loader, line, key, f.keys[kEmailKey]);
    } else if (key == "web_visitors") {
      e = json_list(v, loader, line, key, f.keys[kWebVisitorKey]);
    } else if (key == "web_accounts") {
      e = json_list(v, loader, line, key, f.keys[kWebAccountKey]);
    } else {
      e = loader.fail(line, key, "unknown field");
    }
    if (e) return e;
  }
  return std::nullopt;
}

std::optional<engine::Error> read_json_lines(std::streambuf& in, Loader& loader) {
  std::string text;
  bool too_long = false;
  for (size_t line = 1; read_line(in, text, loader.limits().max_record_bytes, too_long); ++line) {
    if (too_long) {
      return loader.exhausted(line, "longer than " +
                                        std::to_string(loader.limits().max_record_bytes) +
                                        " bytes (the limit for one record)");
    }
    const std::string_view body = trim_ascii(line == 1 ? strip_bom(text) : text);
    if (body.empty()) continue;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
      std::string what = e.what();
      if (const size_t end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
      return loader.fail(line, "", "not valid JSON: " + what);
    }
    Fields fields;
    if (auto e = json_record(object, loader, line, fields)) return e;
    if (auto e = loader.add(std::move(fields), line, kJsonSpelling)) return e;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180, with '|' separating several values inside one field).

enum class Column {
  kId,
  kName,
  kSegment,
  kCurrentValue,
  kPotentialValue,
  kLifetimeValue,
  kLanguage,
  kPreferredAgent,
  kLastAgent,
  kTags,
  kPhone,
  kEmail,
  kWebVisitor,
  kWebAccount,
};
constexpr std::pair<std::string_view, Column> kColumns[] = {
    {"id", Column::kId},
    {"name", Column::kName},
    {"segment", Column::kSegment},
    {"current_value", Column::kCurrentValue},
    {"potential_value", Column::kPotentialValue},
    {"lifetime_value", Column::kLifetimeValue},
    {"language", Column::kLanguage},
    {"preferred_agent", Column::kPreferredAgent},
    {"last_agent", Column::kLastAgent},
    {"tags", Column::kTags},
    {"phone", Column::kPhone},
    {"email", Column::kEmail},
    {"web_visitor", Column::kWebVisitor},
    {"web_account", Column::kWebAccount},
};

// Reads RFC 4180 records: fields separated by ',', optionally in double quotes (a quoted field
// may hold ',', '"' doubled and line breaks). Tracks line numbers across quoted line breaks.
class CsvReader {
 public:
  CsvReader(std::streambuf& in, size_t max_record_bytes) : in_(in), max_bytes_(max_record_bytes) {}

  enum class Outcome { kRecord, kEnd, kTooLong, kBadQuote, kUnterminated };

  // One record into `fields`; `start_line` is the line it begins on.
  Outcome next(std::vector<std::string>& fields, size_t& start_line) {
    fields.clear();
    start_line = line_;
    int c = in_.sbumpc();
    if (c == kEof) return Outcome::kEnd;
    std::string field;
    bool in_quotes = false;
    bool was_quoted = false;  // the field opened with a quote (and may have closed)
    size_t bytes = 0;
    for (;; c = in_.sbumpc()) {
      if (c == kEof) {
        if (in_quotes) return Outcome::kUnterminated;
        fields.push_back(std::move(field));
        return Outcome::kRecord;
      }
      if (++bytes > max_bytes_) return Outcome::kTooLong;
      const char ch = static_cast<char>(c);
      if (in_quotes) {
        if (ch == '"') {
          if (in_.sgetc() == '"') {
            field += '"';
            in_.sbumpc();
          } else {
            in_quotes = false;
          }
          continue;
        }
        if (ch == '\n') ++line_;
        field += ch;
        continue;
      }
      if (ch == '\r' && in_.sgetc() == '\n') continue;
      if (ch == ',') {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (ch == '\n') {
        ++line_;
        fields.push_back(std::move(field));
        return Outcome::kRecord;
      } else if (was_quoted) {
        if (ch != ' ' && ch != '\t') return Outcome::kBadQuote;  // `"a"b`: ambiguous, refused
      } else if (ch == '"' && trim_ascii(field).empty()) {
        field.clear();
        in_quotes = true;
        was_quoted = true;
      } else {
        field += ch;
      }
    }
  }

 private:
  std::streambuf& in_;
  size_t max_bytes_;
  size_t line_ = 1;
};

std::vector<std::string> split_values(std::string_view field) {
  std::vector<std::string> out;
  while (true) {
    const size_t bar = field.find('|');
    out.emplace_back(field.substr(0, bar));
    if (bar == std::string_view::npos) break;
    field.remove_prefix(bar + 1);
  }
  return out;
}

std::optional<engine::Error> csv_number(std::string_view text, const Loader& loader, size_t line,
                                        std::string_view field, std::optional<double>& out) {
  std::string_view t = trim_ascii(text);
  if (t.empty()) return std::nullopt;
  if (t.front() == '+') t.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value)) {
    return loader.fail(line, field, "not a number: " + quote(text));
  }
  out = value;
  return std::nullopt;
}

std::optional<engine::Error> csv_record(const std::vector<Column>& columns,
                                        const std::vector<std::string>& values,
                                        const Loader& loader, size_t line, Fields& f) {
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& v = values[i];
    const std::string_view name = kColumns[static_cast<size_t>(columns[i])].first;
    std::optional<engine::Error> e;
    switch (columns[i]) {
      case Column::kId: f.id = v; break;
      case Column::kName: f.name = v; break;
      case Column::kSegment: f.segment = v; break;
      case Column::kCurrentValue: e = csv_number(v, loader, line, name, f.current_value); break;
      case Column::kPotentialValue: e = csv_number(v, loader, line, name, f.potential_value); break;
      case Column::kLifetimeValue: e = csv_number(v, loader, line, name, f.lifetime_value); break;
      case Column::kLanguage: f.language = v; break;
      case Column::kPreferredAgent: f.preferred_agent = v; break;
      case Column::kLastAgent: f.last_agent = v; break;
      case Column::kTags: f.tags = split_values(v); break;
      case Column::kPhone: f.keys[kPhoneKey] = split_values(v); break;
      case Column::kEmail: f.keys[kEmailKey] = split_values(v); break;
      case Column::kWebVisitor: f.keys[kWebVisitorKey] = split_values(v); break;
      case Column::kWebAccount: f.keys[kWebAccountKey] = split_values(v); break;
    }
    if (e) return e;
  }
  return std::nullopt;
}

std::optional<engine::Error> read_csv(std::streambuf& in, Loader& loader) {
  CsvReader reader(in, loader.limits().max_record_bytes);
  std::vector<std::string> values;
  std::vector<Column> columns;
  size_t line = 0;
  const auto blank = [&] { return values.size() == 1 && trim_ascii(values[0]).empty(); };
  for (;;) {
    const CsvReader::Outcome outcome = reader.next(values, line);
    switch (outcome) {
      case CsvReader::Outcome::kRecord: break;
      case CsvReader::Outcome::kEnd:
        if (columns.empty())
          return loader.fail(1, "", "a header row naming the columns is required");
        return std::nullopt;
      case CsvReader::Outcome::kTooLong:
        return loader.exhausted(line, "longer than " +
                                          std::to_string(loader.limits().max_record_bytes) +
                                          " bytes (the limit for one record)");
      case CsvReader::Outcome::kBadQuote:
        return loader.fail(line, "", "text after a closing quote (write \"\" for a quote)");
      case CsvReader::Outcome::kUnterminated:
        return loader.fail(line, "", "quoted field not closed before the end of the file");
    }
    if (blank()) continue;
    if (columns.empty()) {  // the header
      if (!values.empty()) values[0] = std::string(strip_bom(values[0]));
      std::vector<bool> seen(std::size(kColumns), false);
      for (const std::string& raw : values) {
        const std::string name = to_lower_ascii(trim_ascii(raw));
        const auto it = std::find_if(std::begin(kColumns), std::end(kColumns),
                                     [&](const auto& c) { return c.first == name; });
        if (it == std::end(kColumns)) {
          return loader.fail(line, name.empty() ? std::string("(empty)") : name,
                             "unknown column (known: id, name, segment, current_value, "
                             "potential_value, lifetime_value, language, preferred_agent, "
                             "last_agent, tags, phone, email, web_visitor, web_account)");
        }
        const auto index = static_cast<size_t>(it - std::begin(kColumns));
        if (seen[index]) return loader.fail(line, name, "column named twice");
        seen[index] = true;
        columns.push_back(it->second);
      }
      if (!seen[static_cast<size_t>(Column::kId)])
        return loader.fail(line, "id", "column required");
      continue;
    }
    if (values.size() != columns.size()) {
      return loader.fail(line, "",
                         std::to_string(values.size()) + " fields, expected " +
                             std::to_string(columns.size()) + " as in the header");
    }
    Fields fields;
    if (auto e = csv_record(columns, values, loader, line, fields)) return e;
    if (auto e = loader.add(std::move(fields), line, kCsvSpelling)) return e;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

engine::Segment derive_segment(double current_value, double potential_value,
                               const SegmentThresholds& thresholds) {
  if (potential_value >= thresholds.strategic_potential_min) return engine::Segment::kStrategic;
  if (current_value >= thresholds.profitable_current_min) return engine::Segment::kProfitable;
  if (current_value < thresholds.risk_current_below) return engine::Segment::kRisk;
  return engine::Segment::kOrdinary;
}

engine::Result<CustomerFileFormat> customer_file_format(std::string_view path) {
  const std::string extension = to_lower_ascii(std::filesystem::path(path).extension().string());
  if (extension == ".jsonl" || extension == ".json") return CustomerFileFormat::kJsonLines;
  if (extension == ".csv") return CustomerFileFormat::kCsv;
  return engine::invalid_argument(
      std::string(path) + ": unknown customer file format (expected .jsonl, .json or .csv)");
}

MemoryCustomerStore::MemoryCustomerStore(std::string source, std::vector<CustomerRecord> records,
                                         Index index)
    : source_(std::move(source)), records_(std::move(records)), index_(std::move(index)) {}

engine::Result<std::unique_ptr<MemoryCustomerStore>> MemoryCustomerStore::load(
    const std::string& path, const PhoneNormalizer& phones, const CustomerFileOptions& options) {
  auto format = customer_file_format(path);
  if (!format.ok()) return format.error();
  std::error_code ec;
  const uintmax_t bytes = std::filesystem::file_size(path, ec);
  if (ec) return engine::not_found(path + ": cannot read the customer file: " + ec.message());
  if (bytes > options.limits.max_file_bytes) {
    return engine::resource_exhausted(path + ": " + std::to_string(bytes) +
                                      " bytes, more than the limit of " +
                                      std::to_string(options.limits.max_file_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return engine::not_found(path + ": cannot open the customer file");
  Loader loader(path, phones, options);
  const auto error = *format == CustomerFileFormat::kCsv ? read_csv(*in.rdbuf(), loader)
                                                         : read_json_lines(*in.rdbuf(), loader);
  if (error) return *error;
  if (in.bad()) return engine::not_found(path + ": read error");
  return std::unique_ptr<MemoryCustomerStore>(
      new MemoryCustomerStore(path, loader.take_records(), loader.take_index()));
}

engine::Result<std::unique_ptr<MemoryCustomerStore>> MemoryCustomerStore::load_from_string(
    std::string_view text, CustomerFileFormat format, const std::string& source_name,
    const PhoneNormalizer& phones, const CustomerFileOptions& options) {
  if (text.size() > options.limits.max_file_bytes) {
    return engine::resource_exhausted(source_name + ": " + std::to_string(text.size()) +
                                      " bytes, more than the limit of " +
                                      std::to_string(options.limits.max_file_bytes));
  }
  ViewBuf in(text);
  Loader loader(source_name, phones, options);
  const auto error =
      format == CustomerFileFormat::kCsv ? read_csv(in, loader) : read_json_lines(in, loader);
  if (error) return *error;
  return std::unique_ptr<MemoryCustomerStore>(
      new MemoryCustomerStore(source_name, loader.take_records(), loader.take_index()));
}

void MemoryCustomerStore::lookup(const CustomerKeys& keys, std::function<void(LookupResult)> done) {
  LookupResult result;
  {
    std::lock_guard lock(mu_);
    for (size_t k = 0; k < kKeyPrecedence.size(); ++k) {
      const std::string& key = keys.*kKeyPrecedence[k].key;
      if (key.empty()) continue;
      const auto it = index_[k].find(key);
      if (it == index_[k].end()) continue;
      result.customer = records_[it->second];
      result.matched_by = std::string(kKeyPrecedence[k].matched_by);
      break;
    }
  }
  done(std::move(result));  // outside the lock: `done` may call back into the store
}

void MemoryCustomerStore::record_contact(const std::string& customer_id, const std::string& agent,
                                         int64_t unix_s) {
  const auto it = index_[kIdKey].find(customer_id);
  if (it == index_[kIdKey].end()) return;
  std::lock_guard lock(mu_);
  CustomerRecord& r = records_[it->second];
  r.last_agent = agent;
  r.last_contact_unix_s = unix_s;
}

std::string MemoryCustomerStore::describe() const {
  return "memory customer store: " + source_ + ", " + std::to_string(size()) + " customers";
}

size_t MemoryCustomerStore::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace router::adapters::channels
