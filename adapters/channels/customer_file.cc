// Customer files (JSON Lines, CSV) → validated records, one at a time. Both formats are read as
// a stream, character by character from a streambuf, so only one record's text is held.
#include "adapters/channels/customer_file.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <streambuf>
#include <utility>

namespace router::adapters::channels {
namespace {

constexpr size_t kKeyKinds = std::size(kCustomerKeyKinds);
constexpr size_t kind_index(CustomerKeyKind k) { return static_cast<size_t>(k); }
constexpr size_t kPhoneKey = kind_index(CustomerKeyKind::kPhone);
constexpr size_t kEmailKey = kind_index(CustomerKeyKind::kEmail);
constexpr size_t kWebVisitorKey = kind_index(CustomerKeyKind::kWebVisitor);
constexpr size_t kWebAccountKey = kind_index(CustomerKeyKind::kWebAccount);

// One record as read, before validation and normalization.
struct Fields {
  std::string id, name, segment, language, preferred_agent, last_agent;
  std::optional<double> current_value, potential_value, lifetime_value;
  std::vector<std::string> tags;
  std::array<std::vector<std::string>, kKeyKinds> keys;  // by CustomerKeyKind
};

// How a format spells the key fields, for error messages.
struct Spelling {
  std::array<const char*, kKeyKinds> key_field;  // by CustomerKeyKind
  bool index_lists;  // JSON names an element ("phones[1]"); CSV the column ("phone")
};
constexpr Spelling kJsonSpelling{{"phones", "emails", "web_visitors", "web_accounts"}, true};
constexpr Spelling kCsvSpelling{{"phone", "email", "web_visitor", "web_account"}, false};

// A read-only streambuf over text that outlives it (from_string reads without a copy).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());  // never written: no put area, no putback
    setg(p, p, p + text.size());
  }
};

constexpr int kEof = std::char_traits<char>::eof();

// A streambuf that counts what it hands out (progress reports).
class Input {
 public:
  explicit Input(std::streambuf& buf) : buf_(buf) {}
  int bump() {
    const int c = buf_.sbumpc();
    if (c != kEof) ++consumed_;
    return c;
  }
  int peek() { return buf_.sgetc(); }
  uint64_t consumed() const { return consumed_; }

 private:
  std::streambuf& buf_;
  uint64_t consumed_ = 0;
};

// One line without its "\n" (or "\r\n"). False at the end of the input. A line longer than
// `max_bytes` is consumed whole but not kept, and `too_long` is set.
bool read_line(Input& in, std::string& line, size_t max_bytes, bool& too_long) {
  line.clear();
  too_long = false;
  int c = in.bump();
  if (c == kEof) return false;
  for (; c != kEof && c != '\n'; c = in.bump()) {
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

// Validates and normalizes one record's fields. Every error is "<source>:<line>: <field>: <what>".
class Validator {
 public:
  Validator(std::string source, const PhoneNormalizer& phones, CustomerFileOptions options)
      : source_(std::move(source)), phones_(phones), options_(std::move(options)) {}

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

  std::optional<engine::Error> validate(Fields&& in, size_t line, const Spelling& spelling,
                                        CustomerEntry& out) const {
    out = CustomerEntry();
    out.line = line;
    ports::CustomerRecord& r = out.record;
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
      r.segment = engine::derive_segment(r.current_value, r.potential_value, options_.segments);
    } else if (auto s = engine::parse_segment(in.segment)) {
      r.segment = *s;
      out.segment_explicit = true;
    } else {
      return fail(
          line, "segment",
          "must be strategic, profitable, ordinary or risk, got " + engine::quote(in.segment));
    }

    if (auto e = list(in.tags, line, "tags", spelling, r.tags)) return e;
    std::vector<std::string>* const keys[kKeyKinds] = {&out.phones, &out.emails, &out.web_visitors,
                                                       &out.web_accounts};
    for (size_t k = 0; k < kKeyKinds; ++k) {
      if (auto e = key_list(k, in.keys[k], line, spelling, *keys[k])) return e;
    }
    return std::nullopt;
  }

 private:
  std::string source_;
  const PhoneNormalizer& phones_;
  CustomerFileOptions options_;

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

std::optional<engine::Error> json_text(const nlohmann::json& v, const Validator& check, size_t line,
                                       const std::string& field, std::string& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) return check.fail(line, field, "must be a string");
  out = v.get<std::string>();
  return std::nullopt;
}

std::optional<engine::Error> json_number(const nlohmann::json& v, const Validator& check,
                                         size_t line, const std::string& field,
                                         std::optional<double>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) return check.fail(line, field, "must be a number");
  out = v.get<double>();
  return std::nullopt;
}

std::optional<engine::Error> json_list(const nlohmann::json& v, const Validator& check, size_t line,
                                       const std::string& field, std::vector<std::string>& out) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return std::nullopt;
  }
  if (!v.is_array()) return check.fail(line, field, "must be an array of strings");
  if (v.size() > check.limits().max_values) {
    return check.fail(line, field,
                      "more than " + std::to_string(check.limits().max_values) + " values");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return check.fail(line, field + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.push_back(v[i].get<std::string>());
  }
  return std::nullopt;
}

std::optional<engine::Error> json_record(const nlohmann::json& object, const Validator& check,
                                         size_t line, Fields& f) {
  if (!object.is_object()) {
    return check.fail(line, "", "expected a JSON object (one customer per line: JSON Lines)");
  }
  for (const auto& [key, v] : object.items()) {
    std::optional<engine::Error> e;
    if (key == "id") {
      if (v.is_number_integer()) {
        f.id = v.dump();
      } else {
        e = json_text(v, check, line, key, f.id);
      }
    } else if (key == "name") {
      e = json_text(v, check, line, key, f.name);
    } else if (key == "segment") {
      e = json_text(v, check, line, key, f.segment);
    } else if (key == "language") {
      e = json_text(v, check, line, key, f.language);
    } else if (key == "preferred_agent") {
      e = json_text(v, check, line, key, f.preferred_agent);
    } else if (key == "last_agent") {
      e = json_text(v, check, line, key, f.last_agent);
    } else if (key == "current_value") {
      e = json_number(v, check, line, key, f.current_value);
    } else if (key == "potential_value") {
      e = json_number(v, check, line, key, f.potential_value);
    } else if (key == "lifetime_value") {
      e = json_number(v, check, line, key, f.lifetime_value);
    } else if (key == "tags") {
      e = json_list(v, check, line, key, f.tags);
    } else if (key == "phones") {
      e = json_list(v, check, line, key, f.keys[kPhoneKey]);
    } else if (key == "emails") {
      e = json_list(v, check, line, key, f.keys[kEmailKey]);
    } else if (key == "web_visitors") {
      e = json_list(v, check, line, key, f.keys[kWebVisitorKey]);
    } else if (key == "web_accounts") {
      e = json_list(v, check, line, key, f.keys[kWebAccountKey]);
    } else {
      e = check.fail(line, key, "unknown field");
    }
    if (e) return e;
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
  CsvReader(Input& in, size_t max_record_bytes) : in_(in), max_bytes_(max_record_bytes) {}

  enum class Outcome { kRecord, kEnd, kTooLong, kBadQuote, kUnterminated };

  // One record into `fields`; `start_line` is the line it begins on.
  Outcome next(std::vector<std::string>& fields, size_t& start_line) {
    fields.clear();
    start_line = line_;
    int c = in_.bump();
    if (c == kEof) return Outcome::kEnd;
    std::string field;
    bool in_quotes = false;
    bool was_quoted = false;  // the field opened with a quote (and may have closed)
    size_t bytes = 0;
    for (;; c = in_.bump()) {
      if (c == kEof) {
        if (in_quotes) return Outcome::kUnterminated;
        fields.push_back(std::move(field));
        return Outcome::kRecord;
      }
      if (++bytes > max_bytes_) return Outcome::kTooLong;
      const char ch = static_cast<char>(c);
      if (in_quotes) {
        if (ch == '"') {
          if (in_.peek() == '"') {
            field += '"';
            in_.bump();
          } else {
            in_quotes = false;
          }
          continue;
        }
        if (ch == '\n') ++line_;
        field += ch;
        continue;
      }
      if (ch == '\r' && in_.peek() == '\n') continue;
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
  Input& in_;
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

std::optional<engine::Error> csv_number(std::string_view text, const Validator& check, size_t line,
                                        std::string_view field, std::optional<double>& out) {
  std::string_view t = trim_ascii(text);
  if (t.empty()) return std::nullopt;
  if (t.front() == '+') t.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value)) {
    return check.fail(line, field, "not a number: " + engine::quote(text));
  }
  out = value;
  return std::nullopt;
}

std::optional<engine::Error> csv_record(const std::vector<Column>& columns,
                                        const std::vector<std::string>& values,
                                        const Validator& check, size_t line, Fields& f) {
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& v = values[i];
    const std::string_view name = kColumns[static_cast<size_t>(columns[i])].first;
    std::optional<engine::Error> e;
    switch (columns[i]) {
      case Column::kId: f.id = v; break;
      case Column::kName: f.name = v; break;
      case Column::kSegment: f.segment = v; break;
      case Column::kCurrentValue: e = csv_number(v, check, line, name, f.current_value); break;
      case Column::kPotentialValue: e = csv_number(v, check, line, name, f.potential_value); break;
      case Column::kLifetimeValue: e = csv_number(v, check, line, name, f.lifetime_value); break;
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

std::string too_long_message(size_t max_record_bytes) {
  return "longer than " + std::to_string(max_record_bytes) + " bytes (the limit for one record)";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct CustomerFileReader::State {
  State(std::string source, const PhoneNormalizer& phones, CustomerFileOptions options,
        CustomerFileFormat format, std::streambuf& buf, uint64_t total)
      : check(std::move(source), phones, std::move(options)),
        format(format),
        input(buf),
        csv(input, check.limits().max_record_bytes),
        total_bytes(total) {}

  using Step = CustomerFileReader::Step;

  Validator check;
  CustomerFileFormat format;
  std::unique_ptr<std::ifstream> file;  // open(): owns the file behind `input`
  std::unique_ptr<ViewBuf> view;        // from_string(): the text behind `input`
  Input input;
  CsvReader csv;
  uint64_t total_bytes;
  bool done = false;
  size_t records = 0;            // non-blank records seen, good or bad
  size_t json_line = 0;          // JSON Lines: the last line read
  std::vector<Column> columns;   // CSV: from the header; empty until it is read
  std::string text;              // JSON Lines: the current line
  std::vector<std::string> row;  // CSV: the current record's fields

  Step stop(engine::Error e, engine::Error& error) {
    done = true;
    error = std::move(e);
    return Step::kFatal;
  }

  // The end of the input: a read error is not an end.
  Step end(engine::Error& error) {
    done = true;
    if (file && file->bad()) {
      return stop(engine::not_found(check.source() + ": read error"), error);
    }
    return Step::kEnd;
  }

  // False (and a fatal error) past max_records.
  bool count(size_t line, engine::Error& error) {
    if (++records <= check.limits().max_records) return true;
    stop(check.exhausted(line, "more than " + std::to_string(check.limits().max_records) +
                                   " customer records (the limit)"),
         error);
    return false;
  }

  Step next_json(CustomerEntry& entry, engine::Error& error) {
    bool too_long = false;
    while (read_line(input, text, check.limits().max_record_bytes, too_long)) {
      const size_t line = ++json_line;
      if (too_long) {
        if (!count(line, error)) return Step::kFatal;
        error = check.exhausted(line, too_long_message(check.limits().max_record_bytes));
        return Step::kRejected;
      }
      const std::string_view body = trim_ascii(line == 1 ? strip_bom(text) : text);
      if (body.empty()) continue;
      if (!count(line, error)) return Step::kFatal;
      nlohmann::json object;
      try {
        object = nlohmann::json::parse(body);
      } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number beyond a double ("3e1200").
        std::string what = e.what();
        if (const size_t at = what.find("] "); at != std::string::npos) what.erase(0, at + 2);
        error = check.fail(line, "", "not valid JSON: " + what);
        return Step::kRejected;
      }
      Fields fields;
      auto e = json_record(object, check, line, fields);
      if (!e) e = check.validate(std::move(fields), line, kJsonSpelling, entry);
      if (!e) return Step::kEntry;
      error = std::move(*e);
      return Step::kRejected;
    }
    return end(error);
  }

  // One CSV record into `row`, skipping blank ones; kEntry means "a record", else what stopped.
  Step read_row(size_t& line, engine::Error& error) {
    for (;;) {
      switch (csv.next(row, line)) {
        case CsvReader::Outcome::kRecord: break;
        case CsvReader::Outcome::kEnd:
          if (columns.empty()) {
            return stop(check.fail(1, "", "a header row naming the columns is required"), error);
          }
          return end(error);
        case CsvReader::Outcome::kTooLong:
          return stop(check.exhausted(line, too_long_message(check.limits().max_record_bytes)),
                      error);
        case CsvReader::Outcome::kBadQuote:
          return stop(check.fail(line, "", "text after a closing quote (write \"\" for a quote)"),
                      error);
        case CsvReader::Outcome::kUnterminated:
          return stop(check.fail(line, "", "quoted field not closed before the end of the file"),
                      error);
      }
      if (!(row.size() == 1 && trim_ascii(row[0]).empty())) return Step::kEntry;
    }
  }

  std::optional<engine::Error> read_header(size_t line) {
    if (!row.empty()) row[0] = std::string(strip_bom(row[0]));
    std::vector<bool> seen(std::size(kColumns), false);
    for (const std::string& raw : row) {
      const std::string name = to_lower_ascii(trim_ascii(raw));
      const auto it = std::find_if(std::begin(kColumns), std::end(kColumns),
                                   [&](const auto& c) { return c.first == name; });
      if (it == std::end(kColumns)) {
        return check.fail(line, name.empty() ? std::string("(empty)") : name,
                          "unknown column (known: id, name, segment, current_value, "
                          "potential_value, lifetime_value, language, preferred_agent, "
                          "last_agent, tags, phone, email, web_visitor, web_account)");
      }
      const auto index = static_cast<size_t>(it - std::begin(kColumns));
      if (seen[index]) return check.fail(line, name, "column named twice");
      seen[index] = true;
      columns.push_back(it->second);
    }
    if (!seen[static_cast<size_t>(Column::kId)]) return check.fail(line, "id", "column required");
    return std::nullopt;
  }

  Step next_csv(CustomerEntry& entry, engine::Error& error) {
    size_t line = 0;
    if (columns.empty()) {
      if (const Step s = read_row(line, error); s != Step::kEntry) return s;
      if (auto e = read_header(line)) {
        columns.clear();
        return stop(std::move(*e), error);
      }
    }
    if (const Step s = read_row(line, error); s != Step::kEntry) return s;
    if (!count(line, error)) return Step::kFatal;
    if (row.size() != columns.size()) {
      error = check.fail(line, "",
                         std::to_string(row.size()) + " fields, expected " +
                             std::to_string(columns.size()) + " as in the header");
      return Step::kRejected;
    }
    Fields fields;
    auto e = csv_record(columns, row, check, line, fields);
    if (!e) e = check.validate(std::move(fields), line, kCsvSpelling, entry);
    if (!e) return Step::kEntry;
    error = std::move(*e);
    return Step::kRejected;
  }
};

engine::Result<CustomerFileFormat> customer_file_format(std::string_view path) {
  const std::string extension = to_lower_ascii(std::filesystem::path(path).extension().string());
  if (extension == ".jsonl" || extension == ".json") return CustomerFileFormat::kJsonLines;
  if (extension == ".csv") return CustomerFileFormat::kCsv;
  return engine::invalid_argument(
      std::string(path) + ": unknown customer file format (expected .jsonl, .json or .csv)");
}

std::string_view customer_key_field(CustomerFileFormat format, CustomerKeyKind kind) {
  const Spelling& s = format == CustomerFileFormat::kCsv ? kCsvSpelling : kJsonSpelling;
  return s.key_field[kind_index(kind)];
}

CustomerFileReader::CustomerFileReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
CustomerFileReader::~CustomerFileReader() = default;

engine::Result<std::unique_ptr<CustomerFileReader>> CustomerFileReader::open(
    const std::string& path, const PhoneNormalizer& phones, CustomerFileOptions options) {
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
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) return engine::not_found(path + ": cannot open the customer file");
  auto state =
      std::make_unique<State>(path, phones, std::move(options), *format, *file->rdbuf(), bytes);
  state->file = std::move(file);
  return std::unique_ptr<CustomerFileReader>(new CustomerFileReader(std::move(state)));
}

engine::Result<std::unique_ptr<CustomerFileReader>> CustomerFileReader::from_string(
    std::string_view text, CustomerFileFormat format, std::string source_name,
    const PhoneNormalizer& phones, CustomerFileOptions options) {
  if (text.size() > options.limits.max_file_bytes) {
    return engine::resource_exhausted(source_name + ": " + std::to_string(text.size()) +
                                      " bytes, more than the limit of " +
                                      std::to_string(options.limits.max_file_bytes));
  }
  auto view = std::make_unique<ViewBuf>(text);
  auto state = std::make_unique<State>(std::move(source_name), phones, std::move(options), format,
                                       *view, text.size());
  state->view = std::move(view);
  return std::unique_ptr<CustomerFileReader>(new CustomerFileReader(std::move(state)));
}

CustomerFileReader::Step CustomerFileReader::next(CustomerEntry& entry, engine::Error& error) {
  if (state_->done) return Step::kEnd;
  return state_->format == CustomerFileFormat::kCsv ? state_->next_csv(entry, error)
                                                    : state_->next_json(entry, error);
}

const std::string& CustomerFileReader::source() const { return state_->check.source(); }
std::string_view CustomerFileReader::key_field(CustomerKeyKind kind) const {
  return customer_key_field(state_->format, kind);
}
CustomerFileFormat CustomerFileReader::format() const { return state_->format; }
uint64_t CustomerFileReader::bytes_read() const { return state_->input.consumed(); }
uint64_t CustomerFileReader::total_bytes() const { return state_->total_bytes; }

}  // namespace router::adapters::channels
