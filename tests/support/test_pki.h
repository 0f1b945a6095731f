// Certificates for TLS tests, made at test time with the `openssl` command line in a folder of
// the test's: a CA, server certificates for 127.0.0.1 and localhost (subjectAltName) signed by
// it, client certificates signed by it, and a certificate of a second, untrusted CA. EC P-256
// keys, valid one day. Throws std::runtime_error (with openssl's output) when openssl fails.
// Not thread-safe: one test thread.
#pragma once

#include <filesystem>
#include <string>

namespace router::it {

class TestPki {
 public:
  // Creates `dir` if needed, and the CA in it (ca.crt, ca.key).
  explicit TestPki(std::filesystem::path dir);

  // <name>.crt and <name>.key: a server certificate with subject CN=`common_name`, for
  // IP:127.0.0.1 and DNS:localhost, signed by the CA.
  void server(const std::string& name, const std::string& common_name);
  // <name>.crt and <name>.key: a client certificate (CN=`name`) signed by the CA.
  void client(const std::string& name);
  // <name>.crt and <name>.key: a client certificate signed by another CA (not trusted).
  void stranger(const std::string& name);

  std::string path(const std::string& file) const { return (dir_ / file).string(); }
  std::string ca() const { return path("ca.crt"); }

 private:
  void sign(const std::string& name, const std::string& subject, const std::string& extensions,
            const std::string& ca_name);
  void self_signed(const std::string& name, const std::string& subject);
  std::filesystem::path dir_;
};

}  // namespace router::it
