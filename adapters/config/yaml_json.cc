// The YAML tree as JSON for protobuf's parser, and the key check before it; see yaml_json.h.
#include "adapters/config/yaml_json.h"

#include <cstdio>
#include <cstdlib>

namespace router::adapters::config {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

namespace {

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// YAML scalars carry no type: a plain scalar that reads as a number or a boolean becomes one,
// anything quoted or otherwise stays a string. Protobuf's JSON parser then checks the types.
std::string scalar_to_json(const YAML::Node& n) {
  const std::string& v = n.Scalar();
  if (n.Tag() == "!") return json_quote(v);  // quoted in the source
  if (v == "true" || v == "false") return v;
  if (v == "null" || v == "~") return "null";
  char* end = nullptr;
  std::strtod(v.c_str(), &end);
  if (!v.empty() && end == v.c_str() + v.size() && v.find_first_of("xXnN") == std::string::npos) {
    return v;
  }
  return json_quote(v);
}

}  // namespace

std::string to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "null";
    case YAML::NodeType::Scalar: return scalar_to_json(n);
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (size_t i = 0; i < n.size(); ++i) {
        if (i > 0) out += ',';
        out += to_json(n[i]);
      }
      return out + "]";
    }
    case YAML::NodeType::Map: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out += ',';
        out += json_quote(kv.first.Scalar());
        out += ':';
        out += to_json(kv.second);
        first = false;
      }
      return out + "}";
    }
  }
  return "null";
}

std::optional<std::string> check_keys(const YAML::Node& n, const Descriptor& d,
                                      const std::string& path) {
  if (!n.IsMap()) {
    if (n.IsNull()) return std::nullopt;
    return path + ": expected a mapping of " + d.name() + " fields";
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const FieldDescriptor* f = d.FindFieldByName(key);
    if (f == nullptr) f = d.FindFieldByCamelcaseName(key);
    const std::string here = path.empty() ? key : path + "." + key;
    if (f == nullptr) return here + ": unknown field";
    if (f->type() != FieldDescriptor::TYPE_MESSAGE) {
      // protobuf's JSON parser would take `channels: PHONE` as a list of one: say it instead.
      if (f->is_repeated() && !kv.second.IsSequence() && !kv.second.IsNull()) {
        return here + ": expected a list ([...]), got a single value";
      }
      if (!f->is_repeated() && (kv.second.IsSequence() || kv.second.IsMap())) {
        return here + ": expected a single value, got a " +
               (kv.second.IsMap() ? "mapping" : "list");
      }
      continue;
    }
    if (f->is_repeated()) {
      if (!kv.second.IsSequence()) return here + ": expected a list";
      for (size_t i = 0; i < kv.second.size(); ++i) {
        if (auto e = check_keys(kv.second[i], *f->message_type(),
                                here + "[" + std::to_string(i) + "]")) {
          return e;
        }
      }
    } else if (auto e = check_keys(kv.second, *f->message_type(), here)) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace router::adapters::config
