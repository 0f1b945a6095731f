// Renders routerctl's tables: columns padded to their widest cell.
#include "tools/routerctl/table.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace router::ctl {

namespace {

constexpr std::string_view kColumnGap = "  ";

void append_cell(std::string& line, const std::string& cell, std::size_t width, Align align,
                 bool last) {
  const std::size_t pad = width - display_width(cell);
  if (align == Align::kRight) line.append(pad, ' ');
  line += cell;
  if (align == Align::kLeft && !last) line.append(pad, ' ');
}

}  // namespace

std::size_t display_width(std::string_view text) {
  // UTF-8 continuation bytes are 10xxxxxx; every other byte starts a code point.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != columns_.size()) {
    throw std::invalid_argument("table row has " + std::to_string(cells.size()) + " cells for " +
                                std::to_string(columns_.size()) + " columns");
  }
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = display_width(columns_[c].header);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  auto add_line = [&](auto cell_at) {
    std::string line;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) line += kColumnGap;
      append_cell(line, cell_at(c), widths[c], columns_[c].align, c + 1 == columns_.size());
    }
    // A last column that is empty in this row would leave the gap behind it.
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  add_line([&](std::size_t c) -> const std::string& { return columns_[c].header; });
  for (const auto& row : rows_) {
    add_line([&](std::size_t c) -> const std::string& { return row[c]; });
  }
  return out;
}

}  // namespace router::ctl
