// How many TCP segments carrying data a connected socket has sent (Linux TCP_INFO
// tcpi_data_segs_out, kernel 4.6+): on loopback with TCP_NODELAY, one write(2) smaller than the
// MSS is one segment, so the count shows how many writes a batch of commands took (at most: the
// kernel may merge writes, never split a small one). In its own file: <linux/tcp.h> and glibc's
// <netinet/tcp.h> (which Asio includes) cannot share a translation unit.
#pragma once

#include <cstdint>
#include <optional>

namespace router::it {

// Nothing when the kernel does not report it.
std::optional<uint32_t> data_segments_out(int fd);

}  // namespace router::it
