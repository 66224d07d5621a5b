// Who is on the other end of a connection, as its verified client certificate says.
#pragma once

#include <openssl/ssl.h>

#include "rivet/sdk/types.hpp"

namespace rivet::plugins::transport_https {

// The peer certificate's subject (RFC 2253, e.g. "CN=alice,O=ops") and subject alternative
// names ("DNS:x", "IP:10.0.0.1", "URI:...", "email:..."; other kinds are left out). Empty when
// the peer sent no certificate. Call once per connection, after the handshake.
sdk::Requester peerIdentity(SSL* ssl);

}  // namespace rivet::plugins::transport_https
