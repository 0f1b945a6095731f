// The client tools' TLS flags and channel credentials. See client_tls.h.
#include "tools/client_tls/client_tls.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace router::client_tls {
namespace {

bool read_file(const std::string& flag, const std::string& path, std::string& out,
               std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = flag + " " + path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

}  // namespace

void add_flags(CLI::App& app, Options& options) {
  const std::string group = "TLS (docs/security.md; any of these turns TLS on)";
  app.add_flag("--tls", options.tls,
               "connect with TLS, trusting the system's CA certificates unless --ca is given")
      ->group(group);
  app.add_option("--ca", options.ca_file,
                 "PEM file of the CA certificate(s) routerd's certificate must chain to")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--cert", options.cert_file,
                 "PEM client certificate, for a routerd that requires one (mutual TLS); needs "
                 "--key")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--key", options.key_file, "PEM private key of --cert")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--tls-server-name", options.server_name,
                 "the name routerd's certificate must carry, when it differs from the host in "
                 "the address (e.g. connecting by IP to a certificate for a DNS name)")
      ->type_name("NAME")
      ->group(group);
}

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const Options& options,
                                                              grpc::ChannelArguments& args,
                                                              std::string& error) {
  if (!options.enabled()) return grpc::InsecureChannelCredentials();
  if (options.cert_file.empty() != options.key_file.empty()) {
    error = options.cert_file.empty() ? "--key needs --cert" : "--cert needs --key";
    return nullptr;
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty() && !read_file("--ca", options.ca_file, ssl.pem_root_certs, error)) {
    return nullptr;
  }
  if (!options.cert_file.empty() &&
      (!read_file("--cert", options.cert_file, ssl.pem_cert_chain, error) ||
       !read_file("--key", options.key_file, ssl.pem_private_key, error))) {
    return nullptr;
  }
  if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
  return grpc::SslCredentials(ssl);
}

}  // namespace router::client_tls
