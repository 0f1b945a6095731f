// The customer-source port's out-of-line members: its vtable's home and CustomerEntry::keys.
#include "adapters/ports/customer_source.h"

namespace router::adapters::ports {

CustomerSource::~CustomerSource() = default;

const std::vector<std::string>& CustomerEntry::keys(CustomerKeyKind kind) const {
  switch (kind) {
    case CustomerKeyKind::kPhone: return phones;
    case CustomerKeyKind::kEmail: return emails;
    case CustomerKeyKind::kWebVisitor: return web_visitors;
    case CustomerKeyKind::kWebAccount: return web_accounts;
  }
  return phones;  // unreachable: every kind is handled above
}

}  // namespace router::adapters::ports
