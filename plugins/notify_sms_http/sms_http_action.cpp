// Notification action "sms_http": sends a text message through an HTTP SMS gateway, as eduMFA's
// HttpSMSProvider does: a GET or POST (form-encoded) to the gateway's URL with the phone number
// and the text under the parameter names it expects, fixed parameters and headers besides, an
// optional Basic login, and the answer judged by return_success / return_fail (text it must or
// must not contain) and its HTTP status. The number is the token's own (info "phone") or the
// owner's mobile. Through the host's outbound HTTP, so its address rules apply.
#include <string>

#include <tessera/sdk/form_encoding.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string text_at(const boost::json::value* value) {
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::vector<std::pair<std::string, std::string>> pairs(const boost::json::value& list,
                                                       char separator, const char* what) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : list.as_array()) {
    const std::string line(item.as_string());
    const auto at = line.find(separator);
    if (at == std::string::npos || at == 0 || line.find_first_of("\r\n") != std::string::npos)
      throw Error::invalid_argument(std::string("each of ") + what + " is one 'name" + separator +
                                    "value'");
    auto value = line.substr(at + 1);
    if (separator == ':' && !value.empty() && value.front() == ' ') value.erase(0, 1);
    out.emplace_back(line.substr(0, at), value);
  }
  return out;
}

class SmsHttpAction : public tessera::sdk::NotificationAction {
 public:
  explicit SmsHttpAction(const tessera::sdk::ComponentContext& context)
      : NotificationAction(context),
        url_(context.config.at("url").as_string().c_str()),
        method_(context.config.at("http_method").as_string().c_str()),
        phone_key_(context.config.at("sms_phonenumber_key").as_string().c_str()),
        text_key_(context.config.at("sms_text_key").as_string().c_str()),
        success_(context.config.at("return_success").as_string().c_str()),
        fail_(context.config.at("return_fail").as_string().c_str()),
        username_(context.config.at("username").as_string().c_str()),
        password_(context.config.at("password").as_string().c_str()),
        timeout_seconds_(context.config.at("timeout_seconds").to_number<int>()),
        parameters_(pairs(context.config.at("parameters"), '=', "parameters")),
        headers_(pairs(context.config.at("headers"), ':', "headers")) {
    if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
      throw Error::invalid_argument("url must start with http:// or https://");
    if (method_ != "GET" && method_ != "POST")
      throw Error::invalid_argument("http_method must be GET or POST");
    if (phone_key_.empty() || text_key_.empty())
      throw Error::invalid_argument("sms_phonenumber_key and sms_text_key name parameters");
    if (timeout_seconds_ < 1 || timeout_seconds_ > 120)
      throw Error::invalid_argument("timeout_seconds must be between 1 and 120");
  }

  static ComponentInfo describe() {
    return {
        "sms_http",
        "SMS through an HTTP gateway (eduMFA's HttpSMSProvider)",
        {Param::string("url", "the gateway's URL").required(),
         Param::string("http_method", "GET or POST").defaults_to("\"POST\""),
         Param::string("sms_phonenumber_key", "the parameter that carries the number")
             .defaults_to("\"phone\""),
         Param::string("sms_text_key", "the parameter that carries the text")
             .defaults_to("\"text\""),
         Param::string("return_success", "the answer must contain this (empty: any 2xx)")
             .defaults_to("\"\""),
         Param::string("return_fail", "an answer that contains this is a failure")
             .defaults_to("\"\""),
         Param::string("username", "Basic login at the gateway").defaults_to("\"\""),
         Param::string("password", "its password").defaults_to("\"\"").secret(),
         Param::integer("timeout_seconds", "give up after this long").defaults_to("10"),
         Param::string_list("parameters", "fixed 'name=value' parameters (an account id)")
             .defaults_to("[]"),
         Param::string_list("headers", "extra 'Name: value' headers").defaults_to("[]").secret()}};
  }

  boost::json::object actions(const boost::json::object&) override {
    return {{"sendsms",
             {{"description", "send the body as a text message to the token's or owner's number"},
              {"options", boost::json::object()}}}};
  }

  boost::json::object execute(const boost::json::object& delivery) override {
    const auto* event = delivery.if_contains("event");
    const auto& about = event && event->is_object() ? event->get_object() : boost::json::object();
    const auto* token = about.if_contains("token");
    const auto* user = about.if_contains("user");
    std::string phone =
        token && token->is_object() ? text_at(token->get_object().if_contains("phone")) : "";
    if (phone.empty() && user && user->is_object())
      phone = text_at(user->get_object().if_contains("mobile"));
    if (phone.empty())
      throw Error::invalid_argument("neither the token nor its owner has a mobile number");
    const auto* options = delivery.if_contains("options");
    const auto text = options && options->is_object()
                          ? text_at(options->get_object().if_contains("body"))
                          : std::string();
    if (text.empty()) throw Error::invalid_argument("no text to send");
    auto fields = parameters_;
    fields.emplace_back(phone_key_, phone);
    fields.emplace_back(text_key_, text);
    tessera::sdk::HttpRequest request;
    request.method = method_;
    request.headers = headers_;
    const auto encoded = tessera::sdk::form_encode(fields);
    if (method_ == "GET") {
      request.url = url_ + (url_.find('?') == std::string::npos ? "?" : "&") + encoded;
    } else {
      request.url = url_;
      request.body = encoded;
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    if (!username_.empty()) {
      request.auth = tessera::sdk::HttpRequest::Auth::basic;
      request.username = username_;
      request.password = password_;
    }
    request.timeout = std::chrono::seconds(timeout_seconds_);
    const auto response = host().http(request);
    const auto origin = tessera::sdk::detail::origin_of(url_);
    if (response.status < 200 || response.status > 299)
      throw Error::unavailable("the SMS gateway at " + origin + " answered HTTP " +
                               std::to_string(response.status));
    if ((!fail_.empty() && response.body.find(fail_) != std::string::npos) ||
        (!success_.empty() && response.body.find(success_) == std::string::npos))
      throw Error::unavailable("the SMS gateway at " + origin + " did not accept the message");
    return {{"status", response.status}};
  }

 private:
  std::string url_, method_, phone_key_, text_key_, success_, fail_, username_, password_;
  int timeout_seconds_;
  std::vector<std::pair<std::string, std::string>> parameters_, headers_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.notify_sms_http", "0.1.0", tessera::sdk::component<SmsHttpAction>());
