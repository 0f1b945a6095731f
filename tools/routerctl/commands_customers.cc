// Customer import: customers import FILE, straight into Redis without routerd
// (customers_import.h does the work).
#include <unistd.h>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/customers_import.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

class CustomerCommands final : public CommandGroup {
 public:
  explicit CustomerCommands(std::function<int()>& offline) : offline_(&offline) {}

  void add(CLI::App& app, const OnCommand& /*on: not used, see offline_*/) override {
    auto* customers = app.add_subcommand("customers", "customer records in Redis (import)");
    customers->require_subcommand(1);
    customers->footer(
        "Customer records live in Redis (docs/redis.md) when routerd's config has a redis "
        "section; these commands write them directly, without routerd.\n\n" +
        examples({"routerctl customers import customers.jsonl",
                  "routerctl customers import --config center.yaml customers.csv"}));

    auto* import_cmd = customers->add_subcommand("import", "load a customer file into Redis");
    import_cmd
        ->add_option("FILE", import_flags_.file, "customer file: .jsonl/.json (JSON Lines) or .csv")
        ->required();
    auto* import_redis =
        import_cmd->add_option("--redis", import_flags_.redis, "Redis address, HOST:PORT")
            ->type_name("HOST:PORT")
            ->capture_default_str();
    auto* import_db =
        import_cmd->add_option("--db", import_flags_.db, "Redis database number (SELECT)")
            ->type_name("N")
            ->check(CLI::Range(0, 1 << 20))
            ->capture_default_str();
    import_cmd
        ->add_option("--password-env", import_flags_.password_env,
                     "name of the environment variable holding the Redis password (AUTH); a "
                     "password is never taken on the command line")
        ->type_name("VAR");
    auto* import_prefix =
        import_cmd->add_option("--prefix", import_flags_.prefix, "key prefix of every Redis key")
            ->type_name("PREFIX")
            ->capture_default_str();
    auto* import_region =
        import_cmd
            ->add_option("--region", import_flags_.region,
                         "region (ISO 3166-1 alpha-2) of phone numbers written without a country "
                         "code")
            ->type_name("CC")
            ->capture_default_str();
    import_cmd
        ->add_option(
            "--config", import_flags_.config,
            "routing config (routerd's YAML): take Redis address (or ask its sentinels for "
            "the primary), db, password "
            "(password_env), key prefix and daemon.default_region from it; flags given "
            "as well override it")
        ->type_name("ROUTING.yaml")
        ->check(CLI::ExistingFile);
    import_cmd
        ->add_option("--batch", import_flags_.batch, "upserts in flight per pipelined round trip")
        ->type_name("N")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    import_cmd->footer(
        "Reads the file record by record and writes each valid customer with one Lua upsert "
        "(pipelined): the hash <prefix>customer:<id> and one index key per phone (E.164), email "
        "(lower-cased), web visitor and web account, <prefix>idx:<kind>:<value> holding the id. "
        "A re-import of a customer removes the index keys it no longer has. A bad record is "
        "skipped, and so is a record with a key that already belongs to another customer; the "
        "rest is loaded. A segment left out of the file is left empty: routerd derives it from "
        "the values when it looks the customer up. A last_agent in the file replaces routerd's "
        "last agent (and clears last_contact); without one, routerd's are kept.\n"
        "Progress goes to stderr (redrawn in place on a terminal, else a line every 10%); the "
        "summary to stdout: 'loaded N, skipped M (reasons...), R records/s in Ts', listing at "
        "most 20 reasons, each as FILE:LINE: FIELD: WHAT.\n"
        "Exit status: 0 every record loaded; 1 some records skipped; 2 nothing could be done or "
        "the import stopped (Redis unreachable or lost, AUTH refused, file or config unreadable, "
        "a CSV file whose framing broke); 100-127 command-line errors.\n\n" +
        examples({"routerctl customers import customers.jsonl",
                  "routerctl customers import customers.csv --redis 10.0.0.7:6379 --db 2 "
                  "--password-env REDIS_PASSWORD",
                  "routerctl customers import --config center.yaml customers.jsonl",
                  "routerctl customers import --config center.yaml --prefix staging: c.csv"}));
    import_cmd->callback([this, import_redis, import_db, import_prefix, import_region] {
      import_flags_.redis_given = import_redis->count() > 0;
      import_flags_.db_given = import_db->count() > 0;
      import_flags_.prefix_given = import_prefix->count() > 0;
      import_flags_.region_given = import_region->count() > 0;
      *offline_ = [this] {
        return router::ctl::run_customers_import(import_flags_, std::cout, std::cerr,
                                                 isatty(STDERR_FILENO) != 0);
      };
    });
  }

 private:
  std::function<int()>* offline_;  // main's: set when import is the command given

  router::ctl::CustomersImportFlags import_flags_;
};

}  // namespace

std::unique_ptr<CommandGroup> customer_commands(std::function<int()>& offline) {
  return std::make_unique<CustomerCommands>(offline);
}

}  // namespace router::ctl
