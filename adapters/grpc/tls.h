// TLS on routerd's listener: the certificate, its key and (mutual TLS) the CA that clients'
// certificates must chain to, read from PEM files and checked before use, and replaceable while
// the server runs — a new connection handshakes with whatever was installed last, an open one
// keeps the certificate it was made with. gRPC calls back into ServerTls at each new connection
// (the SSL server credentials' certificate-config fetcher), so a replace() needs no restart and no
// polling of the files.
// Thread-safe: load_tls() anywhere; replace() from one control thread; the fetch runs on gRPC's.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "engine/types.h"

namespace grpc {
class ServerCredentials;
}

namespace router::adapters::grpc {

// Where the PEM files are. Field names are the configuration's (daemon.tls.*).
struct TlsFiles {
  std::string cert_file;       // the server's certificate chain, its own certificate first
  std::string key_file;        // the private key of that certificate
  std::string client_ca_file;  // empty: no client certificates asked for
};

// The files' contents, checked: cert_file holds at least one certificate, key_file a key that
// belongs to the first, client_ca_file (when named) at least one certificate.
struct TlsMaterial {
  std::string cert_chain;
  std::string private_key;
  std::string client_ca;  // empty: not mutual
  std::string subject;    // the server certificate's subject, for logs ("CN=routerd")
  std::string not_after;  // its expiry, for logs ("2027-01-01T00:00:00Z")
  bool expired = false;   // its notAfter has passed (clients will refuse it)
};

// Reads and checks the files. Errors (INVALID_ARGUMENT) name the field and the file:
// "key_file: cannot read /etc/routerd/key.pem: No such file or directory", "key_file:
// /etc/routerd/key.pem: does not match the certificate in cert_file".
engine::Result<TlsMaterial> load_tls(const TlsFiles& files);

// The listener's certificates. Create one, give credentials() to the listener, replace() on
// reload. Must outlive the ::grpc::Server that uses its credentials.
class ServerTls {
 public:
  explicit ServerTls(TlsMaterial material);
  ServerTls(const ServerTls&) = delete;
  ServerTls& operator=(const ServerTls&) = delete;

  // Server credentials that handshake with the installed material; mutual when the first
  // material had a client CA (requests, requires and verifies a client certificate).
  // REQUIRES: called once, for one listening port (gRPC fetches the first material when the port
  // is added; a second port would find nothing new and fail to start).
  std::shared_ptr<::grpc::ServerCredentials> credentials();

  bool mutual() const { return mutual_; }

  // Installs `material` for the connections made from now on. FAILED_PRECONDITION when it would
  // turn mutual TLS on or off (the server's credentials fix that at start).
  engine::Status replace(TlsMaterial material);

  // What is installed: "subject=... not_after=... mutual=yes".
  std::string describe() const;

 private:
  struct Fetch;  // the C callback gRPC calls at each new connection
  mutable std::mutex mu_;
  TlsMaterial material_;     // guarded by mu_
  uint64_t generation_ = 1;  // guarded by mu_; bumped by replace()
  uint64_t handed_out_ = 0;  // guarded by mu_; the generation gRPC was last given
  const bool mutual_;
};

}  // namespace router::adapters::grpc
