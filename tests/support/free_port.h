// A loopback TCP port that was free a moment ago, for servers a test starts on a port it must
// know in advance (a child process, a configuration file). Chosen below the kernel's ephemeral
// range, so no outgoing connection is given it meanwhile (nor while a killed server restarts on
// it); another test picking the same port at the same moment could still take it, and the server
// then fails loudly. Thread-safe.
#pragma once

namespace router::it {

// A port from 10000 up to the ephemeral range's start that binds on 127.0.0.1 now (the kernel's
// choice if none does). Throws std::system_error when the socket calls fail.
int free_port();

}  // namespace router::it
