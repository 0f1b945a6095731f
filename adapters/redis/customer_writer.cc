// The customer upsert script and the pipelined bulk importer over a blocking hiredis context.
#include "adapters/redis/customer_writer.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

namespace router::adapters::redis {
namespace {

using ports::CustomerEntry;
using ports::CustomerKeyKind;
using ports::CustomerSource;
using Clock = std::chrono::steady_clock;

std::string_view index_kind(CustomerKeyKind kind) {
  switch (kind) {
    case CustomerKeyKind::kPhone: return kIndexPhone;
    case CustomerKeyKind::kEmail: return kIndexEmail;
    case CustomerKeyKind::kWebVisitor: return kIndexVisitor;
    case CustomerKeyKind::kWebAccount: return kIndexAccount;
  }
  return kIndexPhone;  // unreachable: every kind is handled above
}

std::string_view list_field(CustomerKeyKind kind) {
  switch (kind) {
    case CustomerKeyKind::kPhone: return field::kPhones;
    case CustomerKeyKind::kEmail: return field::kEmails;
    case CustomerKeyKind::kWebVisitor: return field::kWebVisitors;
    case CustomerKeyKind::kWebAccount: return field::kWebAccounts;
  }
  return field::kPhones;  // unreachable
}

std::string upsert_source() {
  // The old record's key lists, as {hash field, index kind}, from keys.h.
  std::string lists;
  for (const CustomerKeyKind kind : ports::kCustomerKeyKinds) {
    lists += "{'" + std::string(list_field(kind)) + "', '" + std::string(index_kind(kind)) + "'},";
  }
  return R"lua(-- router: upsert one customer (adapters/redis/customer_writer.h)
local id, prefix = ARGV[1], ARGV[2]
local conflicts = {'conflict'}
for i = 2, #KEYS do
  local owner = redis.call('GET', KEYS[i])
  if owner and owner ~= id then
    conflicts[#conflicts + 1] = i - 1
    conflicts[#conflicts + 1] = owner
  end
end
if #conflicts > 1 then return conflicts end
local keep = {}
for i = 2, #KEYS do keep[KEYS[i]] = true end
local removed = 0
for _, list in ipairs({)lua" +
         lists + R"lua(}) do
  local old = redis.call('HGET', KEYS[1], list[1])
  if old then
    local ok, values = pcall(cjson.decode, old)
    if ok and type(values) == 'table' then
      for _, v in ipairs(values) do
        if type(v) == 'string' then
          local key = prefix .. 'idx:' .. list[2] .. ':' .. v
          if not keep[key] and redis.call('GET', key) == id then
            redis.call('DEL', key)
            removed = removed + 1
          end
        end
      end
    end
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
for i = 2, #KEYS do redis.call('SET', KEYS[i], id) end
return {'ok', removed}
)lua";
}

std::string number(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::to_string(v);
}

std::string json_list(const std::vector<std::string>& values) {
  // Replace rather than throw on invalid UTF-8 (a CSV file may hold any bytes).
  return nlohmann::json(values).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using OwnedReply = std::unique_ptr<redisReply, ReplyDeleter>;

// A blocking command; nullptr (and context->errstr) when the connection failed.
OwnedReply command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return OwnedReply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
}

void append(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

// An upsert waiting for its reply.
struct Pending {
  size_t line = 0;
  std::string customer_id;
  UpsertCall call;
  std::vector<std::string> argv;  // EVALSHA sha numkeys keys... args...
};

// Runs one import: the reader's records in batches, replies folded into the summary.
class Run {
 public:
  Run(redisContext* c, const Keys& keys, CustomerSource& reader, const ImportOptions& options)
      : c_(c),
        keys_(keys),
        reader_(reader),
        options_(options),
        batch_size_(std::max<size_t>(1, options.batch)) {}

  ImportSummary go(const std::function<void(const ImportProgress&)>& progress) {
    const Clock::time_point start = Clock::now();
    std::vector<Pending> batch;
    batch.reserve(batch_size_);
    CustomerEntry entry;
    engine::Error error{engine::ErrorCode::kInvalidArgument, {}};
    size_t records = 0;
    const auto report = [&] {
      if (!progress) return;
      ImportProgress p;
      p.records = records;
      p.loaded = summary_.loaded;
      p.skipped = summary_.skipped;
      p.bytes_read = reader_.bytes_read();
      p.total_bytes = reader_.total_bytes();
      p.elapsed = Clock::now() - start;
      progress(p);
    };
    bool reading = true;
    while (reading && summary_.redis_status.ok()) {
      switch (reader_.next(entry, error)) {
        case CustomerSource::Step::kEntry:
          ++records;
          batch.push_back(pending(entry));
          break;
        case CustomerSource::Step::kRejected:
          ++records;
          ++summary_.parse_errors;
          skip(std::move(error.message));
          if (records % batch_size_ == 0) report();
          break;
        case CustomerSource::Step::kFatal:
          summary_.file_error = std::move(error);
          reading = false;
          break;
        case CustomerSource::Step::kEnd: reading = false; break;
      }
      if (batch.size() >= batch_size_ || (!reading && !batch.empty())) {
        flush(batch);
        batch.clear();
        report();
      }
    }
    summary_.elapsed = Clock::now() - start;
    report();
    return std::move(summary_);
  }

 private:
  redisContext* c_;
  const Keys& keys_;
  CustomerSource& reader_;
  const ImportOptions& options_;
  const size_t batch_size_;
  ImportSummary summary_;

  void skip(std::string reason) {
    ++summary_.skipped;
    if (summary_.reasons.size() < options_.max_reasons)
      summary_.reasons.push_back(std::move(reason));
  }

  std::string where(const Pending& p) const {
    return reader_.source() + ":" + std::to_string(p.line) + ": ";
  }

  Pending pending(const CustomerEntry& entry) const {
    Pending p;
    p.line = entry.line;
    p.customer_id = entry.record.customer_id;
    p.call = customer_upsert_call(keys_, entry);
    const Script& script = customer_upsert_script();
    p.argv.reserve(3 + p.call.keys.size() + p.call.args.size());
    p.argv.emplace_back("EVALSHA");
    p.argv.push_back(script.sha1());
    p.argv.push_back(std::to_string(p.call.keys.size()));
    p.argv.insert(p.argv.end(), p.call.keys.begin(), p.call.keys.end());
    p.argv.insert(p.argv.end(), p.call.args.begin(), p.call.args.end());
    return p;
  }

  void lost(const char* doing) {
    summary_.redis_status =
        absl::UnavailableError(std::string("lost the connection to Redis ") + doing + ": " +
                               (c_->errstr[0] != '\0' ? c_->errstr : "no reply"));
  }

  // Sends `batch` pipelined and reads every reply. NOSCRIPT (a server that has not seen the
  // script, or flushed it): SCRIPT LOAD once, then those upserts again, in order.
  void flush(std::vector<Pending>& batch) {
    std::vector<Pending*> todo;
    for (Pending& p : batch) todo.push_back(&p);
    for (int attempt = 0; attempt < 2 && !todo.empty(); ++attempt) {
      for (const Pending* p : todo) append(c_, p->argv);
      std::vector<Pending*> noscript;
      for (Pending* p : todo) {
        void* raw = nullptr;
        if (redisGetReply(c_, &raw) != REDIS_OK) return lost("while importing");
        const Reply reply = Reply::copy(*OwnedReply(static_cast<redisReply*>(raw)));
        if (reply.is_error() && reply.str.rfind("NOSCRIPT", 0) == 0 && attempt == 0) {
          noscript.push_back(p);
        } else {
          fold(*p, reply);
        }
      }
      if (noscript.empty()) return;
      const Script& script = customer_upsert_script();
      const OwnedReply loaded = command(c_, {"SCRIPT", "LOAD", script.source()});
      if (!loaded) return lost("at SCRIPT LOAD");
      if (loaded->type == REDIS_REPLY_ERROR) {
        summary_.redis_status = absl::FailedPreconditionError(
            "Redis refused SCRIPT LOAD: " + std::string(loaded->str, loaded->len));
        return;
      }
      todo = std::move(noscript);
    }
  }

  void fold(const Pending& p, const Reply& reply) {
    if (reply.type == Reply::Type::kArray && !reply.elements.empty() &&
        reply.elements[0].str == "ok") {
      ++summary_.loaded;
      return;
    }
    if (reply.type == Reply::Type::kArray && !reply.elements.empty() &&
        reply.elements[0].str == "conflict") {
      ++summary_.key_conflicts;
      std::string reason;
      for (size_t i = 1; i + 1 < reply.elements.size(); i += 2) {
        const auto k = static_cast<size_t>(reply.elements[i].integer);
        if (k == 0 || k > p.call.index.size()) continue;
        const auto& [kind, value] = p.call.index[k - 1];
        if (!reason.empty()) reason += "; ";
        reason += std::string(reader_.key_field(kind)) + ": " + engine::quote(value) +
                  " of customer " + engine::quote(p.customer_id) + " already belongs to customer " +
                  engine::quote(reply.elements[i + 1].str);
      }
      skip(where(p) + (reason.empty() ? "key conflict" : reason));
      return;
    }
    ++summary_.redis_errors;
    skip(where(p) + "redis: " +
         (reply.is_error() ? reply.str : std::string("unexpected reply to the upsert script")));
  }
};

}  // namespace

const Script& customer_upsert_script() {
  static const Script script(upsert_source());
  return script;
}

UpsertCall customer_upsert_call(const Keys& keys, const CustomerEntry& entry) {
  const ports::CustomerRecord& r = entry.record;
  UpsertCall call;
  call.keys.push_back(keys.customer(r.customer_id));
  for (const CustomerKeyKind kind : ports::kCustomerKeyKinds) {
    for (const std::string& value : entry.keys(kind)) {
      call.keys.push_back(keys.index(index_kind(kind), value));
      call.index.emplace_back(kind, value);
    }
  }
  call.args = {r.customer_id, keys.prefix()};
  const auto set = [&call](std::string_view f, std::string value) {
    call.args.emplace_back(f);
    call.args.push_back(std::move(value));
  };
  set(field::kId, r.customer_id);
  set(field::kName, r.name);
  set(field::kSegment,
      entry.segment_explicit ? std::string(engine::to_string(r.segment)) : std::string());
  set(field::kCurrentValue, number(r.current_value));
  set(field::kPotentialValue, number(r.potential_value));
  set(field::kLifetimeValue, number(r.lifetime_value));
  set(field::kLanguage, r.language);
  set(field::kPreferredAgent, r.preferred_agent);
  if (!r.last_agent.empty()) {
    set(field::kLastAgent, r.last_agent);
    set(field::kLastContact, "");
  }
  set(field::kTags, json_list(r.tags));
  set(field::kPhones, json_list(entry.phones));
  set(field::kEmails, json_list(entry.emails));
  set(field::kWebVisitors, json_list(entry.web_visitors));
  set(field::kWebAccounts, json_list(entry.web_accounts));
  return call;
}

double ImportSummary::records_per_s() const {
  const double s = std::chrono::duration<double>(elapsed).count();
  return s > 0 ? static_cast<double>(records()) / s : 0.0;
}

absl::StatusOr<std::unique_ptr<CustomerImporter>> CustomerImporter::connect(
    const ImportTarget& target) {
  const std::string address = target.host + ":" + std::to_string(target.port);
  redisContext* c =
      redisConnectWithTimeout(target.host.c_str(), target.port, to_timeval(target.connect_timeout));
  if (c == nullptr) return absl::UnavailableError("cannot reach Redis at " + address);
  std::unique_ptr<CustomerImporter> importer(new CustomerImporter(c, Keys(target.key_prefix)));
  if (c->err != 0) {
    return absl::UnavailableError("cannot reach Redis at " + address + ": " + c->errstr);
  }
  redisSetTimeout(c, to_timeval(target.command_timeout));
  const auto check = [&](const std::vector<std::string>& argv, const char* what,
                         absl::StatusCode refused) -> absl::Status {
    const OwnedReply reply = command(c, argv);
    if (!reply) {
      return absl::UnavailableError("cannot reach Redis at " + address + " (" + what +
                                    "): " + c->errstr);
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return absl::Status(refused, "Redis at " + address + " refused " + what + ": " +
                                       std::string(reply->str, reply->len));
    }
    return absl::OkStatus();
  };
  if (!target.password.empty()) {
    if (auto s = check({"AUTH", target.password}, "AUTH", absl::StatusCode::kPermissionDenied);
        !s.ok()) {
      return s;
    }
  }
  if (target.database != 0) {
    if (auto s = check({"SELECT", std::to_string(target.database)}, "SELECT",
                       absl::StatusCode::kInvalidArgument);
        !s.ok()) {
      return s;
    }
  }
  // PING: a server that wants a password answers NOAUTH here.
  if (auto s = check({"PING"}, "PING", absl::StatusCode::kPermissionDenied); !s.ok()) return s;
  return importer;
}

CustomerImporter::CustomerImporter(redisContext* context, Keys keys)
    : context_(context), keys_(std::move(keys)) {}

CustomerImporter::~CustomerImporter() { redisFree(context_); }

ImportSummary CustomerImporter::run(CustomerSource& reader,
                                    const std::function<void(const ImportProgress&)>& progress,
                                    const ImportOptions& options) {
  return Run(context_, keys_, reader, options).go(progress);
}

}  // namespace router::adapters::redis
