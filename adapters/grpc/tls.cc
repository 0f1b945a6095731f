// The listener's TLS: PEM files checked with OpenSSL, served through gRPC's SSL server
// credentials with a certificate-config fetcher. See tls.h.
#include "adapters/grpc/tls.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpcpp/security/server_credentials.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <vector>

namespace router::adapters::grpc {
namespace {

// A PEM file's bytes; a PEM file this large is not one (a chain is a few KiB).
constexpr size_t kMaxPemBytes = 1 << 20;

engine::Result<std::string> read_pem(const std::string& field, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return engine::invalid_argument(field + ": cannot read " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPemBytes) {
      return engine::invalid_argument(field + ": " + path + ": larger than 1 MiB, not a PEM file");
    }
  }
  return text;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Bio bio_of(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The certificates in `pem`, in order (none: not a certificate file).
std::vector<Cert> certificates(const std::string& pem) {
  std::vector<Cert> out;
  Bio bio = bio_of(pem);
  while (Cert c{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    out.push_back(std::move(c));
  }
  ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
  return out;
}

std::string name_of(X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string time_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace

engine::Result<TlsMaterial> load_tls(const TlsFiles& files) {
  TlsMaterial m;
  auto chain = read_pem("cert_file", files.cert_file);
  if (!chain.ok()) return chain.error();
  m.cert_chain = std::move(chain).value();
  auto key = read_pem("key_file", files.key_file);
  if (!key.ok()) return key.error();
  m.private_key = std::move(key).value();

  const auto certs = certificates(m.cert_chain);
  if (certs.empty()) {
    return engine::invalid_argument("cert_file: " + files.cert_file + ": no PEM certificate in it");
  }
  Bio key_bio = bio_of(m.private_key);
  Key pkey(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!pkey) {
    return engine::invalid_argument("key_file: " + files.key_file +
                                    ": no unencrypted PEM private key in it");
  }
  if (X509_check_private_key(certs.front().get(), pkey.get()) != 1) {
    ERR_clear_error();
    return engine::invalid_argument("key_file: " + files.key_file +
                                    ": does not match the certificate in cert_file " +
                                    files.cert_file);
  }
  m.subject = name_of(X509_get_subject_name(certs.front().get()));
  m.not_after = time_of(X509_get0_notAfter(certs.front().get()));
  m.expired = X509_cmp_current_time(X509_get0_notAfter(certs.front().get())) < 0;

  if (!files.client_ca_file.empty()) {
    auto ca = read_pem("client_ca_file", files.client_ca_file);
    if (!ca.ok()) return ca.error();
    m.client_ca = std::move(ca).value();
    if (certificates(m.client_ca).empty()) {
      return engine::invalid_argument("client_ca_file: " + files.client_ca_file +
                                      ": no PEM certificate in it");
    }
  }
  return m;
}

// gRPC's C core asks at every new connection whether the certificates changed (NEW with a config
// it then owns, or UNCHANGED); the first ask is when the port is added.
struct ServerTls::Fetch {
  static grpc_ssl_certificate_config_reload_status call(
      void* user_data, grpc_ssl_server_certificate_config** config) {
    auto* self = static_cast<ServerTls*>(user_data);
    std::lock_guard lock(self->mu_);
    if (self->handed_out_ == self->generation_) return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
    const TlsMaterial& m = self->material_;
    grpc_ssl_pem_key_cert_pair pair{m.private_key.c_str(), m.cert_chain.c_str()};
    // gRPC 1.51 asserts that a fetched config has client roots even when it asks for no client
    // certificate; then the server's own chain stands in, never used (no client is asked).
    *config = grpc_ssl_server_certificate_config_create(
        m.client_ca.empty() ? m.cert_chain.c_str() : m.client_ca.c_str(), &pair, 1);
    self->handed_out_ = self->generation_;
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
  }
};

namespace {

// grpc++ builds SSL server credentials from fixed PEM strings only; the C core also takes a
// fetcher. This wraps such a core credential for ServerBuilder::AddListeningPort (a
// ServerCredentials adds its port to the core server; the override is gRPC's extension point).
class FetchingServerCredentials final : public ::grpc::ServerCredentials {
 public:
  // The base class has brought the gRPC library up by the time the body runs.
  FetchingServerCredentials(grpc_ssl_client_certificate_request_type request,
                            grpc_ssl_server_certificate_config_callback fetch, void* user_data)
      : core_(grpc_ssl_server_credentials_create_with_options(
            grpc_ssl_server_credentials_create_options_using_config_fetcher(request, fetch,
                                                                            user_data))) {}
  ~FetchingServerCredentials() override { grpc_server_credentials_release(core_); }

  void SetAuthMetadataProcessor(
      const std::shared_ptr<::grpc::AuthMetadataProcessor>& /*processor*/) override {
    // routerd authenticates with bearer tokens in its services (auth.h), never here.
    std::fprintf(stderr, "routerd: TLS credentials take no AuthMetadataProcessor\n");
    std::abort();
  }

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), core_);
  }

  grpc_server_credentials* core_;
};

}  // namespace

ServerTls::ServerTls(TlsMaterial material)
    : material_(std::move(material)), mutual_(!material_.client_ca.empty()) {}

std::shared_ptr<::grpc::ServerCredentials> ServerTls::credentials() {
  return std::make_shared<FetchingServerCredentials>(
      mutual_ ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
      &Fetch::call, this);
}

engine::Status ServerTls::replace(TlsMaterial material) {
  if (material.client_ca.empty() == mutual_) {
    return engine::failed_precondition(std::string("client_ca_file: mutual TLS is ") +
                                       (mutual_ ? "on" : "off") + "; turning it " +
                                       (mutual_ ? "off" : "on") + " needs a restart");
  }
  std::lock_guard lock(mu_);
  material_ = std::move(material);
  ++generation_;
  return {};
}

std::string ServerTls::describe() const {
  std::lock_guard lock(mu_);
  return "subject=\"" + material_.subject + "\" not_after=" + material_.not_after +
         " mutual=" + (mutual_ ? "yes" : "no");
}

}  // namespace router::adapters::grpc
