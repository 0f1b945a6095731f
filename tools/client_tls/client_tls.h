// The client side of routerd's TLS, one for every client tool (routerctl, routerdemo,
// routerload): the same flags (--tls, --ca, --cert, --key, --tls-server-name) with the same
// meaning and help, turned into gRPC channel credentials. docs/security.md has the setup.
// Plain functions and values; not thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace router::client_tls {

struct Options {
  bool tls = false;         // --tls: TLS, with the system's CA certificates unless ca_file is set
  std::string ca_file;      // --ca: PEM CA certificates that routerd's certificate chains to
  std::string cert_file;    // --cert: PEM client certificate (mutual TLS); needs key_file
  std::string key_file;     // --key: its PEM private key
  std::string server_name;  // --tls-server-name: the name checked in routerd's certificate
  // TLS is on when --tls or any other of the flags is given.
  bool enabled() const {
    return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty() ||
           !server_name.empty();
  }
};

// Adds the five flags to `app` (in a "TLS" group of the help), writing into `options`, which must
// outlive the parse.
void add_flags(CLI::App& app, Options& options);

// Plaintext credentials when TLS is off; else TLS ones from the files, and the server-name
// override in `args`. Null with `error` set when a file cannot be read or a flag lacks its
// partner ("--cert needs --key").
std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const Options& options,
                                                              grpc::ChannelArguments& args,
                                                              std::string& error);

}  // namespace router::client_tls
