// customergen: writes a large synthetic customer file (JSON Lines or CSV, the formats of
// adapters/channels/customer_file.h) for load tests of the customer store and of
// `routerctl customers import`. Deterministic: the same flags write the same bytes on every
// platform (own PRNG and distributions, no std:: distributions, whose output is unspecified).
// Every key is unique by construction (phone, email, visitor and account numbers come from
// bijections of per-kind counters), so a generated file imports without key conflicts unless
// --invalid-percent asks for bad records.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Customer numbers stay below this so every spread() below is a bijection on its own range.
constexpr uint64_t kMaxNumber = 50'000'000;

// splitmix64: small, fast, and the same sequence everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }  // bias < n / 2^64: irrelevant here
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <class T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }
  int64_t range(int64_t lo, int64_t hi, int64_t step) {  // lo, lo+step, ... < hi
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>((hi - lo) / step))) * step;
  }

 private:
  uint64_t state_;
};

// A bijection of [0, m): x → (a·x + b) mod m, with a coprime to m. Spreads counters over a
// number space so consecutive customers do not get consecutive numbers, without repeats.
// No overflow: either x·a < 2^64, or m divides 2^64 (wrapping keeps the residue).
uint64_t spread(uint64_t x, uint64_t m) {
  constexpr uint64_t kA = 2654435761ull;  // prime, not a factor of any m used below
  return (x % m * kA + 12345) % m;
}

struct Language {
  const char* code;
  double share;
};
constexpr Language kLanguages[] = {
    {"en", 0.70}, {"es", 0.12}, {"zh", 0.10}, {"fr", 0.04}, {"de", 0.04}};

const char* const kEnFirst[] = {"Ada",  "Ben",  "Cara", "Dan",  "Eve",  "Finn", "Gina",
                                "Hugo", "Iris", "Jack", "Kate", "Liam", "Mia",  "Noah",
                                "Olga", "Paul", "Rosa", "Sam",  "Tess", "Uma",  "Zoe"};
const char* const kEnLast[] = {"Smith", "Jones", "Brown",  "Taylor", "Wilson", "Davies",
                               "Evans", "Moore", "Clark",  "Lewis",  "Walker", "Hall",
                               "Young", "King",  "Wright", "Green",  "Baker",  "Hill"};
const char* const kEsFirst[] = {"Ana",   "Luis",  "Sofia", "Diego",
                                "Lucia", "Mateo", "Elena", "Pablo"};
const char* const kEsLast[] = {"Garcia", "Martinez", "Lopez", "Sanchez", "Perez", "Gomez", "Diaz"};
const char* const kZhFirst[] = {"Wei", "Fang", "Jing", "Lei", "Min", "Hui",
                                "Yan", "Tao",  "Xin",  "Jun", "Ling"};
const char* const kZhLast[] = {"Chen", "Wang", "Li", "Zhang", "Liu", "Yang", "Huang", "Zhao"};
const char* const kFrFirst[] = {"Camille", "Louis", "Chloe", "Hugo", "Manon", "Jules"};
const char* const kFrLast[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit"};
const char* const kDeFirst[] = {"Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas"};
const char* const kDeLast[] = {"Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer"};
const char* const kUsAreas[] = {"212", "213", "206", "303", "305", "312", "404",
                                "415", "503", "512", "602", "617", "702", "713",
                                "718", "801", "808", "813", "916", "919"};
const char* const kMailDomains[] = {"example.com", "example.net", "example.org",
                                    "mail.example.com"};
const char* const kWorkDomains[] = {"corp.example", "work.example.net", "acme.example"};
const char* const kTags[] = {"newsletter", "beta", "reseller", "student", "partner"};

// Segment shares as in the demo file (tools/routerdemo/make_customers.py).
enum Segment { kStrategic, kProfitable, kOrdinary, kRisk };
const char* const kSegmentNames[] = {"strategic", "profitable", "ordinary", "risk"};

struct Customer {
  std::string id, name, segment, language, preferred_agent, last_agent;
  int64_t current_value = 0, potential_value = 0;
  std::vector<std::string> tags, phones, emails, visitors, accounts;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string title(std::string s) {  // "ada.chen@example.com" → "Ada.Chen@Example.Com"
  bool start = true;
  for (char& c : s) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z');
  }
  return s;
}

std::string digits(uint64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

// Phone numbers: customer number × 2 + slot (at most two of each kind per customer) spread over
// a number space, spelled as CRMs spell them. Unique for customer numbers below kMaxNumber.
class Phones {
 public:
  static std::string us(Rng& rng, uint64_t slot) {
    // 20 area codes × exchanges 200..999 × 10,000 lines.
    const uint64_t n = spread(slot, 20ull * 800 * 10000);
    const std::string area = kUsAreas[n / (800 * 10000)];
    const std::string exchange = digits(200 + n / 10000 % 800, 3);
    const std::string line = digits(n % 10000, 4);
    switch (rng.below(5)) {
      case 0: return "+1 " + area + " " + exchange + " " + line;
      case 1: return "(" + area + ") " + exchange + "-" + line;
      case 2: return area + "." + exchange + "." + line;
      case 3: return "+1" + area + exchange + line;
      default: return "1-" + area + "-" + exchange + "-" + line;
    }
  }
  static std::string abroad(std::string_view language, uint64_t slot) {
    const uint64_t n = spread(slot, 100'000'000);
    const std::string d = digits(n, 8);
    if (language == "zh") return "+86 21 " + d.substr(0, 4) + " " + d.substr(4);  // Shanghai
    if (language == "es") return "+52 55 " + d.substr(0, 4) + " " + d.substr(4);  // Mexico City
    if (language == "fr") {
      return "+33 1 " + d.substr(0, 2) + " " + d.substr(2, 2) + " " + d.substr(4, 2) + " " +
             d.substr(6);  // Paris
    }
    return "+49 30 " + d;  // Berlin
  }
};

Customer make(Rng& rng, uint64_t number, const std::string& id_prefix, double invalid_share) {
  Customer c;
  c.id = id_prefix + std::to_string(number);
  const double s = rng.unit();
  const Segment segment = s < 0.10   ? kStrategic
                          : s < 0.30 ? kProfitable
                          : s < 0.90 ? kOrdinary
                                     : kRisk;
  double l = rng.unit();
  const Language* language = &kLanguages[0];
  for (const Language& candidate : kLanguages) {
    language = &candidate;
    if ((l -= candidate.share) < 0) break;
  }
  c.language = language->code;
  const std::string_view lang = c.language;
  std::string first, last;
  if (lang == "es") {
    first = rng.pick(kEsFirst), last = rng.pick(kEsLast);
  } else if (lang == "zh") {
    first = rng.pick(kZhFirst), last = rng.pick(kZhLast);
  } else if (lang == "fr") {
    first = rng.pick(kFrFirst), last = rng.pick(kFrLast);
  } else if (lang == "de") {
    first = rng.pick(kDeFirst), last = rng.pick(kDeLast);
  } else {
    first = rng.pick(kEnFirst), last = rng.pick(kEnLast);
  }
  c.name = first + " " + last;

  // Values typical of the segment; a third of ordinary and profitable customers leave the
  // segment to routerd, which derives the same one from these values.
  switch (segment) {
    case kStrategic:
      c.current_value = rng.range(500, 8000, 50),
      c.potential_value = rng.range(50000, 150000, 1000);
      break;
    case kProfitable:
      c.current_value = rng.range(10000, 40000, 100), c.potential_value = rng.range(0, 15000, 500);
      break;
    case kRisk:
      c.current_value = -rng.range(100, 3000, 10), c.potential_value = rng.range(0, 1000, 50);
      break;
    case kOrdinary:
      c.current_value = rng.range(20, 2000, 10), c.potential_value = rng.range(0, 5000, 100);
      break;
  }
  if (segment == kStrategic || segment == kRisk || rng.chance(0.67)) {
    c.segment = kSegmentNames[segment];
  }
  if (segment == kStrategic && rng.chance(0.6)) {
    c.preferred_agent = "a" + digits(35 + rng.below(5), 2);
  } else if (rng.chance(0.03)) {
    c.preferred_agent = "a" + digits(1 + rng.below(50), 2);
  }
  if (rng.chance(0.1)) c.last_agent = "a" + digits(1 + rng.below(50), 2);
  if (segment == kStrategic) c.tags.emplace_back("vip");
  if (segment == kRisk) c.tags.emplace_back(rng.chance(0.5) ? "churn-risk" : "payment-overdue");
  if (rng.chance(0.2)) c.tags.emplace_back(rng.pick(kTags));

  // Keys: 1-3 phones (abroad ones for non-English speakers), 1-2 emails, 0-2 web visitors,
  // a web account for 60%. The customer number makes the emails unique.
  const uint64_t slot = number * 2;
  c.phones.push_back(lang != "en" && rng.chance(0.5) ? Phones::abroad(lang, slot)
                                                     : Phones::us(rng, slot));
  if (rng.chance(0.25)) c.phones.push_back(Phones::us(rng, slot + 1));
  if (lang != "en" && rng.chance(0.2)) c.phones.push_back(Phones::abroad(lang, slot + 1));
  const std::string person = lower(first) + "." + lower(last) + "." + std::to_string(number);
  c.emails.push_back(person + "@" + rng.pick(kMailDomains));
  if (rng.chance(0.2)) {
    c.emails.push_back(lower(first.substr(0, 1)) + lower(last) + std::to_string(number) + "@" +
                       rng.pick(kWorkDomains));
  }
  for (std::string& e : c.emails) {
    if (rng.chance(0.15)) e = title(e);  // CRMs keep the case the customer typed
  }
  const uint64_t visitors = rng.below(4) == 0 ? 0 : 1 + (rng.below(3) == 0 ? 1 : 0);
  for (uint64_t v = 0; v < visitors; ++v) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "v-%012llx",
                  static_cast<unsigned long long>(spread(number * 2 + v, 1ull << 48)));
    c.visitors.emplace_back(hex);
  }
  if (rng.chance(0.6)) c.accounts.push_back("acct-" + std::to_string(number));
  if (invalid_share > 0 && rng.chance(invalid_share)) c.phones.front() = "12";
  return c;
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}

void json_list(std::string& out, const char* name, const std::vector<std::string>& values) {
  out += ",\"";
  out += name;
  out += "\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    json_string(out, values[i]);
  }
  out += ']';
}

void write_json(std::string& out, const Customer& c) {
  out += "{\"id\":";
  json_string(out, c.id);
  out += ",\"name\":";
  json_string(out, c.name);
  if (!c.segment.empty()) {
    out += ",\"segment\":";
    json_string(out, c.segment);
  }
  out += ",\"current_value\":" + std::to_string(c.current_value);
  out += ",\"potential_value\":" + std::to_string(c.potential_value);
  out += ",\"language\":";
  json_string(out, c.language);
  if (!c.preferred_agent.empty()) {
    out += ",\"preferred_agent\":";
    json_string(out, c.preferred_agent);
  }
  if (!c.last_agent.empty()) {
    out += ",\"last_agent\":";
    json_string(out, c.last_agent);
  }
  json_list(out, "tags", c.tags);
  json_list(out, "phones", c.phones);
  json_list(out, "emails", c.emails);
  json_list(out, "web_visitors", c.visitors);
  json_list(out, "web_accounts", c.accounts);
  out += "}\n";
}

constexpr const char* kCsvHeader =
    "id,name,segment,current_value,potential_value,language,preferred_agent,last_agent,tags,"
    "phone,email,web_visitor,web_account\n";

void csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void csv_list(std::string& out, const std::vector<std::string>& values) {
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) joined += (i > 0 ? "|" : "") + values[i];
  out += ',';
  csv_field(out, joined);
}

void write_csv(std::string& out, const Customer& c) {
  csv_field(out, c.id);
  out += ',';
  csv_field(out, c.name);
  out += ',' + c.segment + ',' + std::to_string(c.current_value) + ',' +
         std::to_string(c.potential_value) + ',' + c.language + ',' + c.preferred_agent + ',' +
         c.last_agent;
  csv_list(out, c.tags);
  csv_list(out, c.phones);
  csv_list(out, c.emails);
  csv_list(out, c.visitors);
  csv_list(out, c.accounts);
  out += '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "customergen: writes a synthetic customer file (JSON Lines or CSV) for load tests of the "
      "customer store and 'routerctl customers import'. The same flags always write the same "
      "file.",
      "customergen"};
  uint64_t count = 1000;
  uint64_t seed = 1;
  std::string format;
  std::string out_path = "-";
  std::string id_prefix = "G";
  uint64_t first_number = 1;
  double invalid_percent = 0;
  app.add_option("--count", count, "customers to write")
      ->check(CLI::Range(uint64_t{1}, kMaxNumber))
      ->capture_default_str();
  app.add_option("--seed", seed, "PRNG seed: the same seed writes the same file")
      ->capture_default_str();
  app.add_option("--format", format,
                 "jsonl or csv (default: from --out's extension, jsonl for stdout)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  app.add_option("--out", out_path, "file to write, '-' for stdout")->capture_default_str();
  app.add_option("--id-prefix", id_prefix, "customer ids are PREFIX + number")
      ->capture_default_str();
  app.add_option("--first", first_number,
                 "number of the first customer (ids and every key derive from it); files "
                 "meant to be loaded together need disjoint ranges")
      ->capture_default_str();
  app.add_option("--invalid-percent", invalid_percent,
                 "percent of records given an invalid phone number (\"12\"), to exercise "
                 "import error reporting")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.footer(
      "Mix: segments strategic 10%, profitable 20%, ordinary 60%, risk 10%, with values "
      "typical of each; a third of ordinary and profitable records leave the segment out "
      "(derived from the values at lookup). Languages en 70%, es 12%, zh 10%, fr 4%, de 4%. "
      "1-3 phones (US numbers in assorted spellings; +52/+86/+33/+49 numbers for non-English "
      "speakers), 1-2 emails (some mixed case), 0-2 web visitor ids, a web account for 60%. "
      "Every key is unique within a file and across files with disjoint --first ranges.\n\n"
      "Examples:\n"
      "  customergen --count 1000000 --out customers-1m.jsonl\n"
      "  customergen --count 100000 --seed 7 --format csv > customers.csv\n"
      "  customergen --count 1000 --invalid-percent 1 --out with-errors.jsonl");
  CLI11_PARSE(app, argc, argv);
  if (first_number + count > kMaxNumber) {
    std::cerr << "customergen: --first + --count must stay below " << kMaxNumber
              << " (keys are unique only below it)\n";
    return 2;
  }

  if (format.empty()) {
    const bool csv = out_path.size() > 4 && out_path.compare(out_path.size() - 4, 4, ".csv") == 0;
    format = csv ? "csv" : "jsonl";
  }
  std::FILE* out = out_path == "-" ? stdout : std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    std::cerr << "customergen: cannot write " << out_path << ": " << std::strerror(errno) << '\n';
    return 1;
  }
  const bool csv = format == "csv";
  Rng rng(seed);
  std::string buffer;
  constexpr size_t kFlushBytes = 1 << 20;
  buffer.reserve(kFlushBytes + 4096);
  if (csv) buffer += kCsvHeader;
  bool ok = true;
  for (uint64_t i = 0; i < count && ok; ++i) {
    const Customer c = make(rng, first_number + i, id_prefix, invalid_percent / 100);
    csv ? write_csv(buffer, c) : write_json(buffer, c);
    if (buffer.size() >= kFlushBytes || i + 1 == count) {
      ok = std::fwrite(buffer.data(), 1, buffer.size(), out) == buffer.size();
      buffer.clear();
    }
  }
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok || std::fflush(stdout) != 0) {
    std::cerr << "customergen: write error on " << out_path << '\n';
    return 1;
  }
  return 0;
}
