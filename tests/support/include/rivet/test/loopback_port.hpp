// Ports on 127.0.0.1 for servers that tests and benchmarks start and cannot be asked to pick a
// port themselves (nginx, sshd).
#pragma once

#include <cstdint>

namespace rivet::test {

// A port nothing listens on right now: the kernel's pick for a socket bound to port 0, released
// at once, so another process may still take it before the server binds it. 0 on failure.
std::uint16_t freeLoopbackPort();

// Whether something on 127.0.0.1:port accepts a TCP connection (the server is up).
bool acceptsConnections(std::uint16_t port);

}  // namespace rivet::test
