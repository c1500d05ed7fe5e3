// A CA connector for the tests. By default it decides later, as a Microsoft CA with manager
// approval does: every request is answered "pending"; after `polls` status queries it is
// issued (signed by a CA key made at creation, under what the host asked for) or, with
// answer=deny, denied. With polls=0 it issues at once. `misbehave` makes it answer what a
// careless or hostile connector would, for the host's checks:
//   other_key        a certificate for a key of its own, not the request's
//   not_certificate  text that is not a certificate
//   foreign_ca       a certificate signed by another CA than the one it publishes
//   extra_name       an e-mail name the host did not ask for
//   any_usage        no extended key usage (good for anything)
//   ca_leaf          a CA certificate (basicConstraints CA:TRUE)
//   too_long         valid ten years, whatever the profile's term
//   unknown_state    the state "maybe"
//   answer_serial    a serial and not_after in the answer that differ from the certificate's
//   unfollowable     status queries refused as for a request id it can never follow
//   crash            sign_request dereferences a null pointer (SIGSEGV)
//   leak             sign_request takes memory until there is none
//   hang             sign_request never returns
//   huge_ca_certificate, junk_ca_certificate  70 KiB of junk, or a short text that is no PEM
//   long_denial      denies with a reason of 5000 bytes
//   many_actions, twice_actions  lists 40 actions, or one name twice
//   store_big, store_many  sign_request stores a 2 MiB value, or 10 new keys
// It keeps no CRL of its own (the SDK's default crl) and counts cancelled requests. With
// revoke_failures=N its first N revoke calls fail as an outage would (then revocations work); the
// serials it revoked are in its store "revoked", for the tests to read.
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

std::string pem_of(X509* certificate) {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(out);
  return text;
}

Key new_key() {
  return {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free};
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension) throw Error::invalid_argument("bad extension " + value);
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

Certificate self_signed(EVP_PKEY* key, const char* common_name) {
  Certificate ca(X509_new(), X509_free);
  X509_NAME* name = X509_get_subject_name(ca.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(ca.get(), name);
  X509_set_pubkey(ca.get(), key);
  X509_set_version(ca.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(ca.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(ca.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(ca.get()), 3650L * 86400);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  X509_sign(ca.get(), key, EVP_sha256());
  return ca;
}

class PendingCa : public tessera::sdk::CaConnector {
 public:
  explicit PendingCa(const tessera::sdk::ComponentContext& context)
      : CaConnector(context),
        deny_(context.config.at("answer").as_string() == "deny"),
        polls_(context.config.at("polls").to_number<int>()),
        misbehave_(context.config.at("misbehave").as_string()),
        revoke_failures_(context.config.at("revoke_failures").to_number<int>()),
        key_(new_key()),
        ca_(self_signed(key_.get(), "Pending Test CA")) {}

  static ComponentInfo describe() {
    return {
        "pending_ca",
        "Test CA that answers later (or misbehaves)",
        {Param::string("answer", "issue or deny").defaults_to("\"issue\""),
         Param::integer("polls", "status queries before the answer; 0: at once").defaults_to("2"),
         Param::string("misbehave", "what to get wrong (see the source)").defaults_to("\"\""),
         Param::integer("revoke_failures", "revoke calls that fail before one works")
             .defaults_to("0")}};
  }

  boost::json::object sign_request(const boost::json::object& request) override {
    if (misbehave_ == "crash") {
      volatile int* nowhere = nullptr;
      *nowhere = 1;
    }
    if (misbehave_ == "leak")
      for (;;) {
        auto* block = new char[16 << 20];
        std::memset(block, 1, 16 << 20);
        leaked_.push_back(block);
      }
    if (misbehave_ == "hang")
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    if (misbehave_ == "long_denial")
      return {{"state", "denied"}, {"reason", std::string(5000, 'r')}};
    if (misbehave_ == "store_big") host().store("big").set("value", std::string(2 << 20, 'v'));
    if (misbehave_ == "store_many")
      for (int i = 0; i < 10; ++i) host().store("many").set("key" + std::to_string(i), "v");
    if (polls_ == 0) return answer(request);
    std::lock_guard lock(mutex_);
    const auto id = "REQ-" + std::to_string(++next_id_);
    requests_[id] = {request, 0};
    return {{"state", "pending"}, {"request_id", id}};
  }

  boost::json::object request_status(const boost::json::object& request) override {
    if (misbehave_ == "unfollowable")
      throw Error::invalid_argument("request id '" +
                                    std::string(request.at("request_id").as_string()) +
                                    "' is not one this CA can look up");
    boost::json::object stored;
    {
      std::lock_guard lock(mutex_);
      auto it = requests_.find(std::string(request.at("request_id").as_string()));
      if (it == requests_.end()) throw Error::not_found("no such request");
      if (++it->second.polls < polls_) return {{"state", "pending"}};
      stored = it->second.request;
    }
    return answer(stored);
  }

  boost::json::object revoke(const boost::json::object& request) override {
    {
      std::lock_guard lock(mutex_);
      if (revoke_failures_ > 0) {
        --revoke_failures_;
        throw Error::unavailable("the test CA is down");
      }
    }
    host().store("revoked").set(std::string(request.at("serial").as_string()), "yes");
    return {};
  }
  boost::json::object ca_certificate(const boost::json::object&) override {
    if (misbehave_ == "huge_ca_certificate") return {{"certificate", std::string(70 * 1024, 'j')}};
    if (misbehave_ == "junk_ca_certificate") return {{"certificate", "not a certificate"}};
    return {{"certificate", pem_of(ca_.get())}};
  }
  boost::json::object actions(const boost::json::object&) override {
    boost::json::array list;
    const int count = misbehave_ == "many_actions" ? 40 : misbehave_ == "twice_actions" ? 2 : 0;
    for (int i = 0; i < count; ++i)
      list.push_back({{"name", misbehave_ == "twice_actions" ? "same" : "a" + std::to_string(i)},
                      {"description", "x"}});
    return {{"actions", list}};
  }
  boost::json::object cancel_request(const boost::json::object& request) override {
    std::lock_guard lock(mutex_);
    const auto id = std::string(request.at("request_id").as_string());
    if (!requests_.erase(id)) throw Error::not_found("no request " + id);
    host().store("cancelled").set(id, "yes");  // what the tests read back
    return {};
  }

 private:
  struct Request {
    boost::json::object request;
    int polls;
  };

  boost::json::object answer(const boost::json::object& request) {
    if (deny_) return {{"state", "denied"}, {"reason", "the test CA says no"}};
    if (misbehave_ == "unknown_state") return {{"state", "maybe"}};
    if (misbehave_ == "not_certificate")
      return {{"state", "issued"}, {"certificate", "-----BEGIN CERTIFICATE-----\nnope\n"}};
    const auto csr_pem = std::string(request.at("csr").as_string());
    BIO* in = BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()));
    X509_REQ* csr = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    if (!csr) throw Error::invalid_argument("the request does not parse");
    Key other = new_key();
    Certificate issued(X509_new(), X509_free);
    X509_set_version(issued.get(), 2);
    X509_NAME* subject = X509_get_subject_name(issued.get());
    for (const auto& [field, value] : request.at("subject").as_object())
      X509_NAME_add_entry_by_txt(subject, std::string(field).c_str(), MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.as_string().c_str()),
                                 -1, -1, 0);
    X509_set_pubkey(issued.get(),
                    misbehave_ == "other_key" ? other.get() : X509_REQ_get0_pubkey(csr));
    X509_REQ_free(csr);
    const auto& profile = request.at("profile").as_object();
    long days = static_cast<long>(profile.at("validity_days").to_number<int>());
    if (misbehave_ == "too_long") days = 3650;
    long serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial - 1);
    ASN1_INTEGER_set(X509_get_serialNumber(issued.get()), serial < 0 ? -serial : serial);
    X509_gmtime_adj(X509_getm_notBefore(issued.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(issued.get()), days * 86400);
    X509* issuer = ca_.get();
    Key foreign_key = new_key();
    Certificate foreign = self_signed(foreign_key.get(), "Pending Test CA");
    if (misbehave_ == "foreign_ca") issuer = foreign.get();
    X509_set_issuer_name(issued.get(), X509_get_subject_name(issuer));
    add_extension(issued.get(), issuer, NID_basic_constraints,
                  misbehave_ == "ca_leaf" ? "critical,CA:TRUE" : "critical,CA:FALSE");
    std::string usages;
    for (const auto& u : profile.at("extended_key_usage").as_array()) {
      const std::string name(u.as_string());
      usages += (usages.empty() ? "" : ",") +
                (name == "smartcardLogon" ? std::string("msSmartcardLogin") : name);
    }
    if (!usages.empty() && misbehave_ != "any_usage")
      add_extension(issued.get(), issuer, NID_ext_key_usage, usages);
    std::vector<std::string> names;
    const auto& san = request.at("san").as_object();
    for (const auto& e : san.at("email").as_array())
      names.push_back("email:" + std::string(e.as_string()));
    for (const auto& u : san.at("upn").as_array())
      names.push_back("otherName:msUPN;UTF8:" + std::string(u.as_string()));
    if (misbehave_ == "extra_name") names.push_back("email:mallory@evil.example");
    std::string joined;
    for (const auto& n : names) joined.append(joined.empty() ? "" : ",").append(n);
    if (!joined.empty()) add_extension(issued.get(), issuer, NID_subject_alt_name, joined);
    X509_sign(issued.get(), misbehave_ == "foreign_ca" ? foreign_key.get() : key_.get(),
              EVP_sha256());
    boost::json::object out{{"state", "issued"}, {"certificate", pem_of(issued.get())}};
    if (misbehave_ == "answer_serial") {
      out["serial"] = "DEADBEEF";
      out["not_after"] = 4102444800;  // 2100
    }
    return out;
  }

  bool deny_;
  int polls_;
  std::string misbehave_;
  std::vector<char*> leaked_;
  int revoke_failures_;
  Key key_;
  Certificate ca_;
  std::mutex mutex_;
  std::map<std::string, Request> requests_;
  int next_id_ = 0;
};

}  // namespace

// "zero_crl": the same CA, whose "CRLs" are 1000 zero bytes.
class ZeroCrlCa : public PendingCa {
 public:
  using PendingCa::PendingCa;
  static ComponentInfo describe() {
    auto info = PendingCa::describe();
    info.type_id = "zero_crl";
    return info;
  }
  boost::json::object crl(const boost::json::object&) override {
    return {{"crl", std::string(1336, 'A')}};
  }
};

TESSERA_PLUGIN("org.tessera.test.pending_ca", "0.2.0", tessera::sdk::component<PendingCa>(),
               tessera::sdk::component<ZeroCrlCa>());
