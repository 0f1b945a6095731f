// The test center with daemon.tls, for the TLS tests of routerd and of the bridges that reach it
// (routersip, routermail): server certificate "one" (CN routerd-one) made by openssl at test
// time, and with `mutual` the CA as client_ca_file. Certificates in <dir>/pki; the paths in the
// configuration are relative to its folder. A client certificate is one pki.client(name) away.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "integration/grpc/fixture.h"
#include "tests/support/test_pki.h"

namespace router::it {

struct TlsCenter {
  TlsCenter(bool mutual, const CenterOptions& options) : files(options), pki(files.dir() / "pki") {
    pki.server("one", "routerd-one");
    std::string tls = "  tls:\n    cert_file: pki/one.crt\n    key_file: pki/one.key\n";
    if (mutual) tls += "    client_ca_file: pki/ca.crt\n";
    files.write_config(files.read_config() + tls);
  }
  explicit TlsCenter(bool mutual, const std::string& listen = "")
      : TlsCenter(mutual,
                  CenterOptions{
                      .dev_no_auth = false, .listen = listen, .stream_buffer = 0, .redis = {}}) {}
  // routerd in this process on the configuration, at 127.0.0.1:0 (REQUIREd to start).
  std::unique_ptr<routerd::Daemon> start() const {
    routerd::DaemonOptions options;
    options.config_path = files.config_path();
    options.listen = "127.0.0.1:0";
    auto started = routerd::Daemon::start(options);
    INFO((started.ok() ? "" : started.error().message));
    REQUIRE(started.ok());
    return std::move(started).value();
  }
  CenterFiles files;
  TestPki pki;
};

}  // namespace router::it
