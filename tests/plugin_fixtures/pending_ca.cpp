// A CA connector for the tests that decides later, as a Microsoft CA with manager approval
// does: every request is answered "pending"; after `polls` status queries it is issued (signed
// by a CA key made at creation) or, with answer=deny, denied. Requests are kept in memory.
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string pem_of(X509* certificate) {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(out);
  return text;
}

class PendingCa : public tessera::sdk::CaConnector {
 public:
  explicit PendingCa(const tessera::sdk::ComponentContext& context)
      : CaConnector(context),
        deny_(context.config.at("answer").as_string() == "deny"),
        polls_(context.config.at("polls").to_number<int>()),
        key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free),
        ca_(X509_new(), X509_free) {
    X509_NAME* name = X509_get_subject_name(ca_.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Pending Test CA"), -1, -1,
                               0);
    X509_set_issuer_name(ca_.get(), name);
    finish(ca_.get(), key_.get(), 1);
  }

  static ComponentInfo describe() {
    return {"pending_ca",
            "Test CA that answers later",
            {Param::string("answer", "issue or deny").defaults_to("\"issue\""),
             Param::integer("polls", "status queries before the answer").defaults_to("2")}};
  }

  boost::json::object sign_request(const boost::json::object& request) override {
    std::lock_guard lock(mutex_);
    const auto id = "REQ-" + std::to_string(++next_id_);
    requests_[id] = {std::string(request.at("csr").as_string()), 0};
    return {{"state", "pending"}, {"request_id", id}};
  }

  boost::json::object request_status(const boost::json::object& request) override {
    std::lock_guard lock(mutex_);
    auto it = requests_.find(std::string(request.at("request_id").as_string()));
    if (it == requests_.end()) throw Error::not_found("no such request");
    if (++it->second.polls < polls_) return {{"state", "pending"}};
    if (deny_) return {{"state", "denied"}, {"reason", "the test CA says no"}};
    BIO* in = BIO_new_mem_buf(it->second.csr.data(), static_cast<int>(it->second.csr.size()));
    X509_REQ* csr = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    if (!csr) throw Error::invalid_argument("the stored request does not parse");
    std::unique_ptr<X509, decltype(&X509_free)> issued(X509_new(), X509_free);
    X509_set_subject_name(issued.get(), X509_REQ_get_subject_name(csr));
    X509_set_issuer_name(issued.get(), X509_get_subject_name(ca_.get()));
    X509_set_pubkey(issued.get(), X509_REQ_get0_pubkey(csr));
    X509_REQ_free(csr);
    const long serial = finish(issued.get(), key_.get(), 0);
    return {{"state", "issued"},
            {"certificate", pem_of(issued.get())},
            {"serial", hex(serial)},
            {"not_after", static_cast<int64_t>(std::time(nullptr) + 30 * 86400)}};
  }

  boost::json::object revoke(const boost::json::object&) override { return {}; }
  boost::json::object ca_certificate(const boost::json::object&) override {
    return {{"certificate", pem_of(ca_.get())}};
  }

 private:
  struct Request {
    std::string csr;
    int polls;
  };

  static std::string hex(long value) {
    char out[32];
    std::snprintf(out, sizeof out, "%lX", value);
    return out;
  }

  // Serial, validity and signature; returns the serial.
  static long finish(X509* certificate, EVP_PKEY* key, int is_ca) {
    long serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial - 1);
    serial = serial < 0 ? -serial : serial;
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial);
    X509_set_version(certificate, 2);
    X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 30L * 86400);
    if (is_ca) X509_set_pubkey(certificate, key);
    X509_sign(certificate, key, EVP_sha256());
    return serial;
  }

  bool deny_;
  int polls_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
  std::unique_ptr<X509, decltype(&X509_free)> ca_;
  std::mutex mutex_;
  std::map<std::string, Request> requests_;
  int next_id_ = 0;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.test.pending_ca", "0.1.0", tessera::sdk::component<PendingCa>());
