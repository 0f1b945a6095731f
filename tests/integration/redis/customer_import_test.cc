// Customer import against a real redis-server: CustomerImporter directly, and the real
// `routerctl customers import` binary as a child process (exit code, summary), plus customergen's
// output. Checks the stored keys against keys.h's schema.
#include <hiredis/hiredis.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "adapters/channels/customer_file.h"
#include "adapters/redis/customer_writer.h"
#include "adapters/redis/keys.h"
#include "tests/support/redis_server.h"

namespace router::adapters::redis {
namespace {

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

const channels::PhoneNormalizer& phones() {
  static const channels::PhoneNormalizer p = channels::PhoneNormalizer::make("US").value();
  return p;
}

// A blocking connection for looking at what the import wrote.
class Inspector {
 public:
  explicit Inspector(int port) : c_(redisConnect("127.0.0.1", port)) {
    REQUIRE(c_ != nullptr);
    REQUIRE(c_->err == 0);
  }
  ~Inspector() { redisFree(c_); }

  std::map<std::string, std::string> hash(const std::string& key) {
    std::map<std::string, std::string> out;
    auto* r = static_cast<redisReply*>(redisCommand(c_, "HGETALL %b", key.data(), key.size()));
    REQUIRE(r != nullptr);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      out[std::string(r->element[i]->str, r->element[i]->len)] =
          std::string(r->element[i + 1]->str, r->element[i + 1]->len);
    }
    freeReplyObject(r);
    return out;
  }
  // The string at `key`, or "(nil)".
  std::string get(const std::string& key) {
    auto* r = static_cast<redisReply*>(redisCommand(c_, "GET %b", key.data(), key.size()));
    REQUIRE(r != nullptr);
    std::string out = r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "(nil)";
    freeReplyObject(r);
    return out;
  }
  long long dbsize() {
    auto* r = static_cast<redisReply*>(redisCommand(c_, "DBSIZE"));
    REQUIRE(r != nullptr);
    const long long n = r->integer;
    freeReplyObject(r);
    return n;
  }
  void command(const char* text) { freeReplyObject(redisCommand(c_, text)); }

 private:
  redisContext* c_;
};

struct Run {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs a command line through the shell, stdout and stderr captured in files under `dir`.
Run run(const std::string& command, const fs::path& dir) {
  const fs::path out = dir / "run.out";
  const fs::path err = dir / "run.err";
  const std::string line = command + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(line.c_str());
  Run r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

Run routerctl_import(const it::RedisServer& server, const fs::path& file,
                     const std::string& extra = "") {
  return run(std::string(ROUTERCTL_PATH) + " customers import --redis 127.0.0.1:" +
                 std::to_string(server.port()) + " " + extra + " '" + file.string() + "'",
             server.dir());
}

fs::path write(const it::RedisServer& server, const std::string& name, const std::string& text) {
  const fs::path path = server.dir() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

ImportSummary import_text(const it::RedisServer& server, const std::string& text,
                          channels::CustomerFileFormat format, const std::string& name) {
  auto reader = channels::CustomerFileReader::from_string(text, format, name, phones());
  REQUIRE(reader.ok());
  ImportTarget target;
  target.port = server.port();
  auto importer = CustomerImporter::connect(target);
  REQUIRE(importer.ok());
  return (*importer)->run(**reader, {});
}

const Keys kKeys("router:");

TEST_CASE("a JSON Lines import lands every field and every index key as keys.h says", "[import]") {
  it::RedisServer server;
  const std::string text =
      R"({"id":"C1001","name":"Ada Chen","segment":"Strategic","current_value":1200.5,"potential_value":90000,"lifetime_value":91200,"language":"zh","preferred_agent":"a07","last_agent":"a11","tags":["vip","beta"],"phones":["+1 415 555 0100","(212) 555-0199"],"emails":["Ada@Example.com"],"web_visitors":[" v-123 "],"web_accounts":["acct-9"]})"
      "\n"
      R"({"id":"C1002","name":"Ben Smith","current_value":20000,"phones":"415.555.0101"})"
      "\n";
  const ImportSummary summary =
      import_text(server, text, channels::CustomerFileFormat::kJsonLines, "customers.jsonl");
  CHECK(summary.loaded == 2);
  CHECK(summary.skipped == 0);
  CHECK(summary.redis_status.ok());

  Inspector redis(server.port());
  const auto ada = redis.hash(kKeys.customer("C1001"));
  CHECK(ada.at(std::string(field::kId)) == "C1001");
  CHECK(ada.at(std::string(field::kName)) == "Ada Chen");
  CHECK(ada.at(std::string(field::kSegment)) == "strategic");
  CHECK(ada.at(std::string(field::kCurrentValue)) == "1200.5");
  CHECK(ada.at(std::string(field::kPotentialValue)) == "90000");
  CHECK(ada.at(std::string(field::kLifetimeValue)) == "91200");
  CHECK(ada.at(std::string(field::kLanguage)) == "zh");
  CHECK(ada.at(std::string(field::kPreferredAgent)) == "a07");
  CHECK(ada.at(std::string(field::kLastAgent)) == "a11");
  CHECK(ada.at(std::string(field::kLastContact)).empty());
  CHECK(ada.at(std::string(field::kTags)) == R"(["vip","beta"])");
  CHECK(ada.at(std::string(field::kPhones)) == R"(["+14155550100","+12125550199"])");
  CHECK(ada.at(std::string(field::kEmails)) == R"(["ada@example.com"])");
  CHECK(ada.at(std::string(field::kWebVisitors)) == R"(["v-123"])");
  CHECK(ada.at(std::string(field::kWebAccounts)) == R"(["acct-9"])");
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550100")) == "C1001");
  CHECK(redis.get(kKeys.index(kIndexPhone, "+12125550199")) == "C1001");
  CHECK(redis.get(kKeys.index(kIndexEmail, "ada@example.com")) == "C1001");
  CHECK(redis.get(kKeys.index(kIndexVisitor, "v-123")) == "C1001");
  CHECK(redis.get(kKeys.index(kIndexAccount, "acct-9")) == "C1001");

  // No segment in the file: stored empty (routerd derives it); no last agent: field absent.
  const auto ben = redis.hash(kKeys.customer("C1002"));
  CHECK(ben.at(std::string(field::kSegment)).empty());
  CHECK(ben.at(std::string(field::kLifetimeValue)) == "20000");
  CHECK(ben.count(std::string(field::kLastAgent)) == 0);
  CHECK(ben.at(std::string(field::kTags)) == "[]");
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550101")) == "C1002");
  CHECK(redis.dbsize() == 2 + 5 + 1);
}

TEST_CASE("routerctl imports a CSV file with every field and index key", "[import]") {
  it::RedisServer server;
  const fs::path file = write(server, "customers.csv",
                              "id,name,segment,current_value,potential_value,language,tags,"
                              "phone,email,web_visitor,web_account\n"
                              "C1,\"Chen, Ada\",risk,-50,0,en,churn-risk|vip,"
                              "+1 415 555 0100|212-555-0199,ADA@x.io,v-1,acct-1\n"
                              "C2,Ben,,100,,fr,,+33 1 23 45 67 89,,,\n");
  const Run r = routerctl_import(server, file, "--prefix app:");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("loaded 2, skipped 0"));
  CHECK_THAT(r.out, Contains("records/s"));

  Inspector redis(server.port());
  const Keys keys("app:");
  const auto ada = redis.hash(keys.customer("C1"));
  CHECK(ada.at("name") == "Chen, Ada");
  CHECK(ada.at("segment") == "risk");
  CHECK(ada.at("current_value") == "-50");
  CHECK(ada.at("lifetime_value") == "0");
  CHECK(ada.at("tags") == R"(["churn-risk","vip"])");
  CHECK(ada.at("phones") == R"(["+14155550100","+12125550199"])");
  CHECK(redis.get(keys.index(kIndexPhone, "+12125550199")) == "C1");
  CHECK(redis.get(keys.index(kIndexEmail, "ada@x.io")) == "C1");
  CHECK(redis.get(keys.index(kIndexVisitor, "v-1")) == "C1");
  CHECK(redis.get(keys.index(kIndexAccount, "acct-1")) == "C1");
  CHECK(redis.get(keys.index(kIndexPhone, "+33123456789")) == "C2");
  CHECK(redis.hash(keys.customer("C2")).at("segment").empty());
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550100")) == "(nil)");  // other prefix
}

TEST_CASE("a file with bad rows reports them by line and loads the rest", "[import]") {
  it::RedisServer server;
  std::string csv = "id,name,phone\n";
  for (int i = 1; i <= 30; ++i) {
    const std::string phone = i == 3 ? "12" : "+1 415 555 " + std::to_string(1000 + i);
    csv += "C" + std::to_string(i) + ",n" + std::to_string(i) + "," + phone + "\n";
    if (i == 5) csv += "C99,too,many,fields\n";  // line 7
  }
  const fs::path file = write(server, "customers.csv", csv);
  const Run r = routerctl_import(server, file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("loaded 29, skipped 2"));
  CHECK_THAT(r.out, Contains("customers.csv:4: phone: not a phone number: \"12\""));
  CHECK_THAT(r.out, Contains("customers.csv:7: 4 fields, expected 3 as in the header"));
  Inspector redis(server.port());
  CHECK(redis.hash(kKeys.customer("C3")).empty());
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155551030")) == "C30");

  SECTION("one skip is named inline; many are listed, at most 20") {
    const fs::path one = write(server, "one.jsonl", "{\"id\":\"X1\",\"phones\":[\"12\"]}\n");
    const Run single = routerctl_import(server, one);
    CHECK(single.exit_code == 1);
    CHECK_THAT(single.out, Contains("loaded 0, skipped 1 (" + one.string() +
                                    ":1: phones[0]: not a phone number: \"12\"), "));
    std::string many;
    for (int i = 0; i < 25; ++i) many += "{\"id\":\"Y" + std::to_string(i) + "\",\"x\":1}\n";
    const Run lots = routerctl_import(server, write(server, "many.jsonl", many));
    CHECK(lots.exit_code == 1);
    CHECK_THAT(lots.out, Contains("skipped 25") && Contains(":20: x: unknown field") &&
                             Contains("… and 5 more"));
    CHECK_FALSE(Contains(":21: x: unknown field").match(lots.out));
  }
}

TEST_CASE("re-importing a changed record removes its stale index keys", "[import]") {
  it::RedisServer server;
  const auto first = import_text(
      server,
      R"({"id":"C1","phones":["+14155550100","+14155550101"],"emails":["a@x.io"],"web_accounts":["acct-1"]})"
      "\n",
      channels::CustomerFileFormat::kJsonLines, "v1.jsonl");
  REQUIRE(first.loaded == 1);
  Inspector redis(server.port());
  redis.command("HSET router:customer:C1 last_agent a42 last_contact 1700000000");

  const auto second = import_text(server,
                                  R"({"id":"C1","phones":["+14155550101"],"emails":["b@x.io"]})"
                                  "\n",
                                  channels::CustomerFileFormat::kJsonLines, "v2.jsonl");
  CHECK(second.loaded == 1);
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550100")) == "(nil)");
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550101")) == "C1");
  CHECK(redis.get(kKeys.index(kIndexEmail, "a@x.io")) == "(nil)");
  CHECK(redis.get(kKeys.index(kIndexEmail, "b@x.io")) == "C1");
  CHECK(redis.get(kKeys.index(kIndexAccount, "acct-1")) == "(nil)");
  const auto c1 = redis.hash(kKeys.customer("C1"));
  CHECK(c1.at("phones") == R"(["+14155550101"])");
  CHECK(c1.at("web_accounts") == "[]");
  // The file gives no last agent: routerd's write-back stays.
  CHECK(c1.at("last_agent") == "a42");
  CHECK(c1.at("last_contact") == "1700000000");
  CHECK(redis.dbsize() == 3);
}

TEST_CASE("a key already owned by another customer is skipped with a reason naming both",
          "[import]") {
  it::RedisServer server;
  const fs::path file = write(server, "customers.jsonl",
                              R"({"id":"C1","phones":["+14155550100"],"emails":["a@x.io"]})"
                              "\n"
                              R"({"id":"C2","phones":["(415) 555-0100"],"emails":["b@x.io"]})"
                              "\n"
                              R"({"id":"C3","emails":["c@x.io"]})"
                              "\n");
  const Run r = routerctl_import(server, file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("loaded 2, skipped 1 (" + file.string() +
                             ":2: phones: \"+14155550100\" of customer \"C2\" already belongs to "
                             "customer \"C1\")"));
  Inspector redis(server.port());
  CHECK(redis.hash(kKeys.customer("C2")).empty());
  CHECK(redis.get(kKeys.index(kIndexEmail, "b@x.io")) == "(nil)");  // nothing of C2 written
  CHECK(redis.get(kKeys.index(kIndexPhone, "+14155550100")) == "C1");

  SECTION("importing the same file again is idempotent") {
    const Run again = routerctl_import(server, file);
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.out, Contains("loaded 2, skipped 1"));
    CHECK(redis.dbsize() == 2 + 3);
  }
}

TEST_CASE("customergen's output imports cleanly, JSON Lines and CSV", "[import]") {
  it::RedisServer server;
  const fs::path dir = server.dir();
  const Run jsonl = run(std::string(CUSTOMERGEN_PATH) + " --count 3000 --seed 5 --out '" +
                            (dir / "gen.jsonl").string() + "'",
                        dir);
  REQUIRE(jsonl.exit_code == 0);
  const Run csv = run(std::string(CUSTOMERGEN_PATH) + " --count 3000 --seed 5 --first 100000 " +
                          "--out '" + (dir / "gen.csv").string() + "'",
                      dir);
  REQUIRE(csv.exit_code == 0);
  for (const char* name : {"gen.jsonl", "gen.csv"}) {
    const Run r = routerctl_import(server, dir / name);
    INFO(name << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("loaded 3,000, skipped 0"));
  }
  Inspector redis(server.port());
  CHECK(redis.hash(kKeys.customer("G1")).at("id") == "G1");
  CHECK(redis.hash(kKeys.customer("G102999")).at("id") == "G102999");

  SECTION("the same seed writes the same file") {
    REQUIRE(run(std::string(CUSTOMERGEN_PATH) + " --count 3000 --seed 5", dir).exit_code == 0);
    CHECK(slurp(dir / "run.out") == slurp(dir / "gen.jsonl"));
  }
}

TEST_CASE("routerctl says which of Redis and the file it could not use, with exit code 2",
          "[import]") {
  it::RedisServer server;
  const fs::path file = write(server, "c.jsonl", "{\"id\":\"C1\"}\n");
  const Run missing = routerctl_import(server, server.dir() / "nope.jsonl");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("cannot read the file") && Contains("nope.jsonl"));

  const Run broken = routerctl_import(server, write(server, "b.csv", "id\n\"C1\"x\nC2\n"));
  CHECK(broken.exit_code == 2);
  CHECK_THAT(broken.out, Contains("stopped reading") && Contains("b.csv:2"));

  const Run no_password =
      run(std::string(ROUTERCTL_PATH) + " customers import --password-env ROUTER_TEST_UNSET_VAR '" +
              file.string() + "'",
          server.dir());
  CHECK(no_password.exit_code == 2);
  CHECK_THAT(no_password.err, Contains("ROUTER_TEST_UNSET_VAR is not set"));

  server.stop();
  const Run down = routerctl_import(server, file);
  CHECK(down.exit_code == 2);
  CHECK_THAT(down.err,
             Contains("cannot reach Redis at 127.0.0.1:" + std::to_string(server.port())));
}

}  // namespace
}  // namespace router::adapters::redis
