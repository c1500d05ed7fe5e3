#include "server/events/certificate_expiry.hpp"

#include <ctime>

#include "server/events/event_recorder.hpp"

namespace tessera::events {

int CertificateExpiry::run_once() {
  const long long now = static_cast<long long>(std::time(nullptr));
  int announced = 0;
  for (const auto& certificate :
       certificates_.expiring_unannounced(now, now + warning_days_ * 86400LL, 100)) {
    auto token = tokens_.find(certificate.token_serial);
    // Only what someone still uses: a token that is enrolled and active.
    if (!token || token->rollout_state != "enrolled" || !token->active) continue;
    // Rounded up: a certificate issued a second ago for a year ends in 365 days, not 364.
    const long long days_left =
        certificate.not_after > now ? (certificate.not_after - now + 86399) / 86400 : 0;
    if (certificates_.announce_expiry(certificate.ca, certificate.serial, now,
                                      [&](soci::session& sql) {
                                        EventRecorder::expiring(sql, *token, certificate.serial,
                                                                certificate.not_after, days_left);
                                      }))
      ++announced;
  }
  return announced;
}

}  // namespace tessera::events
