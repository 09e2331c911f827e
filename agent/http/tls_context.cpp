#include "agent/http/tls_context.hpp"

#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

namespace rdns::agent {
namespace {

std::string openssl_error() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// RequestClientCert / RequireAnyClientCert take any certificate, as Go's crypto/tls does.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

// Every OpenSSL object is owned by a unique_ptr from the line that creates it.
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * chain) const { sk_X509_pop_free(chain, X509_free); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

}  // namespace

// ---- CertificateReloader ---------------------------------------------------------------------

struct CertificateReloader::Loaded {
  std::unique_ptr<X509, X509Free> cert;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::unique_ptr<STACK_OF(X509), X509StackFree> chain;
};

CertificateReloader::CertificateReloader(std::string cert_file, std::string key_file)
    : m_cert_file(std::move(cert_file)), m_key_file(std::move(key_file)) {}

CertificateReloader::~CertificateReloader() = default;

CertificateReloader::FileStamp CertificateReloader::stamp() const {
  FileStamp result;
  struct stat st {};
  // Both files in one stamp: inode of the certificate, sum of sizes, latest modification.
  if (::stat(m_cert_file.c_str(), &st) == 0) result = FileStamp{st.st_ino, st.st_size, st.st_mtim};
  if (::stat(m_key_file.c_str(), &st) == 0) {
    result.size += st.st_size + 1;
    result.inode ^= st.st_ino << 1;
    const auto& m = st.st_mtim;
    if (m.tv_sec > result.modified.tv_sec ||
        (m.tv_sec == result.modified.tv_sec && m.tv_nsec > result.modified.tv_nsec)) {
      result.modified = m;
    }
  }
  return result;
}

tl::expected<std::shared_ptr<CertificateReloader::Loaded>, std::string> CertificateReloader::read_files() const {
  ERR_clear_error();
  auto loaded = std::make_shared<Loaded>();
  {
    Bio bio(BIO_new_file(m_cert_file.c_str(), "r"));
    if (bio) loaded->cert.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    if (loaded->cert == nullptr) {
      return tl::unexpected("cannot load TLS certificate " + m_cert_file + ": " + openssl_error());
    }
    loaded->chain.reset(sk_X509_new_null());
    if (!loaded->chain) return tl::unexpected("cannot load TLS certificate " + m_cert_file + ": out of memory");
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      if (sk_X509_push(loaded->chain.get(), extra) == 0) X509_free(extra);  // not owned by the stack
    }
    ERR_clear_error();  // the end of the file reads as "no start line"
  }
  {
    Bio bio(BIO_new_file(m_key_file.c_str(), "r"));
    if (bio) loaded->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (loaded->key == nullptr) return tl::unexpected("cannot load TLS key " + m_key_file + ": " + openssl_error());
  }
  if (X509_check_private_key(loaded->cert.get(), loaded->key.get()) != 1) {
    return tl::unexpected("TLS key " + m_key_file + " does not match certificate " + m_cert_file + ": " +
                          openssl_error());
  }
  return loaded;
}

tl::expected<void, std::string> CertificateReloader::load() {
  const FileStamp before = stamp();
  auto loaded = read_files();
  if (!loaded) return tl::unexpected(loaded.error());
  std::lock_guard lock(m_mutex);
  m_loaded = std::move(*loaded);
  m_cert_stamp = before;
  return {};
}

std::shared_ptr<CertificateReloader::Loaded> CertificateReloader::current() {
  const FileStamp now = stamp();
  std::lock_guard lock(m_mutex);
  if (now == m_cert_stamp) return m_loaded;
  // Changed (or mid-rewrite): try once per change; a broken pair keeps the old one serving.
  m_cert_stamp = now;
  auto loaded = read_files();
  if (!loaded) {
    spdlog::error("TLS certificate changed but cannot be used, keeping the previous one: {}", loaded.error());
    return m_loaded;
  }
  m_loaded = std::move(*loaded);
  ++m_reloads;
  spdlog::info("TLS certificate {} reloaded", m_cert_file);
  return m_loaded;
}

int CertificateReloader::on_handshake(SSL* ssl, void* self) {
  auto loaded = static_cast<CertificateReloader*>(self)->current();
  if (!loaded) return 0;
  // SSL_use_cert_and_key takes its own references: `loaded` may go away after this.
  return SSL_use_cert_and_key(ssl, loaded->cert.get(), loaded->key.get(), loaded->chain.get(), 1) == 1 ? 1 : 0;
}

void CertificateReloader::install(SSL_CTX& ctx) { SSL_CTX_set_cert_cb(&ctx, &CertificateReloader::on_handshake, this); }

int CertificateReloader::reloads() const {
  std::lock_guard lock(m_mutex);
  return m_reloads;
}

// ---- configure_tls ---------------------------------------------------------------------------

tl::expected<void, std::string> configure_tls(SSL_CTX& ctx, const config::WebConfig& web,
                                              CertificateReloader& certificates) {
  ERR_clear_error();
  int min_version = TLS1_2_VERSION;
  if (web.min_version == "TLS10")
    min_version = TLS1_VERSION;
  else if (web.min_version == "TLS11")
    min_version = TLS1_1_VERSION;
  else if (web.min_version == "TLS13")
    min_version = TLS1_3_VERSION;
  else if (!web.min_version.empty() && web.min_version != "TLS12") {
    return tl::unexpected("unknown min_version \"" + web.min_version + "\" (TLS10, TLS11, TLS12, TLS13)");
  }
  SSL_CTX_set_min_proto_version(&ctx, min_version);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (web.cert_file.empty() || web.key_file.empty()) {
    return tl::unexpected(std::string("tls_server_config needs both cert_file and key_file"));
  }
  // Loaded into the context too: a handshake always has a pair even if the callback is skipped.
  if (SSL_CTX_use_certificate_chain_file(&ctx, web.cert_file.c_str()) != 1) {
    return tl::unexpected("cannot load TLS certificate " + web.cert_file + ": " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, web.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return tl::unexpected("cannot load TLS key " + web.key_file + ": " + openssl_error());
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) {
    return tl::unexpected("TLS key " + web.key_file + " does not match certificate " + web.cert_file + ": " +
                          openssl_error());
  }
  if (auto loaded = certificates.load(); !loaded) return loaded;
  certificates.install(ctx);

  const std::string& type = web.client_auth_type;
  if (!web.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, web.client_ca_file.c_str(), nullptr) != 1) {
      return tl::unexpected("cannot load client CA file " + web.client_ca_file + ": " + openssl_error());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(web.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(&ctx, names);  // ctx takes ownership
  }
  if (type.empty() || type == "NoClientCert") {
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr);
  } else if (type == "RequestClientCert") {
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, accept_any_certificate);
  } else if (type == "RequireAnyClientCert") {
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
  } else if (type == "VerifyClientCertIfGiven" || type == "RequireAndVerifyClientCert") {
    if (web.client_ca_file.empty()) {
      return tl::unexpected("client_auth_type " + type + " needs client_ca_file");
    }
    int mode = SSL_VERIFY_PEER;
    if (type == "RequireAndVerifyClientCert") mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(&ctx, mode, nullptr);
  } else {
    return tl::unexpected("unknown client_auth_type \"" + type +
                          "\" (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                          "VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
  }
  return {};
}

}  // namespace rdns::agent
