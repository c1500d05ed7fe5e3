// The two sides of the plugin boundary without a library: the SDK's barrier (plugin side) and
// the loader's descriptor checks (host side).
#include <cstring>

#include <gtest/gtest.h>
#include <tessera/sdk/key_types.hpp>
#include <tessera/sdk/plugin.hpp>

#include "server/plugins/plugin_registry.hpp"

namespace tessera {
namespace {

class Throwing : public sdk::TokenType {
 public:
  explicit Throwing(const sdk::ComponentContext& c) : TokenType(c) {
    if (c.config.contains("fail_create")) throw sdk::Error::invalid_argument("bad setting");
  }
  static sdk::ComponentInfo describe() {
    return {"throwing", "Throwing", {sdk::Param::boolean("fail_create", "x")}};
  }
  boost::json::object enroll(const boost::json::object&) override { throw std::logic_error("bug"); }
  boost::json::object verify(const boost::json::object& r) override {
    if (r.contains("int")) throw 42;
    throw sdk::Error::not_found("no such token");
  }
};

// A host whose log calls are counted.
int logged = 0;
const tessera_host_api_v1 kFakeHost{sizeof(tessera_host_api_v1),
                                    [](void*, tessera_log_level, tessera_str) { ++logged; }};

struct Output {
  std::string text;
  tessera_sink sink{
      this, [](void* c, const char* d, size_t n) { static_cast<Output*>(c)->text.append(d, n); }};
};

class SdkBarrier : public ::testing::Test {
 protected:
  void SetUp() override {
    Output error;
    ASSERT_EQ(sdk::detail::init(&kFakeHost, nullptr, &state_, &error.sink), TESSERA_OK);
    component_ = sdk::component<Throwing>();
  }
  void TearDown() override { sdk::detail::shutdown(state_); }
  tessera_status create(const std::string& config, void** instance, Output& out) {
    return component_->vtable->create(state_, {"t", 1}, {config.data(), config.size()}, instance,
                                      &out.sink);
  }
  void* state_ = nullptr;
  const tessera_component_v1* component_ = nullptr;
};

TEST_F(SdkBarrier, DescribesTheComponent) {
  EXPECT_EQ(component_->kind, TESSERA_COMPONENT_TOKEN_TYPE);
  EXPECT_STREQ(component_->type_id, "throwing");
  ASSERT_EQ(component_->param_count, 1u);
  EXPECT_EQ(component_->params[0].type, TESSERA_PARAM_BOOL);
  EXPECT_EQ(component_->vtable->operation_3, nullptr)
      << "a token type that does not override resync does not offer it";
  EXPECT_EQ(component_->vtable->operation_4, nullptr) << "nor challenge";
  EXPECT_EQ(component_->vtable->operation_5, nullptr) << "nor deleted";
}

// A token type that overrides the optional operations offers each of them, and nothing else.
class Resyncing : public sdk::TokenType {
 public:
  using TokenType::TokenType;
  static sdk::ComponentInfo describe() { return {"resyncing", "Resyncing", {}}; }
  boost::json::object enroll(const boost::json::object&) override { return {}; }
  boost::json::object verify(const boost::json::object&) override { return {}; }
  boost::json::object resync(const boost::json::object&) override { return {{"match", false}}; }
  boost::json::object challenge(const boost::json::object&) override { return {}; }
  boost::json::object deleted(const boost::json::object&) override { return {}; }
};

TEST(SdkOptionalOperations, AreOfferedExactlyWhenOverridden) {
  const auto* component = sdk::component<Resyncing>();
  EXPECT_NE(component->vtable->operation_3, nullptr);
  EXPECT_NE(component->vtable->operation_4, nullptr);
  EXPECT_NE(component->vtable->operation_5, nullptr);
  EXPECT_EQ(component->vtable->operation_6, nullptr);
  EXPECT_EQ(component->vtable->struct_size, sizeof(tessera_component_vtable_v1));
}

// A CA connector offers its admin actions (ABI 1.6) only when it has some.
class PlainCa : public sdk::CaConnector {
 public:
  using CaConnector::CaConnector;
  static sdk::ComponentInfo describe() { return {"plain_ca", "Plain CA", {}}; }
  boost::json::object sign_request(const boost::json::object&) override { return {}; }
  boost::json::object request_status(const boost::json::object&) override { return {}; }
  boost::json::object revoke(const boost::json::object&) override { return {}; }
};
class ActingCa : public PlainCa {
 public:
  using PlainCa::PlainCa;
  static sdk::ComponentInfo describe() { return {"acting_ca", "Acting CA", {}}; }
  boost::json::object actions(const boost::json::object&) override { return {}; }
  boost::json::object run_action(const boost::json::object&) override { return {}; }
};

TEST(SdkOptionalOperations, ACaConnectorOffersActionsOnlyWhenItHasThem) {
  const auto* plain = sdk::component<PlainCa>();
  EXPECT_EQ(plain->vtable->operation_7, nullptr);
  EXPECT_EQ(plain->vtable->operation_8, nullptr);
  const auto* acting = sdk::component<ActingCa>();
  EXPECT_NE(acting->vtable->operation_7, nullptr);
  EXPECT_NE(acting->vtable->operation_8, nullptr);
  EXPECT_EQ(acting->vtable->operation_6, nullptr) << "nor cancel_request, which it does not have";
}

TEST_F(SdkBarrier, TurnsEveryExceptionIntoAFailureStatus) {
  void* instance = nullptr;
  Output out;
  EXPECT_EQ(create("{\"fail_create\": true}", &instance, out), TESSERA_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out.text, "bad setting");
  EXPECT_EQ(create("not json", &instance, out), TESSERA_ERR_INVALID_ARGUMENT);
  Output ok;
  ASSERT_EQ(create("{}", &instance, ok), TESSERA_OK);

  Output enroll_out;
  logged = 0;
  EXPECT_EQ(component_->vtable->operation_1(instance, {"{}", 2}, &enroll_out.sink),
            TESSERA_ERR_INTERNAL);
  EXPECT_EQ(enroll_out.text, "internal error in plugin: bug");
  EXPECT_EQ(logged, 1) << "unexpected exceptions are logged through the host";
  Output verify_out;
  EXPECT_EQ(component_->vtable->operation_2(instance, {"{}", 2}, &verify_out.sink),
            TESSERA_ERR_NOT_FOUND);
  Output int_out;
  EXPECT_EQ(component_->vtable->operation_2(instance, {"{\"int\":1}", 9}, &int_out.sink),
            TESSERA_ERR_INTERNAL);
  component_->vtable->destroy(instance);
}

// Host side: descriptors are checked before anything of the plugin runs.
class DescriptorCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    component_ = *sdk::component<Throwing>();
    plugin_ = {sizeof(tessera_plugin_v1),
               TESSERA_ABI_VERSION_MAJOR,
               TESSERA_ABI_VERSION_MINOR,
               "org.tests",
               "1.0.0",
               "test",
               &component_,
               1,
               &sdk::detail::init,
               &sdk::detail::shutdown};
  }
  tessera_component_v1 component_;
  tessera_plugin_v1 plugin_;
};

TEST_F(DescriptorCheck, AcceptsAValidDescriptor) {
  EXPECT_EQ(plugins::check_descriptor(&plugin_), "");
}

TEST_F(DescriptorCheck, RefusesVersionsAndMissingParts) {
  EXPECT_EQ(plugins::check_descriptor(nullptr), "the entry function returned no descriptor");
  auto p = plugin_;
  p.abi_minor = TESSERA_ABI_VERSION_MINOR + 1;
  EXPECT_NE(plugins::check_descriptor(&p).find("upgrade the server"), std::string::npos);
  p = plugin_;
  p.struct_size = 8;
  EXPECT_NE(plugins::check_descriptor(&p).find("too small"), std::string::npos);
  p = plugin_;
  p.plugin_id = "";
  EXPECT_EQ(plugins::check_descriptor(&p), "the descriptor has no plugin id");
  p = plugin_;
  p.component_count = 0;
  EXPECT_EQ(plugins::check_descriptor(&p), "the plugin declares no components");
}

class BadDefault : public sdk::NotificationAction {
 public:
  using NotificationAction::NotificationAction;
  static sdk::ComponentInfo describe() {
    return {"bad_default", "x", {sdk::Param::integer("retries", "x").defaults_to("\"three\"")}};
  }
  boost::json::object execute(const boost::json::object&) override { return {}; }
};

TEST_F(DescriptorCheck, RefusesDefaultsOfTheWrongType) {
  component_ = *sdk::component<BadDefault>();
  EXPECT_EQ(plugins::check_descriptor(&plugin_),
            "component 0 (bad_default): parameter 'retries': the default has the wrong type");
}

TEST_F(DescriptorCheck, RefusesArraysWhoseElementsDifferInSize) {
  // Arrays are strided by the first element's struct_size, so every element must share it.
  std::vector<char> buffer(2 * sizeof(tessera_component_v1));
  auto first = *sdk::component<Throwing>();
  auto second = *sdk::component<Throwing>();
  second.type_id = "other";
  std::memcpy(buffer.data(), &first, sizeof(first));
  std::memcpy(buffer.data() + sizeof(first), &second, sizeof(second));
  plugin_.components = reinterpret_cast<const tessera_component_v1*>(buffer.data());
  plugin_.component_count = 2;
  EXPECT_EQ(plugins::check_descriptor(&plugin_), "");
  auto mismatched = second;
  mismatched.struct_size = first.struct_size + 8;
  std::memcpy(buffer.data() + sizeof(first), &mismatched, sizeof(mismatched));
  EXPECT_NE(plugins::check_descriptor(&plugin_).find("struct_size differs"), std::string::npos);
}

TEST_F(DescriptorCheck, RefusesMalformedComponents) {
  tessera_component_vtable_v1 vtable = *component_.vtable;
  vtable.operation_2 = nullptr;
  component_.vtable = &vtable;
  EXPECT_NE(
      plugins::check_descriptor(&plugin_).find("a required function of a token_type is missing"),
      std::string::npos);
  component_ = *sdk::component<Throwing>();
  component_.kind = 77;
  EXPECT_NE(plugins::check_descriptor(&plugin_).find("unknown kind 77"), std::string::npos);
  tessera_component_v1 twice[2] = {*sdk::component<Throwing>(), *sdk::component<Throwing>()};
  plugin_.components = twice;
  plugin_.component_count = 2;
  EXPECT_NE(plugins::check_descriptor(&plugin_).find("declares token_type 'throwing' twice"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera

// The SDK refuses a header with a line break (it would add a header of the plugin's choosing
// to the request) before the host is asked; and its version string is the ABI's.
TEST(SdkHost, RefusesAHeaderWithALineBreakAndNamesTheAbiVersion) {
  static int sent = 0;
  tessera_host_api_v1 api{};
  api.struct_size = sizeof(tessera_host_api_v1);
  api.abi_minor = TESSERA_ABI_VERSION_MINOR;
  api.http_exchange = [](void*, const tessera_http_request*, int32_t* status, const tessera_sink*,
                         const tessera_sink*, const tessera_sink*) {
    ++sent;
    *status = 200;
    return TESSERA_OK;
  };
  const tessera::sdk::Host host(&api, nullptr);
  tessera::sdk::HttpRequest request;
  request.url = "https://ca.example/";
  request.headers = {{"X-Ok", "fine"}};
  EXPECT_EQ(host.http(request).status, 200);
  EXPECT_EQ(sent, 1);
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"X-Evil", "a\r\nX-Injected: 1"},
                                                        {"X-Evil", "a\nb"},
                                                        {"X-Evil\r\nX-I", "1"},
                                                        {"A:B", "1"}}) {
    request.headers = {{name, value}};
    try {
      host.http(request);
      ADD_FAILURE() << "sent: " << name;
    } catch (const tessera::sdk::Error& e) {
      EXPECT_EQ(e.kind(), tessera::sdk::Error::Kind::invalid_argument);
    }
  }
  EXPECT_EQ(sent, 1) << "nothing with a line break reached the host";
  EXPECT_EQ(std::string(TESSERA_SDK_VERSION), std::to_string(TESSERA_ABI_VERSION_MAJOR) + "." +
                                                  std::to_string(TESSERA_ABI_VERSION_MINOR) + ".0");
}

// A key the host refuses reaches the plugin as invalid_argument (its own to fix); a database
// that fails as unavailable (to retry).
TEST(SdkHost, StoreFailuresAreMappedToWhatTheyAre) {
  static tessera_status answer = TESSERA_ERR_INVALID_ARGUMENT;
  tessera_host_api_v1 api{};
  api.struct_size = sizeof(tessera_host_api_v1);
  api.store_set = [](void*, tessera_str, tessera_str, tessera_str, int) { return answer; };
  const tessera::sdk::Host host(&api, nullptr);
  const auto store = host.store("things");
  const auto kind_of = [&] {
    try {
      store.set("k", "v");
    } catch (const tessera::sdk::Error& e) {
      return e.kind();
    }
    return tessera::sdk::Error::Kind::internal;
  };
  EXPECT_EQ(kind_of(), tessera::sdk::Error::Kind::invalid_argument);
  answer = TESSERA_ERR_UNAVAILABLE;
  EXPECT_EQ(kind_of(), tessera::sdk::Error::Kind::unavailable);
}

// The SDK's key-type helper for CA connectors: a CSR's key against the profile's key_types.
TEST(SdkKeyTypes, ACsrsKeyIsCheckedAgainstTheProfile) {
  const auto csr_of = [](const char* algorithm, const char* option) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm, option);
    X509_REQ* request = X509_REQ_new();
    X509_REQ_set_pubkey(request, key);
    X509_REQ_sign(request, key, EVP_sha256());
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(out, request);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<size_t>(size));
    BIO_free(out);
    X509_REQ_free(request);
    EVP_PKEY_free(key);
    return pem;
  };
  const auto ec = csr_of("EC", "P-384");
  EXPECT_EQ(tessera::sdk::csr_key_type(ec), "ec-p384");
  const boost::json::object allowed{{"csr", ec},
                                    {"profile", {{"key_types", {"ec-p256", "ec-p384"}}}}};
  EXPECT_NO_THROW(tessera::sdk::check_csr_key(allowed));
  const boost::json::object refused{{"csr", ec}, {"profile", {{"key_types", {"ec-p256"}}}}};
  try {
    tessera::sdk::check_csr_key(refused);
    ADD_FAILURE() << "an ec-p384 key where only ec-p256 is allowed";
  } catch (const tessera::sdk::Error& e) {
    EXPECT_EQ(e.kind(), tessera::sdk::Error::Kind::invalid_argument);
    EXPECT_STREQ(e.what(), "the CSR's key (ec-p384) is not allowed here (allowed: ec-p256)");
  }
  auto tampered = ec;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THROW(tessera::sdk::csr_key_type(tampered), tessera::sdk::Error);
  EXPECT_THROW(tessera::sdk::csr_key_type("not a CSR"), tessera::sdk::Error);
}

// A host older than 1.7 has no radius_request: the SDK says which version the call needs
// instead of calling past the end of the host's table; a 1.7 host's statuses map to kinds.
TEST(SdkHost, RadiusNeedsAHostOf17AndMapsItsStatuses) {
  tessera_host_api_v1 api{};
  api.struct_size = offsetof(tessera_host_api_v1, radius_request);
  api.abi_minor = 6;
  const tessera::sdk::Host old_host(&api, nullptr);
  try {
    old_host.radius({"remote", "bob", "123456", ""});
    ADD_FAILURE() << "an older host was called";
  } catch (const tessera::sdk::Error& e) {
    EXPECT_EQ(e.kind(), tessera::sdk::Error::Kind::unavailable);
    EXPECT_NE(std::string(e.what()).find("1.7"), std::string::npos) << e.what();
  }

  api.struct_size = sizeof api;
  api.abi_minor = TESSERA_ABI_VERSION_MINOR;
  api.radius_request = [](void*, const tessera_radius_request* request, int32_t* code,
                          const tessera_sink* message, const tessera_sink*, const tessera_sink*) {
    if (std::string_view(request->server.data, request->server.size) == "nowhere")
      return TESSERA_ERR_NOT_FOUND;
    *code = 2;
    message->write(message->context, "hi", 2);
    return TESSERA_OK;
  };
  const tessera::sdk::Host host(&api, nullptr);
  const auto reply = host.radius({"remote", "bob", "123456", ""});
  EXPECT_EQ(reply.code, tessera::sdk::RadiusReply::Code::accept);
  EXPECT_EQ(reply.message, "hi");
  try {
    host.radius({"nowhere", "bob", "123456", ""});
    ADD_FAILURE() << "no error for an unknown server";
  } catch (const tessera::sdk::Error& e) {
    EXPECT_EQ(e.kind(), tessera::sdk::Error::Kind::not_found);
  }
}
