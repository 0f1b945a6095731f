// routerctl's tables: columns as wide as their widest cell, numbers right-aligned, text left.
#include "tools/routerctl/table.h"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace router::ctl {

TEST_CASE("a table pads each column to its widest cell, two spaces apart", "[routerctl][table]") {
  Table table({{"QUEUE"}, {"WAITING", Align::kRight}, {"SL", Align::kRight}});
  table.add_row({"billing", "3", "82.3%"});
  table.add_row({"sales", "12", "100.0%"});
  REQUIRE(table.render() ==
          "QUEUE    WAITING      SL\n"
          "billing        3   82.3%\n"
          "sales         12  100.0%\n");
}

TEST_CASE("a header wider than every cell sets the column's width", "[routerctl][table]") {
  Table table({{"AGENT"}, {"HANDLED", Align::kRight}});
  table.add_row({"a1", "7"});
  REQUIRE(table.render() ==
          "AGENT  HANDLED\n"
          "a1           7\n");
}

TEST_CASE("a table leaves no trailing spaces, even when the last column is left-aligned",
          "[routerctl][table]") {
  Table table({{"AGENT"}, {"WORK"}});
  table.add_row({"alice", "ph-1,ph-2"});
  table.add_row({"bob", ""});
  const std::string text = table.render();
  REQUIRE(text ==
          "AGENT  WORK\n"
          "alice  ph-1,ph-2\n"
          "bob\n");
}

TEST_CASE("a table aligns text with multi-byte characters by what the terminal shows",
          "[routerctl][table]") {
  Table table({{"NAME"}, {"N", Align::kRight}});
  table.add_row({"Zoë", "1"});
  table.add_row({"Zack", "22"});
  REQUIRE(table.render() ==
          "NAME   N\n"
          "Zoë    1\n"
          "Zack  22\n");
  REQUIRE(display_width("Zoë") == 3);
  REQUIRE(display_width("billing>=5") == 10);
}

TEST_CASE("a table with no rows renders its header only", "[routerctl][table]") {
  Table table({{"A"}, {"B", Align::kRight}});
  REQUIRE(table.row_count() == 0);
  REQUIRE(table.render() == "A  B\n");
}

TEST_CASE("a row with the wrong number of cells is refused", "[routerctl][table]") {
  Table table({{"A"}, {"B"}});
  REQUIRE_THROWS_AS(table.add_row({"only one"}), std::invalid_argument);
}

}  // namespace router::ctl
