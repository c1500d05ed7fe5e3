// TOTP (RFC 6238): HOTP over the number of time steps since the epoch. The host stores the step
// after the last accepted one, so a value is never accepted twice. A clock that drifts is
// followed: the offset of each accepted step is kept as "timeShift" and centres the next window.
#include <cmath>

#include <oath.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;
namespace oath = tessera::oath;

int64_t number_of(const boost::json::object& object, const char* key, int64_t fallback) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return fallback;
  if (value->is_number()) return value->to_number<int64_t>();
  if (value->is_string()) {
    try {
      size_t used = 0;
      const auto n = std::stoll(std::string(value->get_string()), &used);
      if (used == value->get_string().size()) return n;
    } catch (const std::exception&) {
    }
  }
  throw Error::invalid_argument(std::string("'") + key + "' must be a whole number");
}

struct TokenState {
  oath::Bytes key;
  oath::OathOptions options;
  int64_t step = 30;
  int64_t window_seconds = 180;
  int64_t shift = 0;  // seconds the token's clock is ahead of ours
};

TokenState state_of(const boost::json::object& request) {
  TokenState state;
  state.key = oath::from_hex(oath::text(request, "secret"));
  state.options.digits = static_cast<int>(number_of(request, "otplen", 6));
  static const boost::json::object none;
  const auto* info_value = request.if_contains("info");
  const auto& info = info_value && info_value->is_object() ? info_value->get_object() : none;
  if (auto hashlib = oath::text(info, "hashlib"); !hashlib.empty())
    state.options.hash = oath::parse_hash(hashlib);
  state.step = number_of(info, "timeStep", 30);
  state.window_seconds = number_of(info, "timeWindow", 180);
  state.shift = number_of(info, "timeShift", 0);
  if (state.step <= 0) throw Error::invalid_argument("timeStep must be positive");
  return state;
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

class TotpToken : public tessera::sdk::TokenType {
 public:
  explicit TotpToken(const tessera::sdk::ComponentContext& context)
      : TokenType(context),
        default_step_(context.config.at("default_timestep").as_int64()),
        default_window_(context.config.at("default_timewindow").as_int64()) {
    if (default_step_ != 30 && default_step_ != 60)
      throw Error::invalid_argument("default_timestep must be 30 or 60");
    if (default_window_ < 0 || default_window_ > 3600)
      throw Error::invalid_argument("default_timewindow must be 0 to 3600 seconds");
  }

  static ComponentInfo describe() {
    return {"totp",
            "TOTP time-based one-time password",
            {Param::integer("default_timestep", "seconds per step when timeStep is not given")
                 .defaults_to("30"),
             Param::integer("default_timewindow",
                            "seconds before and after now in which a value is accepted")
                 .defaults_to("180")}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto options = oath::options_from_request(params);
    const auto step = number_of(params, "timeStep", default_step_);
    if (step != 30 && step != 60)
      throw Error::invalid_argument("timeStep must be 30 or 60, not " + std::to_string(step));
    const bool generated = oath::wants_generated_seed(params);
    const auto seed = oath::seed_from_request(
        params,
        generated ? host().random_bytes(oath::default_seed_size(options.hash)) : oath::Bytes{});
    return oath::enrollment_result("totp", request, seed, options, "period=" + std::to_string(step),
                                   generated,
                                   {{"timeStep", std::to_string(step)},
                                    {"timeWindow", std::to_string(default_window_)},
                                    {"timeShift", "0"}});
  }

  boost::json::object verify(const boost::json::object& request) override {
    const auto state = state_of(request);
    const int64_t now = number_of(request, "now", 0);
    const int64_t current = floor_div(now + state.shift, state.step);
    const int64_t reach = state.window_seconds / state.step;
    return answer(state, now,
                  find(state, std::max<int64_t>(current - reach, lowest(request)), current + reach,
                       oath::text(request, "otp")));
  }

  // Two consecutive values anywhere in the sync window (in steps) around our own clock; the
  // learned shift is replaced by the one they show.
  boost::json::object resync(const boost::json::object& request) override {
    auto state = state_of(request);
    state.shift = 0;
    const int64_t now = number_of(request, "now", 0);
    const int64_t current = floor_div(now, state.step);
    const int64_t reach = number_of(request, "window", 1000);
    auto first = find(state, std::max<int64_t>(current - reach, lowest(request)), current + reach,
                      oath::text(request, "otp1"));
    if (!first) return {{"match", false}};
    return answer(state, now, find(state, *first + 1, *first + 1, oath::text(request, "otp2")));
  }

 private:
  static int64_t lowest(const boost::json::object& request) {
    return number_of(request, "counter", 0);
  }

  static std::optional<int64_t> find(const TokenState& state, int64_t first, int64_t last,
                                     const std::string& otp) {
    if (last < 0 || first > last) return std::nullopt;
    auto match = oath::find_counter(state.key, static_cast<uint64_t>(std::max<int64_t>(first, 0)),
                                    static_cast<uint64_t>(last), otp, state.options.digits,
                                    state.options.hash);
    if (!match) return std::nullopt;
    return static_cast<int64_t>(*match);
  }

  static boost::json::object answer(const TokenState& state, int64_t now,
                                    std::optional<int64_t> step) {
    if (!step) return {{"match", false}};
    const int64_t shift = *step * state.step - floor_div(now, state.step) * state.step;
    return {{"match", true}, {"counter", *step}, {"info", {{"timeShift", std::to_string(shift)}}}};
  }

  int64_t default_step_;
  int64_t default_window_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.totp", "0.1.0", tessera::sdk::component<TotpToken>());
