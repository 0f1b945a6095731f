// The wallboard page: one self-contained HTML document (inline CSS and JavaScript, no external
// URL) that signs in (a form, or a kiosk URL's #token=... fragment, both through POST /login),
// listens to /events and draws each snapshot without a reload. Large high-contrast text for a
// wall screen; every figure is an element with data-queue / data-field (or data-agents-state,
// data-agents-reason) and the unrounded value in data-value, so a test or a scraper can read it.
// docs/wallboard.md shows it. Constant data; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace router::wall {

// The page as served.
std::string page_html();

// The page's one inline script, and its CSP source expression "sha256-<base64>" (the
// Content-Security-Policy allows that script and nothing else).
std::string_view page_script();
std::string page_script_hash();

}  // namespace router::wall
