// TLS for the web endpoint, from the [tls_server_config] of the web config file.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include <openssl/ssl.h>
#include <tl/expected.hpp>

#include "config/web_config.hpp"

namespace rdns::agent {

// The server certificate and key, re-read when their files change (renewed by certbot,
// cert-manager...), so a renewal needs no restart. Each TLS handshake asks for the current pair;
// a file that changed is loaded again, and a broken new pair is logged and ignored: the previous
// one keeps serving. The paths are those of the web config at start.
// Thread-safety: install() once before serving; handshakes may then run on any threads.
class CertificateReloader {
public:
  // An empty file name reads the inline PEM text instead (tls_server_config cert / key), which
  // never changes.
  CertificateReloader(std::string cert_file, std::string key_file, std::string cert_pem = {}, std::string key_pem = {});
  ~CertificateReloader();
  CertificateReloader(const CertificateReloader&) = delete;
  CertificateReloader& operator=(const CertificateReloader&) = delete;

  // Loads the pair now; the error names the file and OpenSSL's reason.
  [[nodiscard]] tl::expected<void, std::string> load();
  // Sets the loaded pair as the context's own; false before a successful load().
  bool use_in(SSL_CTX& ctx);
  // Makes every handshake of `ctx` use the current pair (SSL_CTX_set_cert_cb).
  void install(SSL_CTX& ctx);
  // How many times a changed pair was loaded after the first (for tests and logs).
  int reloads() const;

private:
  struct Loaded;
  struct FileStamp {
    ino_t inode = 0;
    off_t size = -1;
    timespec modified{};
    bool operator==(const FileStamp& o) const {
      return inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
             modified.tv_nsec == o.modified.tv_nsec;
    }
  };

  static int on_handshake(SSL* ssl, void* self);
  std::shared_ptr<Loaded> current();
  [[nodiscard]] tl::expected<std::shared_ptr<Loaded>, std::string> read_files() const;
  FileStamp stamp() const;

  const std::string m_cert_file;
  const std::string m_key_file;
  const std::string m_cert_pem;
  const std::string m_key_pem;
  mutable std::mutex m_mutex;  // guards the members below
  std::shared_ptr<Loaded> m_loaded;
  FileStamp m_cert_stamp;  // of both files, when m_loaded was read
  int m_reloads = 0;
};

// Sets up `ctx` (a fresh server SSL_CTX): the protocol policy (tls_policy.hpp: versions, cipher
// suites, curves), the certificate chain and key (checked to match; `certificates` keeps them
// fresh), and client certificates (tls_policy.hpp: client_auth_type, the client CA, which is read
// once here, client_allowed_sans). The error names the file and OpenSSL's reason.
// Thread-safety: call before the context is shared.
[[nodiscard]] tl::expected<void, std::string> configure_tls(SSL_CTX& ctx, const config::WebConfig& web,
                                                            CertificateReloader& certificates);

}  // namespace rdns::agent
