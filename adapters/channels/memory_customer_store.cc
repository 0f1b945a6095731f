// Customer files → records indexed by every lookup key. The file is read record by record
// (customer_file.h); this store adds the check that every key belongs to one record.
#include "adapters/channels/memory_customer_store.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

namespace router::adapters::channels {
namespace {

using Index = std::array<std::unordered_map<std::string, size_t>, ports::kKeyPrecedence.size()>;

// Positions of the key kinds in kKeyPrecedence (and in Index).
constexpr size_t kIdKey = 0;
constexpr size_t kWebAccountKey = 1;
constexpr size_t kPhoneKey = 2;
constexpr size_t kEmailKey = 3;
constexpr size_t kWebVisitorKey = 4;
static_assert(ports::kKeyPrecedence[kIdKey].key == &ports::CustomerKeys::customer_id);
static_assert(ports::kKeyPrecedence[kWebAccountKey].key == &ports::CustomerKeys::web_account);
static_assert(ports::kKeyPrecedence[kPhoneKey].key == &ports::CustomerKeys::phone_e164);
static_assert(ports::kKeyPrecedence[kEmailKey].key == &ports::CustomerKeys::email);
static_assert(ports::kKeyPrecedence[kWebVisitorKey].key == &ports::CustomerKeys::web_visitor);

constexpr std::pair<size_t, CustomerKeyKind> kKeyKindsByPosition[] = {
    {kWebAccountKey, CustomerKeyKind::kWebAccount},
    {kPhoneKey, CustomerKeyKind::kPhone},
    {kEmailKey, CustomerKeyKind::kEmail},
    {kWebVisitorKey, CustomerKeyKind::kWebVisitor},
};

// The records of a file and their index; fails at the first bad record or key already taken.
struct Loaded {
  std::vector<ports::CustomerRecord> records;
  Index index;
};

engine::Result<Loaded> load_all(CustomerFileReader& reader) {
  Loaded out;
  std::vector<size_t> lines;  // line of each record, for duplicate errors
  CustomerEntry entry;
  engine::Error error{engine::ErrorCode::kInvalidArgument, {}};
  const auto fail = [&](size_t line, std::string_view field, const std::string& what) {
    return engine::invalid_argument(reader.source() + ":" + std::to_string(line) + ": " +
                                    std::string(field) + ": " + what);
  };
  for (;;) {
    switch (reader.next(entry, error)) {
      case CustomerFileReader::Step::kEntry: break;
      case CustomerFileReader::Step::kRejected:
      case CustomerFileReader::Step::kFatal: return error;
      case CustomerFileReader::Step::kEnd: return out;
    }
    std::array<const std::vector<std::string>*, ports::kKeyPrecedence.size()> keys{};
    const std::vector<std::string> id{entry.record.customer_id};
    keys[kIdKey] = &id;
    for (const auto& [k, kind] : kKeyKindsByPosition) keys[k] = &entry.keys(kind);
    for (size_t k = 0; k < keys.size(); ++k) {
      for (const std::string& key : *keys[k]) {
        const auto it = out.index[k].find(key);
        if (it == out.index[k].end()) continue;
        const ports::CustomerRecord& other = out.records[it->second];
        const std::string other_line = std::to_string(lines[it->second]);
        if (k == kIdKey) {
          return fail(entry.line, "id",
                      engine::quote(key) + " already defined at line " + other_line);
        }
        const auto kind =
            std::find_if(std::begin(kKeyKindsByPosition), std::end(kKeyKindsByPosition),
                         [k](const auto& p) { return p.first == k; })
                ->second;
        return fail(entry.line, customer_key_field(reader.format(), kind),
                    engine::quote(key) + " already belongs to customer " +
                        engine::quote(other.customer_id) + " (line " + other_line + ")");
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      for (const std::string& key : *keys[k]) out.index[k].emplace(key, out.records.size());
    }
    out.records.push_back(std::move(entry.record));
    lines.push_back(entry.line);
  }
}

}  // namespace

MemoryCustomerStore::MemoryCustomerStore(std::string source,
                                         std::vector<ports::CustomerRecord> records, Index index)
    : source_(std::move(source)), records_(std::move(records)), index_(std::move(index)) {}

engine::Result<std::unique_ptr<MemoryCustomerStore>> MemoryCustomerStore::load(
    const std::string& path, const PhoneNormalizer& phones, const CustomerFileOptions& options) {
  auto reader = CustomerFileReader::open(path, phones, options);
  if (!reader.ok()) return reader.error();
  auto loaded = load_all(**reader);
  if (!loaded.ok()) return loaded.error();
  Loaded l = std::move(loaded).value();
  return std::unique_ptr<MemoryCustomerStore>(
      new MemoryCustomerStore(path, std::move(l.records), std::move(l.index)));
}

engine::Result<std::unique_ptr<MemoryCustomerStore>> MemoryCustomerStore::load_from_string(
    std::string_view text, CustomerFileFormat format, const std::string& source_name,
    const PhoneNormalizer& phones, const CustomerFileOptions& options) {
  auto reader = CustomerFileReader::from_string(text, format, source_name, phones, options);
  if (!reader.ok()) return reader.error();
  auto loaded = load_all(**reader);
  if (!loaded.ok()) return loaded.error();
  Loaded l = std::move(loaded).value();
  return std::unique_ptr<MemoryCustomerStore>(
      new MemoryCustomerStore(source_name, std::move(l.records), std::move(l.index)));
}

void MemoryCustomerStore::lookup(const ports::CustomerKeys& keys,
                                 std::function<void(ports::LookupResult)> done) {
  ports::LookupResult result;
  {
    std::lock_guard lock(mu_);
    for (size_t k = 0; k < ports::kKeyPrecedence.size(); ++k) {
      const std::string& key = keys.*ports::kKeyPrecedence[k].key;
      if (key.empty()) continue;
      const auto it = index_[k].find(key);
      if (it == index_[k].end()) continue;
      result.customer = records_[it->second];
      result.matched_by = std::string(ports::kKeyPrecedence[k].matched_by);
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
  ports::CustomerRecord& r = records_[it->second];
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
