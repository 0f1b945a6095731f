// The customer-lookup port's one out-of-line member, so its vtable has a home.
#include "adapters/channels/customer_lookup.h"

namespace router::adapters::channels {

CustomerLookup::~CustomerLookup() = default;

}  // namespace router::adapters::channels
