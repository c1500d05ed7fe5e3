// Notification action "email": sends mail through an SMTP server (one configured instance per
// server: host, port, plain / STARTTLS / implicit TLS, optional login) with libcurl. Action
// "sendmail" fills the subject and body templates with the event's tags ({user},
// {givenname}, {serial}, ...; HTML-escaped in HTML mail) and sends to the recipients that the
// host resolved from the options "to", "to_email" and "to_realm".
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <tessera/sdk/message_template.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::fill_template;
using tessera::sdk::Param;

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  return boost::json::serialize(*value);
}

bool header_safe(const std::string& value) {
  return value.find_first_of("\r\n") == std::string::npos;
}

// RFC 2047 for a subject that is not plain ASCII.
std::string encoded_header(const std::string& value) {
  bool ascii = true;
  for (unsigned char c : value) ascii = ascii && c < 0x80;
  if (ascii) return value;
  static constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < value.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(value[i]) << 16;
    if (i + 1 < value.size()) n |= static_cast<unsigned char>(value[i + 1]) << 8;
    if (i + 2 < value.size()) n |= static_cast<unsigned char>(value[i + 2]);
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += i + 1 < value.size() ? b64[(n >> 6) & 63] : '=';
    out += i + 2 < value.size() ? b64[n & 63] : '=';
  }
  return "=?UTF-8?B?" + out + "?=";
}

std::string rfc5322_date() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char out[64];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &parts);
  return out;
}

// The same for every attempt of one delivery (its number, the event's time and the sender's
// domain): a mail sent again because its node died before recording it carries the Message-ID
// of the first, so mail clients show it once.
std::string message_id(const boost::json::object& request, const std::string& sender) {
  std::string event_time;
  if (const auto* event = request.if_contains("event"); event && event->is_object())
    event_time = text(event->get_object(), "time");
  return "<" + text(request, "delivery") + "." + event_time + "@" +
         sender.substr(sender.rfind('@') + 1) + ">";
}

// Lines end in CRLF on the wire, whatever the template or a tag held (a bare CR or LF could
// otherwise end the message early on a lax server); a line that starts with '.' is doubled by
// libcurl.
std::string crlf(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      out += "\r\n";
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else if (in[i] == '\n') {
      out += "\r\n";
    } else {
      out += in[i];
    }
  }
  return out;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

class EmailAction : public tessera::sdk::NotificationAction {
 public:
  explicit EmailAction(const tessera::sdk::ComponentContext& context)
      : NotificationAction(context),
        host_(text(context.config, "host")),
        port_(context.config.at("port").to_number<int>()),
        security_(text(context.config, "security")),
        username_(text(context.config, "username")),
        password_(text(context.config, "password")),
        sender_(text(context.config, "sender")),
        ca_file_(text(context.config, "ca_file")),
        timeout_seconds_(context.config.at("timeout_seconds").to_number<int>()) {
    static const std::regex hostname(R"(^[A-Za-z0-9.\-:\[\]]{1,253}$)");
    if (!std::regex_match(host_, hostname))
      throw Error::invalid_argument("host is not a host name");
    if (port_ < 1 || port_ > 65535) throw Error::invalid_argument("port must be 1 to 65535");
    if (security_ != "none" && security_ != "starttls" && security_ != "tls")
      throw Error::invalid_argument("security must be none, starttls or tls");
    if (!valid_address(sender_)) throw Error::invalid_argument("sender is not an e-mail address");
    if (timeout_seconds_ < 1 || timeout_seconds_ > 300)
      throw Error::invalid_argument("timeout_seconds must be between 1 and 300");
  }

  static ComponentInfo describe() {
    return {"email",
            "E-mail through an SMTP server",
            {Param::string("host", "the SMTP server").required(),
             Param::integer("port", "25, 587 (STARTTLS) or 465 (TLS)").defaults_to("587"),
             Param::string("security", "none, starttls (refuses a server without it) or tls")
                 .defaults_to("\"starttls\""),
             Param::string("username", "login, if the server wants one").defaults_to("\"\""),
             Param::string("password", "its password").defaults_to("\"\"").secret(),
             Param::string("sender", "the From address").required(),
             Param::string("ca_file",
                           "PEM file of the CA that the server's certificate must "
                           "lead to (default: the system's)")
                 .defaults_to("\"\""),
             Param::integer("timeout_seconds", "give up after this long").defaults_to("30")}};
  }

  boost::json::object actions(const boost::json::object&) override {
    const boost::json::array to_values{"tokenowner", "logged_in_user", "email", "realm"};
    return {{"sendmail",
             {{"description", "send an e-mail"},
              {"options",
               {{"to",
                 {{"type", "choice"},
                  {"required", true},
                  {"values", to_values},
                  {"description",
                   "who receives it (comma-separated): the token owner, the user who made the "
                   "request, the addresses in to_email, the users of realm to_realm"}}},
                {"to_email", {{"type", "text"}, {"description", "addresses, comma-separated"}}},
                {"to_realm", {{"type", "text"}, {"description", "a realm whose users receive it"}}},
                {"subject", {{"type", "text"}, {"required", true}, {"description", "template"}}},
                {"body", {{"type", "text"}, {"required", true}, {"description", "template"}}},
                {"mimetype",
                 {{"type", "choice"},
                  {"values", boost::json::array{"plain", "html"}},
                  {"description", "plain (default) or html"}}},
                {"reply_to", {{"type", "text"}, {"description", "a Reply-To address"}}}}}}}};
  }

  boost::json::object check(const boost::json::object& request) override {
    const auto& options = request.at("options").as_object();
    const auto to = text(options, "to");
    if (to.find("email") != std::string::npos) {
      if (text(options, "to_email").empty())
        throw Error::invalid_argument("to=email needs to_email");
      for (const auto& address : split(text(options, "to_email")))
        if (!valid_address(address))
          throw Error::invalid_argument("to_email: '" + address + "' is not an e-mail address");
    }
    if (to.find("realm") != std::string::npos && text(options, "to_realm").empty())
      throw Error::invalid_argument("to=realm needs to_realm");
    if (!text(options, "reply_to").empty() && !valid_address(text(options, "reply_to")))
      throw Error::invalid_argument("reply_to is not an e-mail address");
    if (!header_safe(text(options, "subject")))
      throw Error::invalid_argument("the subject must be one line");
    return {};
  }

  boost::json::object execute(const boost::json::object& request) override {
    const auto& options = request.at("options").as_object();
    const auto& tags = request.at("tags").as_object();
    std::vector<std::string> recipients;
    if (const auto* list = request.if_contains("recipients"); list && list->is_array())
      for (const auto& r : list->get_array())
        if (r.is_string() && valid_address(std::string(r.get_string())))
          recipients.emplace_back(r.get_string());
    if (recipients.empty())
      throw Error::invalid_argument("no recipient with an e-mail address for this event");
    const bool html = text(options, "mimetype") == "html";
    const auto subject = fill_template(text(options, "subject"), tags, false);
    if (!header_safe(subject)) throw Error::invalid_argument("the subject became several lines");
    // Several recipients (a realm's users) do not see each other's addresses.
    const std::string to_header =
        recipients.size() == 1 ? recipients.front() : "undisclosed-recipients:;";
    std::string message = "Date: " + rfc5322_date() + "\r\nFrom: " + sender_ +
                          "\r\nTo: " + to_header + "\r\nSubject: " + encoded_header(subject) +
                          "\r\nMessage-ID: " + message_id(request, sender_) + "\r\n";
    if (!text(options, "reply_to").empty())
      message += "Reply-To: " + text(options, "reply_to") + "\r\n";
    message += std::string("MIME-Version: 1.0\r\nContent-Type: text/") + (html ? "html" : "plain") +
               "; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
               crlf(fill_template(text(options, "body"), tags, html)) + "\r\n";
    send(recipients, message);
    return {{"sent", static_cast<int64_t>(recipients.size())}};
  }

 private:
  static std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
      auto end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      auto item = list.substr(start, end - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out.push_back(item);
      start = end + 1;
    }
    return out;
  }

  static bool valid_address(const std::string& address) {
    static const std::regex form(R"(^[^@\s<>,;"\r\n]{1,64}@[A-Za-z0-9.\-]{1,253}$)");
    return std::regex_match(address, form);
  }

  void send(const std::vector<std::string>& recipients, const std::string& message) const {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) throw Error::unavailable("cannot start libcurl");
    const std::string url = std::string(security_ == "tls" ? "smtps://" : "smtp://") + host_ + ":" +
                            std::to_string(port_);
    curl_slist* rcpt = nullptr;
    for (const auto& r : recipients) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_owner(rcpt,
                                                                           &curl_slist_free_all);
    Upload upload{&message};
    const std::string from = "<" + sender_ + ">";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds_));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (security_ == "starttls") curl_easy_setopt(c, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
    if (!username_.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, username_.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
    }
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK)
      throw Error::unavailable("SMTP server " + host_ + ":" + std::to_string(port_) + ": " +
                               (error[0] ? std::string(error) : curl_easy_strerror(code)));
  }

  std::string host_;
  int port_;
  std::string security_, username_, password_, sender_, ca_file_;
  int timeout_seconds_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.notify_email", "0.1.0", tessera::sdk::component<EmailAction>());
