// Splits a fuzz input into fields, for the targets whose code under test takes several strings:
// the first byte is a selector, the rest are fields separated by '\n' (a missing field is
// empty). Seed files stay readable text this way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace router::fuzz {

struct FuzzInput {
  uint8_t selector = 0;
  std::vector<std::string_view> fields;

  std::string_view field(size_t i) const {
    return i < fields.size() ? fields[i] : std::string_view();
  }
};

inline FuzzInput split_input(const uint8_t* data, size_t size) {
  FuzzInput in;
  if (size == 0) return in;
  in.selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  while (true) {
    const size_t nl = rest.find('\n');
    in.fields.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return in;
}

}  // namespace router::fuzz
