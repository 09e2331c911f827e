#include "agent/http/tls_policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace rdns::agent {

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

namespace {

int version_of(const std::string& name, int fallback) {
  if (name == "TLS10") return TLS1_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS12") return TLS1_2_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  return fallback;
}

// Go's curve names -> OpenSSL group names.
std::string group_of(const std::string& curve) {
  if (curve == "CurveP256") return "P-256";
  if (curve == "CurveP384") return "P-384";
  if (curve == "CurveP521") return "P-521";
  return curve;  // X25519
}

// The allowed SANs live in the context's ex_data, owned (and freed) by the context.
struct SanList {
  std::vector<std::string> allowed;
  bool verify_chain = true;  // RequireAndVerifyClientCert; RequireAnyClientCert takes any chain
};

void free_san_list(void*, void* item, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<SanList*>(item); }

int san_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_san_list);
  return index;
}

// RequestClientCert / RequireAnyClientCert take any certificate, as Go's crypto/tls does.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

int check_client_sans(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* sans =
      ssl ? static_cast<const SanList*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), san_index())) : nullptr;
  if (sans == nullptr) return 0;
  if (sans->verify_chain && preverify_ok != 1) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // the SANs are the leaf's
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf == nullptr) return 0;
  for (const auto& name : subject_alt_names(*leaf)) {
    if (std::find(sans->allowed.begin(), sans->allowed.end(), name) != sans->allowed.end()) return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

tl::expected<void, std::string> load_client_cas(SSL_CTX& ctx, const config::WebConfig& web) {
  const bool inline_pem = web.client_ca_file.empty();
  const std::string what = inline_pem ? "inline client_ca" : "client CA file " + web.client_ca_file;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      inline_pem ? BIO_new_mem_buf(web.client_ca_pem.data(), static_cast<int>(web.client_ca_pem.size()))
                 : BIO_new_file(web.client_ca_file.c_str(), "r"),
      &BIO_free);
  if (!bio) return tl::unexpected("cannot read " + what + ": " + openssl_error());
  X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);  // takes its own reference
    SSL_CTX_add_client_CA(&ctx, cert);
    X509_free(cert);
    ++count;
  }
  ERR_clear_error();  // the end of the PEM text reads as "no start line"
  if (count == 0) return tl::unexpected(what + " holds no PEM certificate");
  return {};
}

}  // namespace

std::vector<std::string> subject_alt_names(X509& cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS || name->type == GEN_EMAIL || name->type == GEN_URI) {
      const ASN1_IA5STRING* text = name->d.ia5;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char buffer[INET6_ADDRSTRLEN] = {};
      const int length = ASN1_STRING_length(ip);
      const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
      if (family != 0 && ::inet_ntop(family, ASN1_STRING_get0_data(ip), buffer, sizeof buffer) != nullptr) {
        out.emplace_back(buffer);
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

tl::expected<void, std::string> apply_protocol_policy(SSL_CTX& ctx, const config::WebConfig& web) {
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(&ctx, version_of(web.min_version, TLS1_2_VERSION));
  SSL_CTX_set_max_proto_version(&ctx, version_of(web.max_version, TLS1_3_VERSION));
  long options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
  if (web.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(&ctx, options);
  if (!web.prefer_server_cipher_suites) SSL_CTX_clear_options(&ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);

  std::string openssl_names;  // the TLS 1.2 suites asked for, in OpenSSL's spelling and their order
  if (!web.cipher_suites.empty()) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> all(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    if (!all || SSL_CTX_set_cipher_list(all.get(), "ALL:COMPLEMENTOFALL") != 1) {
      return tl::unexpected("cipher_suites: " + openssl_error());
    }
    STACK_OF(SSL_CIPHER)* known = SSL_CTX_get_ciphers(all.get());
    for (const auto& wanted : web.cipher_suites) {
      for (int i = 0; i < sk_SSL_CIPHER_num(known); ++i) {
        const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(known, i);
        const char* standard = SSL_CIPHER_standard_name(cipher);
        if (standard == nullptr || wanted != standard) continue;
        // TLS 1.3 suites (no "_WITH_" in their names) are not configurable, as in Go.
        if (wanted.find("_WITH_") == std::string::npos) break;
        if (!openssl_names.empty()) openssl_names += ':';
        openssl_names += SSL_CIPHER_get_name(cipher);
        break;
      }
    }
    if (!openssl_names.empty() && SSL_CTX_set_cipher_list(&ctx, openssl_names.c_str()) != 1) {
      return tl::unexpected("cipher_suites: OpenSSL accepts none of them: " + openssl_error());
    }
  }
  if (!web.curve_preferences.empty()) {
    std::string groups;
    for (const auto& curve : web.curve_preferences) groups += (groups.empty() ? "" : ":") + group_of(curve);
    if (SSL_CTX_set1_groups_list(&ctx, groups.c_str()) != 1) {
      return tl::unexpected("curve_preferences: OpenSSL refuses \"" + groups + "\": " + openssl_error());
    }
  }
  return {};
}

tl::expected<void, std::string> apply_client_auth(SSL_CTX& ctx, const config::WebConfig& web) {
  ERR_clear_error();
  if (!web.client_ca_file.empty() || !web.client_ca_pem.empty()) {
    if (auto loaded = load_client_cas(ctx, web); !loaded) return loaded;
  }
  const std::string& type = web.client_auth_type;
  const bool has_ca = !web.client_ca_file.empty() || !web.client_ca_pem.empty();
  int mode = SSL_VERIFY_NONE;
  SSL_verify_cb callback = nullptr;
  if (type.empty() || type == "NoClientCert") {
    mode = SSL_VERIFY_NONE;
  } else if (type == "RequestClientCert" || type == "RequireAnyClientCert") {
    mode = SSL_VERIFY_PEER | (type == "RequireAnyClientCert" ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    callback = accept_any_certificate;
  } else if (type == "VerifyClientCertIfGiven" || type == "RequireAndVerifyClientCert") {
    if (!has_ca) return tl::unexpected("client_auth_type " + type + " needs client_ca_file");
    mode = SSL_VERIFY_PEER | (type == "RequireAndVerifyClientCert" ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
  } else {
    return tl::unexpected("unknown client_auth_type \"" + type +
                          "\" (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                          "VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
  }
  if (!web.client_allowed_sans.empty()) {
    if (type != "RequireAnyClientCert" && type != "RequireAndVerifyClientCert") {
      return tl::unexpected(
          std::string("client_allowed_sans requires client_auth_type RequireAnyClientCert or "
                      "RequireAndVerifyClientCert"));
    }
    auto sans = std::make_unique<SanList>(SanList{web.client_allowed_sans, type == "RequireAndVerifyClientCert"});
    if (san_index() < 0 || SSL_CTX_set_ex_data(&ctx, san_index(), sans.get()) != 1) {
      return tl::unexpected("client_allowed_sans: " + openssl_error());
    }
    sans.release();  // owned by the context now (free_san_list)
    callback = check_client_sans;
  }
  SSL_CTX_set_verify(&ctx, mode, callback);
  return {};
}

}  // namespace rdns::agent
