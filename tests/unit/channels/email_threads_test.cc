// Email threading: a reply finds its thread by In-Reply-To, else by References newest first,
// and the index forgets the oldest ids beyond its bound.
#include "adapters/channels/email_threads.h"

#include <catch2/catch.hpp>

namespace router::adapters::channels {

TEST_CASE("a reply finds its thread by In-Reply-To", "[channels][email_threads]") {
  EmailThreadIndex index(10);
  index.remember("<m1@mail.example.com>", {"C1001", "i-1", ""});
  const auto found = index.find(" <m1@mail.example.com> ", {});
  REQUIRE(found);
  CHECK(found->customer_id == "C1001");
  CHECK(found->interaction_id == "i-1");
  CHECK(found->agent.empty());
  CHECK(index.find("m1@mail.example.com", {}));        // brackets or not, the same id
  CHECK_FALSE(index.find("M1@mail.example.com", {}));  // ids are case-sensitive
  CHECK_FALSE(index.find("", {}));
}

TEST_CASE("In-Reply-To wins over References, and References are tried newest first",
          "[channels][email_threads]") {
  EmailThreadIndex index(10);
  index.remember("root@x", {"C1", "i-1", "a01"});
  index.remember("second@x", {"C1", "i-2", "a02"});
  index.remember("other@x", {"C2", "i-9", "a09"});

  CHECK(index.find("other@x", {"root@x", "second@x"})->interaction_id == "i-9");
  CHECK(index.find("unknown@x", {"root@x", "second@x"})->interaction_id == "i-2");
  CHECK(index.find("", {"<root@x>", "<forgotten@x>"})->interaction_id == "i-1");
  CHECK_FALSE(index.find("unknown@x", {"forgotten@x"}));
}

TEST_CASE("the agent who handled an email is set once it is known", "[channels][email_threads]") {
  EmailThreadIndex index(10);
  index.remember("m1@x", {"C1", "i-1", ""});
  CHECK(index.set_agent("<m1@x>", "a07"));
  CHECK(index.find("m1@x", {})->agent == "a07");
  CHECK_FALSE(index.set_agent("m2@x", "a07"));
}

TEST_CASE("the index forgets the oldest ids beyond its bound", "[channels][email_threads]") {
  EmailThreadIndex index(3);
  for (int i = 1; i <= 5; ++i) {
    index.remember("m" + std::to_string(i) + "@x", {"C", "i-" + std::to_string(i), ""});
  }
  CHECK(index.size() == 3);
  CHECK(index.max_entries() == 3);
  CHECK_FALSE(index.find("m1@x", {}));
  CHECK_FALSE(index.find("m2@x", {}));
  CHECK(index.find("m3@x", {}));
  CHECK(index.find("m5@x", {}));

  SECTION("remembering an id again makes it the newest") {
    index.remember("m3@x", {"C", "i-3b", ""});
    index.remember("m6@x", {"C", "i-6", ""});
    CHECK(index.size() == 3);
    CHECK(index.find("m3@x", {})->interaction_id == "i-3b");
    CHECK_FALSE(index.find("m4@x", {}));
  }
  SECTION("a bound of zero remembers nothing") {
    EmailThreadIndex none(0);
    none.remember("m1@x", {"C", "i-1", ""});
    CHECK(none.size() == 0);
    CHECK_FALSE(none.find("m1@x", {}));
  }
}

TEST_CASE("empty and over-long Message-IDs are not remembered", "[channels][email_threads]") {
  EmailThreadIndex index(10);
  index.remember("  <>  ", {"C", "i", ""});
  index.remember(std::string(kMaxMessageIdLength + 1, 'x'), {"C", "i", ""});
  CHECK(index.size() == 0);
}

}  // namespace router::adapters::channels
