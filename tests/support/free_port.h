// A loopback TCP port the kernel considered free a moment ago, for servers a test starts on a
// port it must know in advance (a child process, a configuration file). Another process could take
// the port before the server binds it; the server then fails loudly. Thread-safe.
#pragma once

namespace router::it {

// Binds 127.0.0.1:0, reads the port back and releases it. Throws std::system_error when the
// socket calls fail.
int free_port();

}  // namespace router::it
