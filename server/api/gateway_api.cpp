// eduMFA's message servers as Tessera notifiers: an SMTP server (/smtpserver/) is a notifier of
// type "email", an SMS gateway (/smsgateway/) one of type "sms_http" (eduMFA's
// HttpSMSProvider). Both are named by the authentication policy challenge_notification
// ("email:<smtp server> sms:<gateway>") to send codes, and by event handlers. eduMFA's
// parameter names are translated here; what Tessera's plugins do not offer is refused by name.
// POST /system/test/<tokentype> sends a test message through one of them.
#include "server/api/gateway_api.hpp"

#include <map>

#include <boost/json/serialize.hpp>

#include "server/api/api_error.hpp"
#include "server/api/component_save.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::api {
namespace {

constexpr const char* kHttpProvider = "HttpSMSProvider";

// eduMFA's HttpSMSProvider options -> sms_http's settings.
const std::map<std::string, std::string>& sms_options() {
  static const std::map<std::string, std::string> options{
      {"URL", "url"},
      {"HTTP_METHOD", "http_method"},
      {"SMS_PHONENUMBER_KEY", "sms_phonenumber_key"},
      {"SMS_TEXT_KEY", "sms_text_key"},
      {"RETURN_SUCCESS", "return_success"},
      {"RETURN_FAIL", "return_fail"},
      {"USERNAME", "username"},
      {"PASSWORD", "password"},
      {"TIMEOUT", "timeout_seconds"}};
  return options;
}

// Options Tessera does not take, and why.
std::optional<std::string> refused_option(const std::string& key, const std::string& value) {
  if (key == "CHECK_SSL" && value != "yes" && value != "1" && value != "True")
    return "Tessera always checks the gateway's TLS certificate";
  if (key == "PROXY" || key == "HTTP_PROXY" || key == "HTTPS_PROXY")
    return "plugins reach the network through plugins.http_proxy in tessera.yaml";
  if (key == "REGEXP") return "phone numbers are sent as stored; no rewriting (REGEXP)";
  return std::nullopt;
}

boost::json::object sms_gateway_json(const plugins::ConfiguredComponent& n, int64_t id) {
  boost::json::object options, headers;
  for (const auto& [edumfa, tessera] : sms_options())
    if (const auto* v = n.config.if_contains(tessera))
      options[edumfa] = v->is_string() ? *v : boost::json::value(boost::json::serialize(*v));
  if (const auto* list = n.config.if_contains("parameters"); list && list->is_array())
    for (const auto& item : list->get_array()) {
      const std::string line(item.as_string());
      options[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
    }
  if (const auto* list = n.config.if_contains("headers"); list && list->is_string())
    headers["***"] = *list;  // secret: shown masked, as a whole
  return {{"id", id},
          {"name", n.name},
          {"providermodule",
           std::string("edumfa.lib.smsprovider.") + kHttpProvider + "." + kHttpProvider},
          {"description", ""},
          {"options", std::move(options)},
          {"headers", std::move(headers)}};
}

std::vector<plugins::ConfiguredComponent> of_type(plugins::ConfiguredComponents& notifiers,
                                                  const std::string& type) {
  std::vector<plugins::ConfiguredComponent> found;
  for (auto& n : notifiers.list())
    if (n.type == type) found.push_back(std::move(n));
  return found;
}

// A gateway by eduMFA's id (its place in the list, from 1) or by name.
std::optional<plugins::ConfiguredComponent> sms_gateway(plugins::ConfiguredComponents& notifiers,
                                                        const std::string& key, int64_t& id) {
  const auto gateways = of_type(notifiers, "sms_http");
  for (size_t i = 0; i < gateways.size(); ++i)
    if (gateways[i].name == key || std::to_string(i + 1) == key) {
      id = static_cast<int64_t>(i + 1);
      return gateways[i];
    }
  return std::nullopt;
}

http::HttpResponse saved(http::RequestContext& c, plugins::ConfiguredComponents& notifiers,
                         const std::string& name, const std::string& type,
                         const boost::json::object& params) {
  check_identifier(name, "notification action name");
  if (const auto existing = notifiers.type_of(name); !existing.empty() && existing != type)
    throw ApiError::bad_parameter("'" + name + "' is a notifier of type " + existing);
  http::RequestContext inner{c.request, c.path, params, c.path_params, c.identity, {}};
  inner.params["type"] = type;
  auto response = save_component(
      inner, name, notifiers.noun(),
      [&](const std::string& t, const boost::json::object& p, std::optional<long long> version) {
        return notifiers.save(name, t, p, version);
      });
  c.audit.info = inner.audit.info;
  return response;
}

// Sends one test message through a notifier: an e-mail to recipient (an address) or a text to
// recipient (a number); throws PluginCallError when it was not sent.
void send_test(plugins::ComponentInstance& notifier, bool email, const std::string& recipient,
               const std::string& subject, const std::string& text) {
  const auto actions = notifier.call(plugins::Operation::actions, {});
  if (actions.empty()) throw ApiError::bad_parameter("the notifier offers no action");
  const boost::json::object user{
      {"username", "test"}, {"email", email ? recipient : ""}, {"mobile", email ? "" : recipient}};
  notifier.call(
      plugins::Operation::execute,
      {{"action", actions.begin()->key()},
       {"options", {{"to", "tokenowner"}, {"subject", subject}, {"body", text}}},
       {"event", {{"event", "test"}, {"user", user}, {"token", boost::json::object()}}},
       {"tags", {{"user", "test"}}},
       {"recipients", email ? boost::json::array{recipient.c_str()} : boost::json::array{}}});
}

}  // namespace

void add_gateway_routes(http::Router& router, plugins::ConfiguredComponents& notifiers,
                        const AccessControl& access) {
  const auto authenticated = http::Access::authenticated;

  // SMTP servers: notifiers of type email.
  router.add(
      "GET", "/smtpserver/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smtpserver_read");
        boost::json::object value;
        for (const auto& n : of_type(notifiers, "email")) {
          const auto text = [&](const char* key) {
            const auto* v = n.config.if_contains(key);
            return v ? *v : boost::json::value("");
          };
          const auto* security = n.config.if_contains("security");
          value[n.name] = {
              {"identifier", n.name},
              {"server", text("host")},
              {"port", text("port")},
              {"username", text("username")},
              {"sender", text("sender")},
              {"tls", security && security->is_string() && security->get_string() != "none"},
              {"timeout", text("timeout_seconds")},
              {"description", ""},
              {"enqueue_job", false}};
        }
        return json_result(value);
      },
      authenticated);
  // eduMFA's test of an SMTP configuration that may not be saved yet: this one sends through a
  // saved SMTP server (identifier) only.
  router.add(
      "POST", "/smtpserver/send_test_email",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smtpserver_write");
        const auto name = required_param(c, "identifier", 64);
        const auto instance = notifiers.instance(name);
        if (!instance || notifiers.type_of(name) != "email")
          throw ApiError::bad_parameter("save the SMTP server '" + name +
                                        "' first (POST /smtpserver/" + name +
                                        "): tests go through a saved one");
        const auto recipient = required_param(c, "recipient", 255);
        try {
          send_test(
              *instance, true, recipient, "Test Email from Tessera",
              "This is a test email from Tessera. The configuration " + name + " is working.");
        } catch (const plugins::PluginCallError& e) {
          throw ApiError(502, error_code::parameter, std::string("not sent: ") + e.what());
        }
        return json_result(true);
      },
      authenticated);
  router.add(
      "POST", "/smtpserver/<identifier>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smtpserver_write");
        if (bool_param(c, "enqueue_job", false))
          throw ApiError::bad_parameter(
              "enqueue_job: Tessera queues every notification in its outbox already");
        const auto port = int_param(c, "port", 25, 1, 65535);
        // eduMFA's tls=1 is STARTTLS except on port 465; without it, plain SMTP.
        const auto security =
            bool_param(c, "tls", false) ? (port == 465 ? "tls" : "starttls") : "none";
        boost::json::object params{{"host", required_param(c, "server", 255)},
                                   {"port", port},
                                   {"security", security},
                                   {"username", string_param(c, "username", 255)},
                                   {"sender", required_param(c, "sender", 255)},
                                   {"timeout_seconds", int_param(c, "timeout", 10, 1, 300)}};
        if (c.params.contains("password")) params["password"] = string_param(c, "password", 255);
        return saved(c, notifiers, c.path_params.at("identifier"), "email", params);
      },
      authenticated);
  router.add(
      "DELETE", "/smtpserver/<identifier>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smtpserver_write");
        const auto& name = c.path_params.at("identifier");
        if (notifiers.type_of(name) != "email" || !notifiers.remove(name))
          throw ApiError::not_found("no SMTP server '" + name + "'");
        return json_result(true);
      },
      authenticated);

  // SMS gateways: notifiers of type sms_http.
  router.add(
      "GET", "/smsgateway/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smsgateway_read");
        boost::json::array value;
        int64_t id = 0;
        for (const auto& n : of_type(notifiers, "sms_http"))
          value.push_back(sms_gateway_json(n, ++id));
        return json_result(value);
      },
      authenticated);
  router.add(
      "GET", "/smsgateway/<gwid>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smsgateway_read");
        const auto& key = c.path_params.at("gwid");
        if (key == "providers") {
          boost::json::object parameters;
          for (const auto& [edumfa, unused] : sms_options())
            parameters[edumfa] = {{"required", edumfa == "URL"}, {"description", edumfa}};
          return json_result(boost::json::object{
              {std::string("edumfa.lib.smsprovider.") + kHttpProvider + "." + kHttpProvider,
               parameters}});
        }
        int64_t id = 0;
        const auto gateway = sms_gateway(notifiers, key, id);
        if (!gateway) return json_result(boost::json::array{});
        return json_result(boost::json::array{sms_gateway_json(*gateway, id)});
      },
      authenticated);
  router.add(
      "POST", "/smsgateway",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smsgateway_write");
        const auto name = required_param(c, "name", 64);
        const auto module = required_param(c, "module", 255);
        if (!module.ends_with(std::string(".") + kHttpProvider))
          throw ApiError::bad_parameter("module '" + module +
                                        "': Tessera's SMS gateway is the HTTP one "
                                        "(edumfa.lib.smsprovider.HttpSMSProvider.HttpSMSProvider)");
        boost::json::object params;
        boost::json::array parameters, headers;
        for (const auto& [key, unused] : c.params) {
          const std::string name_of(key);
          if (name_of.starts_with("option.")) {
            const auto option = name_of.substr(7);
            const auto value = string_param(c, name_of.c_str(), 2048);
            if (auto why = refused_option(option, value))
              throw ApiError::bad_parameter("option " + option + ": " + *why);
            if (option == "CHECK_SSL") continue;
            if (const auto it = sms_options().find(option); it != sms_options().end()) {
              if (it->second == "timeout_seconds")
                params[it->second] = int_param(c, name_of.c_str(), 10, 1, 120);
              else
                params[it->second] = value;
            } else {
              parameters.push_back(boost::json::string(option + "=" + value));
            }
          } else if (name_of.starts_with("header.")) {
            headers.push_back(boost::json::string(name_of.substr(7) + ": " +
                                                  string_param(c, name_of.c_str(), 2048)));
          }
        }
        params["parameters"] = std::move(parameters);
        params["headers"] = std::move(headers);
        return saved(c, notifiers, name, "sms_http", params);
      },
      authenticated);
  router.add(
      "DELETE", "/smsgateway/<identifier>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smsgateway_write");
        int64_t id = 0;
        const auto gateway = sms_gateway(notifiers, c.path_params.at("identifier"), id);
        if (!gateway || !notifiers.remove(gateway->name))
          throw ApiError::not_found("no SMS gateway '" + c.path_params.at("identifier") + "'");
        return json_result(true);
      },
      authenticated);
  // One option of a gateway back to its default (an extra parameter: gone).
  router.add(
      "DELETE", "/smsgateway/option/<gwid>/<key>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "smsgateway_write");
        int64_t id = 0;
        const auto gateway = sms_gateway(notifiers, c.path_params.at("gwid"), id);
        if (!gateway)
          throw ApiError::not_found("no SMS gateway '" + c.path_params.at("gwid") + "'");
        auto key = c.path_params.at("key");
        if (key.starts_with("option.")) key = key.substr(7);
        auto config = gateway->config;
        bool removed = false;
        if (const auto it = sms_options().find(key); it != sms_options().end()) {
          if (key == "URL") throw ApiError::bad_parameter("URL is required");
          removed = config.erase(it->second) > 0;
        } else if (auto* list = config.if_contains("parameters"); list && list->is_array()) {
          auto& items = list->as_array();
          for (auto item = items.begin(); item != items.end(); ++item)
            if (std::string_view(item->as_string()).starts_with(key + "=")) {
              items.erase(item);
              removed = true;
              break;
            }
        }
        if (!removed) return json_result(0);
        try {
          notifiers.update(gateway->name, config);
        } catch (const plugins::ConfiguredComponentError& e) {
          throw ApiError::bad_parameter(e.what());
        } catch (const plugins::PluginCallError& e) {
          throw ApiError::bad_parameter(std::string("the gateway refused: ") + e.what());
        }
        return json_result(1);
      },
      authenticated);

  // Sends a test message of a token type through a notifier: email (to recipient, an address)
  // or sms (to recipient, a number), eduMFA's /system/test/<tokentype>.
  router.add(
      "POST", "/system/test/<tokentype>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "configwrite");
        const auto& type = c.path_params.at("tokentype");
        if (type != "email" && type != "sms")
          throw ApiError::bad_parameter("token type '" + type +
                                        "' has nothing to test: email and sms send messages");
        auto name = string_param(c, "notifier", 64);
        if (name.empty()) name = string_param(c, "identifier", 64);
        if (name.empty()) throw ApiError::bad_parameter("missing parameter 'notifier'");
        const auto wanted = type == "email" ? "email" : "sms_http";
        const auto instance = notifiers.instance(name);
        if (!instance || notifiers.type_of(name) != wanted)
          throw ApiError::not_found("no " +
                                    std::string(type == "email" ? "SMTP server" : "SMS gateway") +
                                    " '" + name + "'");
        const auto recipient = required_param(c, "recipient", 255);
        try {
          send_test(*instance, type == "email", recipient, "Tessera test",
                    "This is a test message from Tessera through '" + name + "'.");
        } catch (const plugins::PluginCallError& e) {
          return json_result(false, {{"message", std::string("not sent: ") + e.what()}});
        }
        c.audit.info = "test message through " + name;
        return json_result(true, {{"message", "sent to " + recipient}});
      },
      authenticated);
}

}  // namespace tessera::api
