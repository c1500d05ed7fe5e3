// Notification action "webhook": posts the event as JSON to a configured URL through the
// host's outbound HTTP service. With a secret, the body is signed: header X-Tessera-Signature:
// sha256=<hex HMAC-SHA256 of the body>, so the receiver knows it came from us unchanged; the
// header X-Tessera-Delivery names the delivery, the same when it is repeated. Any answer
// outside 2xx is a failure worth retrying.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

class WebhookAction : public tessera::sdk::NotificationAction {
 public:
  explicit WebhookAction(const tessera::sdk::ComponentContext& context)
      : NotificationAction(context),
        url_(context.config.at("url").as_string().c_str()),
        method_(context.config.at("method").as_string().c_str()),
        timeout_seconds_(context.config.at("timeout_seconds").to_number<int>()),
        secret_(context.config.at("secret").as_string().c_str()) {
    if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
      throw Error::invalid_argument("url must start with http:// or https://");
    if (method_ != "POST" && method_ != "PUT")
      throw Error::invalid_argument("method must be POST or PUT");
    if (timeout_seconds_ < 1 || timeout_seconds_ > 300)
      throw Error::invalid_argument("timeout_seconds must be between 1 and 300");
    for (const auto& header : context.config.at("headers").as_array()) {
      std::string line(header.as_string().c_str());
      if (line.find(':') == std::string::npos || line.find_first_of("\r\n") != std::string::npos)
        throw Error::invalid_argument("each header must be one 'Name: value' line");
      headers_.emplace_back(line.substr(0, line.find(':')), line.substr(line.find(':') + 1));
    }
  }

  static ComponentInfo describe() {
    return {"webhook",
            "Webhook (HTTP POST of the event as JSON)",
            {Param::string("url", "where to send the event (secret: such URLs often carry a token)")
                 .required()
                 .secret(),
             Param::string("method", "POST or PUT").defaults_to("\"POST\""),
             Param::integer("timeout_seconds", "give up after this long").defaults_to("10"),
             Param::string_list("headers", "extra 'Name: value' headers, e.g. a token")
                 .defaults_to("[]")
                 .secret(),
             Param::string("secret", "key of the HMAC-SHA256 signature of each body")
                 .defaults_to("\"\"")
                 .secret()}};
  }

  boost::json::object actions(const boost::json::object&) override {
    return {{"post_webhook",
             {{"description", "send the event, its token and the template tags as JSON"},
              {"options", boost::json::object()}}}};
  }

  boost::json::object execute(const boost::json::object& delivery) override {
    tessera::sdk::HttpRequest request;
    request.method = method_;
    request.url = url_;
    request.headers = headers_;
    request.headers.emplace_back("Content-Type", "application/json");
    const auto* event = delivery.if_contains("event");
    const auto* tags = delivery.if_contains("tags");
    const auto* id = delivery.if_contains("delivery");
    request.body = boost::json::serialize(
        boost::json::object{{"event", event ? *event : boost::json::value(boost::json::object())},
                            {"tags", tags ? *tags : boost::json::value(boost::json::object())},
                            {"delivery", id ? *id : boost::json::value("")}});
    if (id && id->is_string())
      request.headers.emplace_back("X-Tessera-Delivery", std::string(id->get_string()));
    if (!secret_.empty())
      request.headers.emplace_back("X-Tessera-Signature", "sha256=" + signature(request.body));
    request.timeout = std::chrono::seconds(timeout_seconds_);
    auto response = host().http(request);
    if (response.status < 200 || response.status > 299)
      throw Error::unavailable("webhook at " + tessera::sdk::detail::origin_of(url_) +
                               " answered HTTP " + std::to_string(response.status));
    return {{"status", response.status}};
  }

 private:
  std::string signature(const std::string& body) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out += hex[mac[i] >> 4];
      out += hex[mac[i] & 15];
    }
    return out;
  }

  std::string url_;
  std::string method_;
  int timeout_seconds_;
  std::string secret_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.notify_webhook", "0.1.0", tessera::sdk::component<WebhookAction>());
