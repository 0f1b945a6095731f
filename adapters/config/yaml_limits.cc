// The configuration's pre-scan (yaml_limits.h): yaml-cpp's event parser, no tree built.
#include "adapters/config/yaml_limits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>
#include <vector>

#include "adapters/config/routing_config.h"

namespace router::adapters::config {
namespace {

// The pass before any tree is built: yaml-cpp's parser reports the first document as events and
// this handler counts nodes and depth, refuses anchors and aliases (so nothing is expanded) and
// repeated mapping keys, throwing ScanError at the first breach — the parser stops there, with
// memory bounded by the file and the depth limit. YAML::Load runs only on a file that passed.
struct ScanError {
  YAML::Mark mark;
  std::string message;
};

class LimitScanner : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    node(mark, anchor, nullptr);
    done_value();
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw ScanError{mark, where() + "YAML aliases are not allowed"};
  }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    throw ScanError{mark, where() + "YAML anchors are not allowed (&" + name + ")"};
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    node(mark, anchor, &value);
    done_value();
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool map = false;
    bool want_key = true;  // maps: the next node is a key
    std::string key;       // maps: the key whose value comes (or came) last
    size_t index = 0;      // lists: the position of the next element
    std::set<std::string> keys;
  };

  // The field path of the node being reported, "queues[2].skills" (with ": " after it).
  std::string path() const {
    std::string p;
    for (size_t i = 0; i < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      const bool last = i + 1 == stack_.size();
      if (f.map) {
        if (last && f.want_key) break;
        if (!p.empty()) p += '.';
        p += f.key;
      } else {
        p += "[" + std::to_string(f.index) + "]";
      }
    }
    return p;
  }
  std::string where() const {
    const std::string p = path();
    return p.empty() ? "" : p + ": ";
  }

  // Counts a node; a key (scalar only) is checked for repeats in its mapping.
  void node(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string* scalar) {
    if (anchor != YAML::NullAnchor) throw ScanError{mark, where() + "YAML anchors are not allowed"};
    if (++nodes_ > kMaxConfigNodes) {
      throw ScanError{mark, "more than " + std::to_string(kMaxConfigNodes) +
                                " YAML nodes (the limit; docs/security.md)"};
    }
    if (stack_.empty() || !stack_.back().map || !stack_.back().want_key) return;
    Frame& f = stack_.back();
    if (scalar == nullptr) throw ScanError{mark, where() + "a mapping key must be a plain name"};
    f.want_key = false;
    f.key = *scalar;
    if (!f.keys.insert(*scalar).second) {
      throw ScanError{mark, path() + ": key repeated in the same mapping (only one may be given)"};
    }
    key_just_read_ = true;
  }
  void done_value() {
    if (key_just_read_) {
      key_just_read_ = false;
      return;
    }
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (f.map) {
      f.want_key = true;
    } else {
      ++f.index;
    }
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    node(mark, anchor, nullptr);
    if (stack_.size() >= kMaxConfigDepth) {
      throw ScanError{mark, where() + "nested deeper than " + std::to_string(kMaxConfigDepth) +
                                " lists/mappings (the limit; docs/security.md)"};
    }
    stack_.push_back(Frame{map, true, {}, 0, {}});
  }
  void close() {
    stack_.pop_back();
    done_value();
  }

  std::vector<Frame> stack_;
  size_t nodes_ = 0;
  bool key_just_read_ = false;
};

}  // namespace

std::optional<std::string> scan_yaml_limits(const std::string& text) {
  std::istringstream in(text);
  LimitScanner scanner;
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(scanner);
  } catch (const ScanError& e) {
    return "line " + std::to_string(e.mark.line + 1) + ": " + e.message;
  } catch (const YAML::Exception& e) {
    return "line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
  }
  return std::nullopt;
}

}  // namespace router::adapters::config
