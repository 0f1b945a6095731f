// Test certificates with the openssl command line. See test_pki.h.
#include "tests/support/test_pki.h"

#include <fstream>
#include <stdexcept>
#include <vector>

#include "tests/support/child_process.h"

namespace router::it {
namespace {

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const ProcessRun run = run_captured(args, std::chrono::seconds(20));
  if (run.exit_code != 0) {
    std::string line;
    for (const auto& a : args) line += a + " ";
    throw std::runtime_error(line + "failed (" + std::to_string(run.exit_code) + "): " + run.err);
  }
}

const std::vector<std::string> kEcKey = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};

}  // namespace

TestPki::TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  self_signed("ca", "/CN=routerd test CA");
}

void TestPki::self_signed(const std::string& name, const std::string& subject) {
  std::vector<std::string> args = {"req", "-x509"};
  args.insert(args.end(), kEcKey.begin(), kEcKey.end());
  args.insert(args.end(), {"-keyout", path(name + ".key"), "-out", path(name + ".crt"), "-days",
                           "1", "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  openssl(args);
}

void TestPki::sign(const std::string& name, const std::string& subject,
                   const std::string& extensions, const std::string& ca_name) {
  std::vector<std::string> args = {"req"};
  args.insert(args.end(), kEcKey.begin(), kEcKey.end());
  args.insert(args.end(),
              {"-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject});
  openssl(args);
  const std::string ext = path(name + ".ext");
  std::ofstream(ext) << extensions << "\n";
  openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path(ca_name + ".crt"), "-CAkey",
           path(ca_name + ".key"), "-CAcreateserial", "-out", path(name + ".crt"), "-days", "1",
           "-extfile", ext});
}

void TestPki::server(const std::string& name, const std::string& common_name) {
  sign(name, "/CN=" + common_name,
       "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth", "ca");
}

void TestPki::client(const std::string& name) {
  sign(name, "/CN=" + name, "extendedKeyUsage=clientAuth", "ca");
}

void TestPki::stranger(const std::string& name) {
  if (!std::filesystem::exists(path("other-ca.crt"))) {
    self_signed("other-ca", "/CN=another CA");
  }
  sign(name, "/CN=" + name, "extendedKeyUsage=clientAuth", "other-ca");
}

}  // namespace router::it
