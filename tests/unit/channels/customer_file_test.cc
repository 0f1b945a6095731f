// The streaming customer-file reader: records one at a time, a bad record reported and skipped,
// what stops the reading, normalized keys and whether the segment was in the file.
#include "adapters/channels/customer_file.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace router::adapters::channels {
namespace {

using Catch::Matchers::Contains;
using Format = CustomerFileFormat;
using Step = CustomerFileReader::Step;

const PhoneNormalizer& phones() {
  static const PhoneNormalizer p = PhoneNormalizer::make("US").value();
  return p;
}

// What the reader says, one item per record: "entry <id>@<line>", "rejected <message>",
// "fatal <message>"; ends at kEnd.
struct Outcome {
  std::vector<std::string> items;
  std::vector<CustomerEntry> entries;
};

Outcome read_all(std::string_view text, Format format, const std::string& name,
                 const CustomerFileOptions& options = {}) {
  auto reader = CustomerFileReader::from_string(text, format, name, phones(), options);
  REQUIRE(reader.ok());
  Outcome out;
  CustomerEntry entry;
  engine::Error error{engine::ErrorCode::kInvalidArgument, {}};
  for (int guard = 0; guard < 1000; ++guard) {
    switch ((*reader)->next(entry, error)) {
      case Step::kEntry:
        out.items.push_back("entry " + entry.record.customer_id + "@" + std::to_string(entry.line));
        out.entries.push_back(entry);
        break;
      case Step::kRejected: out.items.push_back("rejected " + error.message); break;
      case Step::kFatal:
        out.items.push_back("fatal " + error.message);
        CHECK((*reader)->next(entry, error) == Step::kEnd);  // stays stopped
        return out;
      case Step::kEnd: CHECK((*reader)->bytes_read() == text.size()); return out;
    }
  }
  FAIL("the reader never ended");
  return out;
}

TEST_CASE("a bad JSON line is reported by line and the reading goes on", "[channels][customers]") {
  const Outcome o = read_all(
      "{\"id\":\"C1\",\"phones\":[\"+1 415 555 0100\"]}\n"
      "{\"id\":\"C2\",\"phones\":[\"ok\",\"12\"]}\n"
      "\n"
      "not json\n"
      "{\"id\":\"C3\",\"segment\":\"gold\"}\n"
      "{\"id\":7,\"emails\":\"Ann@Example.COM\"}\n",
      Format::kJsonLines, "c.jsonl");
  REQUIRE(o.items.size() == 5);
  CHECK(o.items[0] == "entry C1@1");
  CHECK(o.items[1] == "rejected c.jsonl:2: phones[0]: not a phone number: \"ok\"");
  CHECK_THAT(o.items[2], Contains("rejected c.jsonl:4: not valid JSON"));
  CHECK(o.items[3] ==
        "rejected c.jsonl:5: segment: must be strategic, profitable, ordinary or risk, got "
        "\"gold\"");
  CHECK(o.items[4] == "entry 7@6");
  CHECK(o.entries[0].phones == std::vector<std::string>{"+14155550100"});
  CHECK(o.entries[1].emails == std::vector<std::string>{"ann@example.com"});
}

// Found by tests/fuzz/customer_file_fuzzer: nlohmann::json throws out_of_range, not parse_error,
// for a number beyond a double, and the uncaught exception ended the process.
TEST_CASE("a JSON line with a number beyond a double is rejected and the reading goes on",
          "[channels][customers]") {
  const Outcome o = read_all(
      "{\"id\":\"C1\",\"current_value\":3e1200}\n"
      "{\"id\":\"C2\",\"potential_value\":-1e999}\n"
      "{\"id\":\"C3\"}\n",
      Format::kJsonLines, "c.jsonl");
  REQUIRE(o.items.size() == 3);
  CHECK(o.items[0] == "rejected c.jsonl:1: not valid JSON: number overflow parsing '3e1200'");
  CHECK(o.items[1] == "rejected c.jsonl:2: not valid JSON: number overflow parsing '-1e999'");
  CHECK(o.items[2] == "entry C3@3");
}

TEST_CASE("an entry carries its normalized keys and whether the segment was in the file",
          "[channels][customers]") {
  const Outcome o = read_all(
      "id,segment,current_value,potential_value,phone,email,web_visitor,web_account\n"
      "C1,Profitable,100,0,(415) 555-0100|+1 415 555 0100| ,A@X.io|a@x.io, v-1 ,acct-1|acct-2\n"
      "C2,,20000,0,,,,\n",
      Format::kCsv, "c.csv");
  REQUIRE(o.entries.size() == 2);
  const CustomerEntry& c1 = o.entries[0];
  CHECK(c1.line == 2);
  CHECK(c1.segment_explicit);
  CHECK(c1.record.segment == engine::Segment::kProfitable);
  CHECK(c1.phones == std::vector<std::string>{"+14155550100"});  // duplicates dropped
  CHECK(c1.emails == std::vector<std::string>{"a@x.io"});
  CHECK(c1.web_visitors == std::vector<std::string>{"v-1"});
  CHECK(c1.web_accounts == std::vector<std::string>{"acct-1", "acct-2"});
  CHECK(c1.keys(CustomerKeyKind::kWebAccount) == c1.web_accounts);
  const CustomerEntry& c2 = o.entries[1];
  CHECK_FALSE(c2.segment_explicit);
  CHECK(c2.record.segment == engine::Segment::kProfitable);  // derived from current_value
  CHECK(c2.record.lifetime_value == 20000);
  CHECK(c2.phones.empty());
}

TEST_CASE("a CSV record with the wrong field count is skipped, broken framing stops the reading",
          "[channels][customers]") {
  SECTION("wrong field count: skipped") {
    const Outcome o =
        read_all("id,name\nC1,Ann\nC2\nC3,\"Chen, \"\"Ada\"\"\"\n", Format::kCsv, "c.csv");
    REQUIRE(o.items.size() == 3);
    CHECK(o.items[1] == "rejected c.csv:3: 1 fields, expected 2 as in the header");
    CHECK(o.items[2] == "entry C3@4");
    CHECK(o.entries[1].record.name == "Chen, \"Ada\"");
  }
  SECTION("text after a closing quote: fatal") {
    const Outcome o = read_all("id,name\nC1,\"Ann\"x\nC2,Ben\n", Format::kCsv, "c.csv");
    REQUIRE(o.items.size() == 1);
    CHECK(o.items[0] == "fatal c.csv:2: text after a closing quote (write \"\" for a quote)");
  }
  SECTION("an unknown column: fatal") {
    const Outcome o = read_all("id,phnoe\nC1,1\n", Format::kCsv, "c.csv");
    REQUIRE(o.items.size() == 1);
    CHECK_THAT(o.items[0], Contains("fatal c.csv:1: phnoe: unknown column"));
  }
  SECTION("no header: fatal") {
    const Outcome o = read_all("\n\n", Format::kCsv, "c.csv");
    CHECK(o.items ==
          std::vector<std::string>{"fatal c.csv:1: a header row naming the columns is required"});
  }
}

TEST_CASE("the reader's limits: an over-long JSON line is skipped, too many records stop it",
          "[channels][customers]") {
  CustomerFileOptions options;
  options.limits.max_record_bytes = 40;
  const Outcome longer =
      read_all("{\"id\":\"C1\",\"name\":\"" + std::string(40, 'x') + "\"}\n{\"id\":\"C2\"}\n",
               Format::kJsonLines, "c.jsonl", options);
  CHECK(longer.items ==
        std::vector<std::string>{
            "rejected c.jsonl:1: longer than 40 bytes (the limit for one record)", "entry C2@2"});

  options = {};
  options.limits.max_record_bytes = 8;
  const Outcome csv = read_all("id,name\nC1,Ada Lovelace\nC2,B\n", Format::kCsv, "c.csv", options);
  CHECK(csv.items ==
        std::vector<std::string>{"fatal c.csv:2: longer than 8 bytes (the limit for one record)"});

  options = {};
  options.limits.max_records = 2;
  const Outcome many = read_all("id,name\nA,a\n,b\nC,c\n", Format::kCsv, "c.csv", options);
  REQUIRE(many.items.size() == 3);
  CHECK(many.items[1] == "rejected c.csv:3: id: required");  // bad records count too
  CHECK(many.items[2] == "fatal c.csv:4: more than 2 customer records (the limit)");
}

TEST_CASE("opening a customer file checks its name and that it can be read",
          "[channels][customers]") {
  auto missing = CustomerFileReader::open("/nonexistent/customers.csv", phones());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == engine::ErrorCode::kNotFound);
  CHECK_THAT(missing.error().message, Contains("cannot read the customer file"));
  auto unknown = CustomerFileReader::open("customers.xml", phones());
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Contains("unknown customer file format"));
  CHECK(customer_key_field(Format::kCsv, CustomerKeyKind::kWebVisitor) == "web_visitor");
  CHECK(customer_key_field(Format::kJsonLines, CustomerKeyKind::kWebVisitor) == "web_visitors");
}

}  // namespace
}  // namespace router::adapters::channels
