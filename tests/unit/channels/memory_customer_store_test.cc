// The in-memory customer store: both file formats, lookup by every key and their precedence,
// derived segment and lifetime value, and load errors naming file:line and the field.
#include "adapters/channels/memory_customer_store.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace router::adapters::channels {
namespace {

using Catch::Matchers::Contains;
using Format = CustomerFileFormat;
using engine::SegmentThresholds;
using ports::CustomerKeys;
using ports::CustomerLookup;
using ports::CustomerRecord;
using ports::LookupResult;

const PhoneNormalizer& phones() {
  static const PhoneNormalizer p = PhoneNormalizer::make("US").value();
  return p;
}

std::unique_ptr<MemoryCustomerStore> store_of(std::string_view text, Format format,
                                              const std::string& name,
                                              const CustomerFileOptions& options = {}) {
  auto s = MemoryCustomerStore::load_from_string(text, format, name, phones(), options);
  INFO((s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string error_of(std::string_view text, Format format, const std::string& name,
                     const CustomerFileOptions& options = {}) {
  auto s = MemoryCustomerStore::load_from_string(text, format, name, phones(), options);
  REQUIRE_FALSE(s.ok());
  return s.error().message;
}

LookupResult lookup(CustomerLookup& store, const CustomerKeys& keys) {
  LookupResult out;
  int calls = 0;
  store.lookup(keys, [&](LookupResult r) {
    out = std::move(r);
    ++calls;
  });
  REQUIRE(calls == 1);
  return out;
}

CustomerKeys by_phone(std::string e164) {
  CustomerKeys k;
  k.phone_e164 = std::move(e164);
  return k;
}

const char* kJsonLines =
    R"({"id":"C1001","name":"Ada Chen","segment":"strategic","current_value":1200,"potential_value":90000,"lifetime_value":91200,"language":"zh","preferred_agent":"a07","last_agent":"","tags":["vip"],"phones":["+1 415 555 0100"],"emails":["Ada@Example.com"],"web_visitors":["v-123"],"web_accounts":["acct-9"]}

{"id":"C1002","name":"Bo Li","current_value":20000,"potential_value":1000,"phones":["(212) 555-0199","+44 20 7946 0958"],"emails":["Bo Li <BO@example.org>"]}
{"id":1003,"current_value":-50,"web_visitors":["  v-777 "],"web_accounts":"acct-3"}
{"id":"C1004","current_value":500,"potential_value":null,"segment":"Profitable","tags":null}
)";

const char* kCsv =
    "id,name,segment,current_value,potential_value,lifetime_value,language,preferred_agent,"
    "last_agent,tags,phone,email,web_visitor,web_account\r\n"
    "C1001,Ada Chen,strategic,1200,90000,91200,zh,a07,,vip|beta,+1 415 555 0100,"
    "Ada@Example.com,v-123,acct-9\r\n"
    "C1002,\"Li, Bo\",,20000,1000,,en,,a03,,(212) 555-0199|+44 20 7946 0958,"
    "\"\"\"Bo\"\" <BO@example.org>\",,\r\n"
    "\r\n"
    "C1003,\"Multi\nLine\",,-50,,,,,,,,,v-777,acct-3\n";

}  // namespace

TEST_CASE("a JSON Lines customer file is found by every key", "[channels][customers]") {
  auto store = store_of(kJsonLines, Format::kJsonLines, "customers.jsonl");
  CHECK(store->size() == 4);
  CHECK_THAT(store->describe(), Contains("customers.jsonl") && Contains("4 customers"));

  const LookupResult ada = lookup(*store, by_phone("+14155550100"));
  REQUIRE(ada.customer);
  CHECK(ada.matched_by == "phone");
  CHECK_FALSE(ada.degraded);
  CHECK(ada.customer->customer_id == "C1001");
  CHECK(ada.customer->name == "Ada Chen");
  CHECK(ada.customer->segment == engine::Segment::kStrategic);
  CHECK(ada.customer->current_value == 1200);
  CHECK(ada.customer->potential_value == 90000);
  CHECK(ada.customer->lifetime_value == 91200);
  CHECK(ada.customer->language == "zh");
  CHECK(ada.customer->preferred_agent == "a07");
  CHECK(ada.customer->last_agent.empty());
  CHECK(ada.customer->tags == std::vector<std::string>{"vip"});

  CustomerKeys k;
  k.email = "ada@example.com";
  CHECK(lookup(*store, k).matched_by == "email");
  CHECK(lookup(*store, k).customer->customer_id == "C1001");
  k = {};
  k.web_visitor = "v-123";
  CHECK(lookup(*store, k).matched_by == "web_visitor");
  k = {};
  k.web_account = "acct-9";
  CHECK(lookup(*store, k).matched_by == "web_account");
  k = {};
  k.customer_id = "C1001";
  CHECK(lookup(*store, k).matched_by == "customer_id");

  SECTION("several phones and a display-form email are normalized at load") {
    CHECK(lookup(*store, by_phone("+12125550199")).customer->customer_id == "C1002");
    CHECK(lookup(*store, by_phone("+442079460958")).customer->customer_id == "C1002");
    CustomerKeys bo;
    bo.email = "bo@example.org";
    CHECK(lookup(*store, bo).customer->customer_id == "C1002");
  }
  SECTION("an integer id, trimmed web ids and a single string for a list are accepted") {
    CustomerKeys visitor;
    visitor.web_visitor = "v-777";
    CHECK(lookup(*store, visitor).customer->customer_id == "1003");
    CustomerKeys account;
    account.web_account = "acct-3";
    CHECK(lookup(*store, account).customer->customer_id == "1003");
  }
  SECTION("an unknown customer is an empty result, not an error") {
    const LookupResult none = lookup(*store, by_phone("+19995550100"));
    CHECK_FALSE(none.customer);
    CHECK(none.matched_by.empty());
    CHECK_FALSE(lookup(*store, CustomerKeys{}).customer);
  }
}

TEST_CASE("a CSV customer file with quoted fields is read like JSON Lines",
          "[channels][customers]") {
  auto store = store_of(kCsv, Format::kCsv, "customers.csv");
  CHECK(store->size() == 3);
  const LookupResult ada = lookup(*store, by_phone("+14155550100"));
  REQUIRE(ada.customer);
  CHECK(ada.customer->tags == std::vector<std::string>{"vip", "beta"});
  CHECK(ada.customer->lifetime_value == 91200);

  const LookupResult bo = lookup(*store, by_phone("+442079460958"));
  REQUIRE(bo.customer);
  CHECK(bo.customer->name == "Li, Bo");
  CHECK(bo.customer->last_agent == "a03");
  CHECK(bo.customer->language == "en");
  CustomerKeys k;
  k.email = "bo@example.org";
  CHECK(lookup(*store, k).customer->customer_id == "C1002");

  k = {};
  k.web_account = "acct-3";
  const LookupResult multi = lookup(*store, k);
  REQUIRE(multi.customer);
  CHECK(multi.customer->name == "Multi\nLine");
  CHECK(multi.customer->segment == engine::Segment::kRisk);
}

TEST_CASE("CSV columns may come in any order and any subset with id", "[channels][customers]") {
  auto store = store_of("Phone, ID\n800-555-0100,X1\n,X2\n", Format::kCsv, "c.csv");
  CHECK(store->size() == 2);
  CHECK(lookup(*store, by_phone("+18005550100")).customer->customer_id == "X1");
}

TEST_CASE("when keys match different customers, the authenticated key wins",
          "[channels][customers]") {
  auto store = store_of(R"({"id":"P","phones":["+14155550100"]}
{"id":"E","emails":["e@example.com"]}
{"id":"A","web_accounts":["acct-1"]}
{"id":"V","web_visitors":["v-1"]}
)",
                        Format::kJsonLines, "c.jsonl");
  CustomerKeys k;
  k.phone_e164 = "+14155550100";
  k.email = "e@example.com";
  k.web_account = "acct-1";
  k.web_visitor = "v-1";
  CHECK(lookup(*store, k).customer->customer_id == "A");
  k.web_account = "acct-unknown";
  CHECK(lookup(*store, k).customer->customer_id == "P");
  k.phone_e164.clear();
  CHECK(lookup(*store, k).customer->customer_id == "E");
  k.email = "other@example.com";
  CHECK(lookup(*store, k).customer->customer_id == "V");
  k.customer_id = "P";
  k.web_account = "acct-1";
  const LookupResult thread = lookup(*store, k);
  CHECK(thread.customer->customer_id == "P");
  CHECK(thread.matched_by == "customer_id");
}

TEST_CASE("a missing segment is derived from current and potential value",
          "[channels][customers]") {
  const SegmentThresholds t;
  CHECK(derive_segment(0, 50'000, t) == engine::Segment::kStrategic);
  CHECK(derive_segment(20'000, 49'999, t) == engine::Segment::kProfitable);
  CHECK(derive_segment(10'000, 0, t) == engine::Segment::kProfitable);
  CHECK(derive_segment(9'999, 0, t) == engine::Segment::kOrdinary);
  CHECK(derive_segment(0, 0, t) == engine::Segment::kOrdinary);
  CHECK(derive_segment(-1, 0, t) == engine::Segment::kRisk);
  CHECK(derive_segment(-1, 60'000, t) == engine::Segment::kStrategic);

  auto store = store_of(kJsonLines, Format::kJsonLines, "customers.jsonl");
  CustomerKeys k;
  k.customer_id = "C1002";
  const CustomerRecord bo = *lookup(*store, k).customer;
  CHECK(bo.segment == engine::Segment::kProfitable);
  CHECK(bo.lifetime_value == 21000);  // absent: current + potential
  k.customer_id = "1003";
  const CustomerRecord risk = *lookup(*store, k).customer;
  CHECK(risk.segment == engine::Segment::kRisk);
  CHECK(risk.lifetime_value == 0);  // never below 0
  k.customer_id = "C1004";
  CHECK(lookup(*store, k).customer->segment == engine::Segment::kProfitable);  // as written

  SECTION("the thresholds are options") {
    CustomerFileOptions options;
    options.segments.profitable_current_min = 100;
    auto low =
        store_of(R"({"id":"X","current_value":150})", Format::kJsonLines, "x.jsonl", options);
    CustomerKeys x;
    x.customer_id = "X";
    CHECK(lookup(*low, x).customer->segment == engine::Segment::kProfitable);
  }
}

TEST_CASE("a bad customer record stops the load naming file, line and field",
          "[channels][customers]") {
  const std::string header = "id,name,phone,current_value,segment\n";
  CHECK(error_of(header + "C1,Ada,+14155550100,1,\nC2,Bo,12,2,\n", Format::kCsv, "customers.csv") ==
        "customers.csv:3: phone: not a phone number: \"12\"");
  CHECK(error_of(header + "C1,Ada,,abc,\n", Format::kCsv, "customers.csv") ==
        "customers.csv:2: current_value: not a number: \"abc\"");
  CHECK_THAT(error_of(header + "C1,Ada,,1,gold\n", Format::kCsv, "customers.csv"),
             Contains("customers.csv:2: segment: must be strategic, profitable, ordinary or risk"));
  CHECK(error_of(header + ",Ada,,1,\n", Format::kCsv, "customers.csv") ==
        "customers.csv:2: id: required");
  CHECK(error_of(header + "C1,Ada,,1\n", Format::kCsv, "customers.csv") ==
        "customers.csv:2: 4 fields, expected 5 as in the header");
  CHECK_THAT(error_of("id,phnoe\nC1,1\n", Format::kCsv, "customers.csv"),
             Contains("customers.csv:1: phnoe: unknown column"));
  CHECK(error_of("name,phone\nAda,\n", Format::kCsv, "customers.csv") ==
        "customers.csv:1: id: column required");
  CHECK(error_of("id,id\n", Format::kCsv, "customers.csv") ==
        "customers.csv:1: id: column named twice");
  CHECK_THAT(error_of("", Format::kCsv, "customers.csv"), Contains("header row"));
  CHECK_THAT(error_of("id,name\nC1,\"Ada\nC2,Bo\n", Format::kCsv, "customers.csv"),
             Contains("customers.csv:2: quoted field not closed"));
  CHECK_THAT(error_of("id,name\nC1,\"Ada\"x\n", Format::kCsv, "customers.csv"),
             Contains("customers.csv:2: text after a closing quote"));

  CHECK(error_of("{\"id\":\"C1\"}\n{\"id\":\"C2\",\"phones\":[\"+14155550100\",\"12\"]}\n",
                 Format::kJsonLines,
                 "customers.jsonl") == "customers.jsonl:2: phones[1]: not a phone number: \"12\"");
  CHECK(error_of("{\"id\":\"C1\",\"phnoes\":[]}\n", Format::kJsonLines, "customers.jsonl") ==
        "customers.jsonl:1: phnoes: unknown field");
  CHECK(error_of("{\"id\":\"C1\",\"current_value\":\"12\"}\n", Format::kJsonLines,
                 "customers.jsonl") == "customers.jsonl:1: current_value: must be a number");
  CHECK(error_of("{\"id\":\"C1\",\"emails\":[\"nobody\"]}\n", Format::kJsonLines,
                 "customers.jsonl") ==
        "customers.jsonl:1: emails[0]: not an email address: \"nobody\" (no '@')");
  CHECK(error_of("{\"id\":\"C1\",\"tags\":[\"a\",3]}\n", Format::kJsonLines, "customers.jsonl") ==
        "customers.jsonl:1: tags[1]: must be a string");
  CHECK(error_of("{\"id\":\"C1\",\"lifetime_value\":-5}\n", Format::kJsonLines,
                 "customers.jsonl") == "customers.jsonl:1: lifetime_value: must be ≥ 0");
  CHECK_THAT(error_of("\n\n{\"id\": \"C1\",\n", Format::kJsonLines, "customers.jsonl"),
             Contains("customers.jsonl:3: not valid JSON"));
  CHECK_THAT(error_of("[{\"id\":\"C1\"}]\n", Format::kJsonLines, "customers.jsonl"),
             Contains("customers.jsonl:1: expected a JSON object"));
}

TEST_CASE("a duplicate customer id or key names both lines", "[channels][customers]") {
  CHECK(error_of("id,name\nC1,Ada\nC2,Bo\nC1,Cy\n", Format::kCsv, "customers.csv") ==
        "customers.csv:4: id: \"C1\" already defined at line 2");
  CHECK(error_of("{\"id\":\"C1\",\"phones\":[\"415 555 0100\"]}\n"
                 "{\"id\":\"C2\",\"phones\":[\"+1 415 555 0100\"]}\n",
                 Format::kJsonLines, "customers.jsonl") ==
        "customers.jsonl:2: phones: \"+14155550100\" already belongs to customer \"C1\" (line 1)");
  SECTION("the same key twice in one record is one key") {
    auto store = store_of("{\"id\":\"C1\",\"emails\":[\"a@x.io\",\"A@X.io\"]}\n",
                          Format::kJsonLines, "c.jsonl");
    CHECK(store->size() == 1);
  }
}

TEST_CASE("loading stops at the limits", "[channels][customers]") {
  CustomerFileOptions options;
  options.limits.max_records = 2;
  auto records = MemoryCustomerStore::load_from_string("id\nA\nB\nC\n", Format::kCsv, "c.csv",
                                                       phones(), options);
  REQUIRE_FALSE(records.ok());
  CHECK(records.error().code == engine::ErrorCode::kResourceExhausted);
  CHECK_THAT(records.error().message, Contains("c.csv:4: more than 2 customer records"));

  options = {};
  options.limits.max_record_bytes = 32;
  CHECK_THAT(error_of("{\"id\":\"C1\",\"name\":\"" + std::string(40, 'x') + "\"}\n",
                      Format::kJsonLines, "c.jsonl", options),
             Contains("c.jsonl:1: longer than 32 bytes"));
  CHECK_THAT(error_of("id,name\nC1," + std::string(40, 'x') + "\n", Format::kCsv, "c.csv", options),
             Contains("c.csv:2: longer than 32 bytes"));

  options = {};
  options.limits.max_field_chars = 8;
  CHECK(error_of("id,name\nC1,Ada Lovelace\n", Format::kCsv, "c.csv", options) ==
        "c.csv:2: name: longer than 8 characters");
  options = {};
  options.limits.max_values = 2;
  CHECK(error_of("id,tags\nC1,a|b|c\n", Format::kCsv, "c.csv", options) ==
        "c.csv:2: tags: more than 2 values");
  options = {};
  options.limits.max_file_bytes = 4;
  CHECK_THAT(error_of("id\nC1\n", Format::kCsv, "c.csv", options),
             Contains("more than the limit of 4"));
}

TEST_CASE("record_contact updates the last agent in memory", "[channels][customers]") {
  auto store = store_of(kJsonLines, Format::kJsonLines, "customers.jsonl");
  store->record_contact("C1001", "a42", 1'700'000'000);
  store->record_contact("nobody", "a42", 1'700'000'000);  // ignored
  const LookupResult ada = lookup(*store, by_phone("+14155550100"));
  CHECK(ada.customer->last_agent == "a42");
  CHECK(ada.customer->last_contact_unix_s == 1'700'000'000);
  CHECK(store->size() == 4);
}

TEST_CASE("the store answers lookups and write-backs from several threads at once",
          "[channels][customers]") {
  auto store = store_of(kJsonLines, Format::kJsonLines, "customers.jsonl");
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        store->lookup(by_phone("+14155550100"), [&](LookupResult r) {
          if (r.customer) ++found;
        });
        store->record_contact("C1001", "a" + std::to_string(t), i);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(found == 2000);
}

TEST_CASE("a customer file is loaded by its extension", "[channels][customers]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("routerd-customers-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const char* text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const std::string csv = write("customers.CSV", kCsv);
  const std::string jsonl = write("customers.jsonl", kJsonLines);
  const std::string json = write("customers.json", kJsonLines);
  const std::string txt = write("customers.txt", kCsv);

  auto from_csv = MemoryCustomerStore::load(csv, phones());
  REQUIRE(from_csv.ok());
  CHECK(from_csv.value()->size() == 3);
  REQUIRE(MemoryCustomerStore::load(jsonl, phones()).ok());
  REQUIRE(MemoryCustomerStore::load(json, phones()).ok());

  auto unknown = MemoryCustomerStore::load(txt, phones());
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Contains("unknown customer file format"));
  auto missing = MemoryCustomerStore::load((dir / "nope.csv").string(), phones());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == engine::ErrorCode::kNotFound);

  const std::string bad = write("bad.csv", "id,phone\nC1,12\n");
  auto error = MemoryCustomerStore::load(bad, phones());
  REQUIRE_FALSE(error.ok());
  CHECK(error.error().message == bad + ":2: phone: not a phone number: \"12\"");
  std::filesystem::remove_all(dir);
}

TEST_CASE("the customer file examples in the README load", "[channels][customers]") {
  std::ifstream in(std::string(ROUTER_SOURCE_DIR) + "/adapters/channels/README.md");
  REQUIRE(in);
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto block = [&](const std::string& fence) {
    const size_t start = readme.find("```" + fence + "\n");
    REQUIRE(start != std::string::npos);
    const size_t body = start + fence.size() + 4;
    return readme.substr(body, readme.find("```", body) - body);
  };
  auto jsonl = store_of(block("json"), Format::kJsonLines, "README.md");
  CHECK(jsonl->size() == 2);
  auto csv = store_of(block("csv"), Format::kCsv, "README.md");
  CHECK(csv->size() == 2);
  CHECK(lookup(*csv, by_phone("+14155550101")).customer->customer_id == "C1001");
}

}  // namespace router::adapters::channels
