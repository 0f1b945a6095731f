// The customer-lookup port's one out-of-line member, so its vtable has a home.
#include "adapters/ports/customer_lookup.h"

namespace router::adapters::ports {

CustomerLookup::~CustomerLookup() = default;

}  // namespace router::adapters::ports
