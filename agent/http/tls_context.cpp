#include "agent/http/tls_context.hpp"

#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "agent/http/tls_policy.hpp"

namespace rdns::agent {
namespace {

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

CertificateReloader::CertificateReloader(std::string cert_file, std::string key_file, std::string cert_pem,
                                         std::string key_pem)
    : m_cert_file(std::move(cert_file)),
      m_key_file(std::move(key_file)),
      m_cert_pem(std::move(cert_pem)),
      m_key_pem(std::move(key_pem)) {}

namespace {

// The PEM text of a file, or of the inline value when there is no file.
Bio open_pem(const std::string& file, const std::string& pem) {
  if (file.empty()) return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Bio(BIO_new_file(file.c_str(), "r"));
}

std::string name_of(const std::string& file, const char* inline_key) {
  return file.empty() ? std::string("(inline ") + inline_key + ")" : file;
}

}  // namespace

bool CertificateReloader::use_in(SSL_CTX& ctx) {
  std::lock_guard lock(m_mutex);
  return m_loaded &&
         SSL_CTX_use_cert_and_key(&ctx, m_loaded->cert.get(), m_loaded->key.get(), m_loaded->chain.get(), 1) == 1;
}

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
    Bio bio = open_pem(m_cert_file, m_cert_pem);
    if (bio) loaded->cert.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    if (loaded->cert == nullptr) {
      return tl::unexpected("cannot load TLS certificate " + name_of(m_cert_file, "cert") + ": " + openssl_error());
    }
    loaded->chain.reset(sk_X509_new_null());
    if (!loaded->chain)
      return tl::unexpected("cannot load TLS certificate " + name_of(m_cert_file, "cert") + ": out of memory");
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      if (sk_X509_push(loaded->chain.get(), extra) == 0) X509_free(extra);  // not owned by the stack
    }
    ERR_clear_error();  // the end of the file reads as "no start line"
  }
  {
    Bio bio = open_pem(m_key_file, m_key_pem);
    if (bio) loaded->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (loaded->key == nullptr)
      return tl::unexpected("cannot load TLS key " + name_of(m_key_file, "key") + ": " + openssl_error());
  }
  if (X509_check_private_key(loaded->cert.get(), loaded->key.get()) != 1) {
    return tl::unexpected("TLS key " + name_of(m_key_file, "key") + " does not match certificate " +
                          name_of(m_cert_file, "cert") + ": " + openssl_error());
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
  if (auto policy = apply_protocol_policy(ctx, web); !policy) return policy;
  if (!web.tls_enabled()) return tl::unexpected(std::string("tls_server_config needs a certificate and a key"));
  if (auto loaded = certificates.load(); !loaded) return loaded;
  // Into the context too: a handshake always has a pair even if the callback is skipped.
  if (!certificates.use_in(ctx)) return tl::unexpected("cannot use the TLS certificate: " + openssl_error());
  certificates.install(ctx);
  return apply_client_auth(ctx, web);
}

}  // namespace rdns::agent
