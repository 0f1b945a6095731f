// A plain-text table for routerctl's views: a header row and data rows, each column padded to
// its widest cell (measured in characters, not bytes, so "≥" or "Zoë" align), numbers
// right-aligned, text left-aligned, two spaces between columns, no trailing spaces.
// Not thread-safe: a value built and rendered by one caller.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace router::ctl {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // REQUIRES: cells.size() == the number of columns (checked: std::invalid_argument).
  void add_row(std::vector<std::string> cells);

  std::size_t row_count() const { return rows_.size(); }

  // The header line and one line per row, each ending in '\n'.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Characters shown on a terminal for UTF-8 text: code points, not bytes (every code point
// counted as one column, which holds for the Latin, Greek and symbol text routerctl prints).
std::size_t display_width(std::string_view text);

}  // namespace router::ctl
