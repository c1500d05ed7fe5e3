#include "server/events/challenge_delivery.hpp"

#include <stdexcept>

#include <boost/json.hpp>

#include "server/plugins/component_instance.hpp"

namespace tessera::events {

void ChallengeDelivery::send(const db::TokenRow& token, const std::string& notifier,
                             const std::string& subject, const std::string& body) const {
  auto instance = notifiers_.instance(notifier);
  if (!instance)
    throw std::runtime_error("the notification action '" + notifier +
                             "' (policy challenge_notification) does not exist");
  if (!token.has_owner()) throw std::runtime_error("the token has no owner to send the code to");
  const auto owner = directory_.find_in(token.owner_resolver, token.owner_user, token.owner_realm);
  if (!owner) throw std::runtime_error("the token's owner was not found");
  const auto& person = owner->user;
  // The action the notifier offers first (notify_email: sendmail).
  const auto actions = instance->call(plugins::Operation::actions, {});
  if (actions.empty()) throw std::runtime_error("'" + notifier + "' offers no action");
  boost::json::array recipients;
  if (!person.email.empty()) recipients.push_back(boost::json::string(person.email));
  const boost::json::object user{{"username", person.username},    {"realm", owner->realm},
                                 {"givenname", person.given_name}, {"surname", person.surname},
                                 {"email", person.email},          {"mobile", person.mobile},
                                 {"phone", person.phone}};
  // The token's own number (an sms token's info "phone"), for a gateway that sends texts.
  boost::json::object about_token{{"serial", token.serial}, {"type", token.type}};
  boost::system::error_code ec;
  if (const auto info = boost::json::parse(token.info, ec); !ec && info.is_object())
    if (const auto* phone = info.get_object().if_contains("phone"); phone && phone->is_string())
      about_token["phone"] = *phone;
  const boost::json::object request{
      {"action", actions.begin()->key()},
      {"options", {{"to", "tokenowner"}, {"subject", subject}, {"body", body}}},
      {"event", {{"event", "token_challenge"}, {"user", user}, {"token", std::move(about_token)}}},
      {"tags",
       {{"user", person.username},
        {"username", person.username},
        {"realm", owner->realm},
        {"givenname", person.given_name},
        {"surname", person.surname},
        {"serial", token.serial},
        {"tokentype", token.type}}},
      {"recipients", recipients}};
  instance->call(plugins::Operation::execute, request);
}

}  // namespace tessera::events
