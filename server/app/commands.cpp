// Wiring: configuration, first start, database, plugins, routes and the HTTP server.
#include "server/app/commands.hpp"

#include <algorithm>
#include <iostream>

#include <openssl/crypto.h>

#include <spdlog/spdlog.h>

#include "db/admin_repository.hpp"
#include "db/audit_repository.hpp"
#include "db/auth_failure_repository.hpp"
#include "db/identity_repository.hpp"
#include "db/plugin_store_repository.hpp"
#include "db/policy_repository.hpp"
#include "db/radius_server_repository.hpp"
#include "db/reseal.hpp"
#include "db/session_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/api/audit_api.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/ca_api.hpp"
#include "server/api/client_api.hpp"
#include "server/api/enrollment_form_api.hpp"
#include "server/api/event_api.hpp"
#include "server/api/gateway_api.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/machine_api.hpp"
#include "server/api/metrics.hpp"
#include "server/api/organization_api.hpp"
#include "server/api/periodic_task_api.hpp"
#include "server/api/policy_api.hpp"
#include "server/api/radius_server_api.hpp"
#include "server/api/recover_api.hpp"
#include "server/api/register_api.hpp"
#include "server/api/self_enrollment_api.hpp"
#include "server/api/statistics_api.hpp"
#include "server/api/system_api.hpp"
#include "server/api/system_config_api.hpp"
#include "server/api/token_api.hpp"
#include "server/api/token_group_api.hpp"
#include "server/api/user_attribute_api.hpp"
#include "server/api/webui_routes.hpp"
#include "server/app/first_start.hpp"
#include "server/app/ready_to_use.hpp"
#include "server/app/reload.hpp"
#include "server/audit/audit_log.hpp"
#include "server/auth/auth_service.hpp"
#include "server/auth/jwt_service.hpp"
#include "server/ca/pending_requests.hpp"
#include "server/ca/revocation_queue.hpp"
#include "server/config/server_config.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/events/certificate_expiry.hpp"
#include "server/events/challenge_delivery.hpp"
#include "server/events/event_dispatcher.hpp"
#include "server/events/event_recorder.hpp"
#include "server/events/outbox_worker.hpp"
#include "server/events/token_changes.hpp"
#include "server/http/http_server.hpp"
#include "server/identity/user_directory.hpp"
#include "server/jobs/periodic_job.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/plugins/plugin_bulkheads.hpp"
#include "server/plugins/plugin_calls.hpp"
#include "server/plugins/plugin_registry.hpp"
#include "server/policy/policy_engine.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"
#include "server/util/node_name.hpp"

namespace tessera::app {
namespace {

int fail(const std::string& message) {
  std::cerr << "tessera-server: " << message << std::endl;
  return 1;
}

std::string describe_components(const tessera_plugin_v1& d) {
  std::string out;
  for (size_t i = 0; i < d.component_count; ++i)
    out +=
        fmt::format("{}{}:{}", i ? "," : "", plugins::kind_name(plugins::component_at(d, i).kind),
                    plugins::component_at(d, i).type_id);
  return out;
}

}  // namespace

int check_config_command(const std::string& config_file) {
  try {
    auto config = load_config(config_file);
    std::cout << "configuration OK: " << config.config_file.string() << std::endl;
    return 0;
  } catch (const ConfigError& e) {
    return fail(std::string("configuration error: ") + e.what());
  }
}

int list_plugins_command(const std::string& config_file) {
  ServerConfig config;
  try {
    config = load_config(config_file);
  } catch (const ConfigError& e) {
    return fail(std::string("configuration error: ") + e.what());
  }
  spdlog::set_level(spdlog::level::err);
  plugins::HostServices services;  // no store: listing must not touch the database
  auto registry = plugins::PluginRegistry::load(config.plugin_directories, services);
  for (const auto& plugin : registry.plugins()) {
    const auto& d = plugin->descriptor();
    std::cout << d.plugin_id << " " << d.plugin_version << " abi " << d.abi_major << "."
              << d.abi_minor << " " << describe_components(d) << " " << plugin->file().string()
              << "\n";
  }
  // Token types are made once at start with no configuration: one that cannot be made is
  // loaded but unusable, and says why.
  const tokens::TokenTypes types(registry);
  for (const auto& [type, reason] : types.unusable())
    std::cout << "UNUSABLE token_type:" << type << ": " << reason << "\n";
  for (const auto& refusal : registry.refusals())
    std::cout << "REFUSED " << refusal.file.string() << ": " << refusal.reason << "\n";
  std::cout.flush();
  return 0;
}

int audit_verify_command(const std::string& config_file) {
  try {
    auto config = load_config(config_file);
    spdlog::set_level(spdlog::level::warn);
    auto secrets = crypto::SecretBox::load_or_create(config.encryption_key_file);
    auto database = open_database(config);
    db::AuditRepository rows(*database);
    audit::AuditChain chain(load_server_key(*database, secrets, "audit_hmac"));
    auto result = audit::verify_audit_log(rows, chain);
    (result.ok ? std::cout : std::cerr) << result.message << std::endl;
    return result.ok ? 0 : 1;
  } catch (const ConfigError& e) {
    return fail(std::string("configuration error: ") + e.what());
  } catch (const std::exception& e) {
    return fail(std::string("cannot verify the audit log: ") + e.what());
  }
}

int key_rotate_command(const std::string& config_file, const std::string& new_key_file) {
  bool created = false;
  try {
    auto config = load_config(config_file);
    spdlog::set_level(spdlog::level::warn);
    if (!std::filesystem::exists(config.encryption_key_file))
      throw std::runtime_error("the current key file " + config.encryption_key_file.string() +
                               " does not exist");
    if (new_key_file.empty() || std::filesystem::exists(new_key_file))
      throw std::runtime_error("give the path of a new key file that does not exist yet");
    auto old_key = crypto::SecretBox::load_or_create(config.encryption_key_file);
    auto new_key = crypto::SecretBox::load_or_create(new_key_file);
    created = true;
    auto database = open_database(config);
    const int count =
        db::reseal_all(*database, [&](const std::string& sealed, const std::string& binding) {
          auto plaintext = old_key.open(sealed, binding);
          auto fresh = new_key.seal(plaintext, binding);
          OPENSSL_cleanse(plaintext.data(), plaintext.size());
          return fresh;
        });
    std::cout
        << "re-sealed " << count << " secrets under " << new_key_file
        << ".\nNow set encryption_key_file to it on every node (or move it over the old file) "
           "and restart them; keep the old key file, offline, until then."
        << std::endl;
    return 0;
  } catch (const crypto::SecretBoxError& e) {
    // A value did not open: the transaction was rolled back before COMMIT, so the new key was
    // never used and goes too.
    if (created) std::filesystem::remove(new_key_file);
    return fail(std::string("key rotation failed, nothing changed: ") + e.what());
  } catch (const std::exception& e) {
    // The database may or may not have committed (e.g. the connection broke during COMMIT):
    // keep the new key, since it may be the only one that opens the secrets now.
    if (!created) return fail(std::string("key rotation failed, nothing changed: ") + e.what());
    return fail(std::string("key rotation failed: ") + e.what() +
                ". Keep both key files: try "
                "starting with the old one; if it reports another key, use " +
                new_key_file);
  }
}

// Stops background jobs when it goes out of scope: before the objects that they use, which
// were made before it. All are stopped before any is destroyed, since they wake each other.
struct StopJobs {
  std::vector<std::unique_ptr<jobs::PeriodicJob>*> jobs;
  ~StopJobs() {
    for (auto* job : jobs)
      if (*job) (*job)->stop();
  }
};

int serve_command(const std::string& config_file) {
  try {
    auto config = load_config(config_file);
    set_log_level(config.log_level);
    ensure_data_dir(config);
    auto secrets = crypto::SecretBox::load_or_create(config.encryption_key_file);
    if (ensure_tls_certificate(config)) spdlog::info("created a self-signed TLS certificate");
    auto database = open_database(config);
    const auto admin = ensure_first_admin(*database);
    if (admin.generated_password)
      std::cout << "First admin created: user 'admin', password '" << *admin.generated_password
                << "' (shown only this once; set TESSERA_ADMIN_PASSWORD to choose it)" << std::endl;
    else if (admin.created)
      std::cout << "First admin created: user 'admin', password from TESSERA_ADMIN_PASSWORD"
                << std::endl;

    db::AdminRepository admins(*database);
    db::AuthFailureRepository failures(
        *database, {config.auth.lockout_max_failures, config.auth.lockout_window,
                    config.auth.lockout_duration});
    auth::JwtService jwt(load_server_key(*database, secrets, "jwt_hs256"),
                         config.auth.token_validity);
    db::AuditRepository audit_rows(*database);
    db::StatisticsRepository statistics(*database);
    audit::AuditLog audit_log(audit_rows,
                              audit::AuditChain(load_server_key(*database, secrets, "audit_hmac")));
    db::IdentityRepository identities(*database);
    db::PolicyRepository policies(*database);
    db::EventHandlerRepository event_handlers(*database);
    db::ConfigCache config_cache(*database, identities, policies, &event_handlers);
    identity::UserDirectory directory(identities, config_cache, secrets);
    api::AccessControl access(config_cache);
    db::SessionRepository sessions(*database);
    auth::AuthService auth_service(admins, directory, failures, sessions, jwt);

    db::PluginStoreRepository store(*database);
    // Every plugin call runs on these threads, within its kind's deadline.
    plugins::PluginCalls plugin_calls(config.plugin_deadlines);
    plugins::HostServices services;
    services.store = &store;
    services.secrets = &secrets;
    services.calls = &plugin_calls;
    // Each component's share of the calls: by default half the workers (at least two, so that
    // a slow call never blocks a quick one of the same component), so that one stuck plugin
    // leaves the others (and the host's own endpoints) the rest.
    plugins::PluginBulkheads bulkheads(config.plugin_concurrency_default
                                           ? config.plugin_concurrency_default
                                           : std::max(2u, config.server.worker_threads / 2),
                                       config.plugin_concurrency);
    services.bulkheads = &bulkheads;
    services.http_allowed_networks = config.plugin_http_allowed_networks;
    services.http_proxy = config.plugin_http_proxy;
    services.isolation = config.plugin_isolation;
    services.store_max_keys = config.plugin_store_max_keys;
    db::RadiusServerRepository radius_rows(*database);
    radius::RadiusServers radius_servers(radius_rows, secrets);
    services.radius_servers = &radius_servers;
    auto registry = plugins::PluginRegistry::load(config.plugin_directories, services);

    db::TokenRepository token_rows(*database);
    tokens::TokenTypes token_types(registry);
    const auto pin_key = load_server_key(*database, secrets, "token_pin_hmac");
    tokens::PinHasher pins(std::string(pin_key.begin(), pin_key.end()));
    tokens::TokenEnrollment enrollment(token_rows, token_types, secrets, pins);
    tokens::TokenChecker checker(token_rows, token_types, secrets, pins);
    db::ComponentConfigRepository component_configs(*database);
    db::CrlRepository crls(*database);
    ca::CaConnectors ca_connectors(registry, component_configs, crls, secrets);
    ca_connectors.set_crl_timing(config.certificates.crl_validity.count(),
                                 config.certificates.crl_renew_before.count());
    const auto trusted_cas = config.certificates.trusted_ca_file.empty()
                                 ? ca::TrustStore()
                                 : ca::TrustStore::load(config.certificates.trusted_ca_file);
    const auto attestation_roots =
        config.certificates.attestation_ca_file.empty()
            ? ca::TrustStore()
            : ca::TrustStore::load(config.certificates.attestation_ca_file);
    db::CertificateProfileRepository certificate_profiles(*database);
    db::CertificateRepository certificates(*database);
    ca::CertificateIssuer issuer(ca_connectors, certificate_profiles, certificates,
                                 config.server.public_url);
    ca::CertificateEnrollment certificate_enrollment(issuer, token_rows, certificates, trusted_cas,
                                                     attestation_roots);
    ca::CertificateLogin certificate_login(certificates, token_rows, trusted_cas);
    ca::SmartcardEnrollment smartcards(issuer, certificate_enrollment, token_rows,
                                       config.certificates.smartcard_confirm);
    certificate_enrollment.await_cards_for(config.certificates.smartcard_confirm);
    const api::TokenApiContext token_context{token_rows,
                                             directory,
                                             access,
                                             token_types,
                                             enrollment,
                                             checker,
                                             pins,
                                             issuer,
                                             certificate_enrollment,
                                             certificate_login,
                                             smartcards};

    // The event engine: events are logged (life-cycle ones inside the transaction of their
    // change), dispatched to handlers into the outbox, and delivered, each by a background job.
    db::EventRepository events(*database);
    plugins::ConfiguredComponents notifiers(TESSERA_COMPONENT_NOTIFICATION_ACTION,
                                            "notification_action", "notification action", registry,
                                            component_configs, secrets);
    events::TokenChanges token_changes(token_rows, issuer);
    events::ChallengeDelivery challenge_delivery(notifiers, directory);
    checker.send_challenges_with(
        [&challenge_delivery](const db::TokenRow& token, const std::string& notifier,
                              const std::string& subject, const std::string& body) {
          challenge_delivery.send(token, notifier, subject, body);
        });
    events::OutboxWorker outbox(
        events, notifiers,
        {std::chrono::duration_cast<std::chrono::milliseconds>(config.events.retry_base),
         config.events.max_attempts,
         config.plugin_deadlines.notification + std::chrono::seconds(10)},
        [&token_changes](const boost::json::object& request, const boost::json::object& result) {
          token_changes.apply(request, result);
        });
    // Revocations that their CA did not take are retried from the outbox, by the same workers;
    // a claim lasts longer than a CA call (its deadline) and the CRL it may sign.
    const auto revocation_lease =
        config.plugin_deadlines.ca_connector * 2 + std::chrono::seconds(10);
    ca::RevocationQueue revocations(
        events, std::chrono::duration_cast<std::chrono::milliseconds>(config.events.retry_base),
        revocation_lease);
    issuer.queue_revocations_in(revocations);
    issuer.email_domains_from([&access](const std::string& realm) {
      const auto engine = access.engine();
      const auto domains = engine->value(policy::Scope::enrollment, "email_domains",
                                         policy::Subject{"", "", realm, "", ""});
      return util::split_word_list(domains.value_or(""));
    });
    // Enrollment forms: persons' secret IDs and accounts' access codes as HMACs under one key.
    db::OrganizationRepository organizations(*database);
    db::EnrollmentFormRepository enrollment_forms(*database);
    db::EnrollmentSessionRepository enrollment_sessions(*database);
    const auto enrollment_key = load_server_key(*database, secrets, "person_secret_id_hmac");
    const tokens::PinHasher enrollment_secrets(
        std::string(enrollment_key.begin(), enrollment_key.end()));
    std::string public_url = config.server.public_url;
    while (public_url.ends_with('/')) public_url.pop_back();
    const enrollment::SelfEnrollment self_enrollment(
        {enrollment_forms, organizations, enrollment_sessions, identities, events, failures,
         certificate_profiles, enrollment_secrets, notifiers, enrollment, certificate_enrollment,
         issuer, token_rows, public_url});
    outbox.add_host_action(
        enrollment::SelfEnrollment::kLinkAction,
        [&self_enrollment](const boost::json::object& r) { self_enrollment.send_link(r); },
        config.plugin_deadlines.notification + std::chrono::seconds(10));
    outbox.add_host_action(
        ca::RevocationQueue::kNotifier,
        [&issuer](const boost::json::object& r) {
          const auto revocation = ca::QueuedRevocation::from_json(r);
          issuer.revoke_issued(revocation.ca, revocation.certificate_serial,
                               revocation.token_serial, revocation.reason);
        },
        revocation_lease);
    events::EventDispatcher dispatcher(events, config_cache, directory, admins,
                                       config.server.public_url);
    ca::PendingRequests pending_requests(token_rows, issuer, config.events.poll_interval,
                                         config.certificates.smartcard_confirm);
    events::CertificateExpiry expiry(certificates, token_rows, config.events.expiry_warning_days);
    // The jobs start once every hook is wired, and stop (StopJobs) before anything they use goes.
    std::unique_ptr<jobs::PeriodicJob> dispatch_job, pending_job, expiry_job;
    // Several delivery jobs: the database's claim gives each delivery to one of them.
    std::vector<std::unique_ptr<jobs::PeriodicJob>> delivery_jobs(config.events.outbox_workers);
    const auto wake_deliveries = [&delivery_jobs] {
      for (auto& job : delivery_jobs)
        if (job) job->wake();
    };
    const auto wake_dispatcher = [&dispatch_job] {
      if (dispatch_job) dispatch_job->wake();
    };
    events::EventRecorder recorder(config_cache, events, token_rows, wake_dispatcher);
    token_rows.record_transitions_with(
        [&recorder](soci::session& sql, const db::RolloutTransition& t) {
          recorder.transition(sql, t);
        });
    token_rows.on_transition([wake_dispatcher](const db::RolloutTransition& t) {
      spdlog::info("token {}: rollout state '{}' -> '{}' by {}", t.serial, t.from, t.to,
                   t.actor.empty() ? "system" : t.actor);
      wake_dispatcher();
    });
    issuer.on_revoke_at_ca([&recorder](const std::string& token, const std::string& ca,
                                       const std::string& serial, const std::string& reason,
                                       const std::string& message) {
      try {
        recorder.revoke_at_ca(token, ca, serial, reason, message);
      } catch (const std::exception& e) {
        spdlog::error("cannot record that token {}'s certificate is to be revoked at CA {}: {}",
                      token, ca, e.what());
      }
    });
    token_rows.on_locked([&recorder](const std::string& serial) {
      try {
        recorder.locked(serial);
      } catch (const std::exception& e) {
        spdlog::error("cannot record the lock of token {}: {}", serial, e.what());
      }
    });
    for (auto& job : delivery_jobs)
      job = std::make_unique<jobs::PeriodicJob>("outbox", std::chrono::seconds(1),
                                                [&outbox] { outbox.run_once(); });
    dispatch_job = std::make_unique<jobs::PeriodicJob>("event-dispatch", std::chrono::seconds(1),
                                                       [&dispatcher, &wake_deliveries] {
                                                         if (dispatcher.run_once() > 0)
                                                           wake_deliveries();
                                                       });
    pending_job = std::make_unique<jobs::PeriodicJob>(
        "pending-certificates", config.events.poll_interval, [&pending_requests, &smartcards] {
          pending_requests.run_once();
          smartcards.expire_due();
        });
    // The applications seen checking factors, written with the expiry job's turn.
    db::ClientApplicationRepository client_rows(*database);
    api::ClientApplications clients(client_rows, util::node_name());
    expiry_job = std::make_unique<jobs::PeriodicJob>(
        "certificate-expiry", config.events.poll_interval,
        [&expiry, &events, &statistics, &clients, wake_dispatcher,
         keep = config.events.keep_delivered] {
          clients.flush();
          if (expiry.run_once() > 0) wake_dispatcher();
          events.purge(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch() - keep)
                           .count());
          statistics.forget_checks_before(util::unix_seconds() - 7 * 24 * 3600);
        });
    StopJobs stop_jobs{{&expiry_job, &pending_job, &dispatch_job}};
    for (auto& job : delivery_jobs) stop_jobs.jobs.push_back(&job);

    api::Metrics metrics;
    metrics.append([&bulkheads] { return bulkheads.render(); });
    // How often each isolated plugin's child process was started (1: never restarted).
    metrics.append([&registry] {
      std::string text =
          "# HELP tessera_plugin_process_starts_total Child processes started for an isolated "
          "plugin\n# TYPE tessera_plugin_process_starts_total counter\n";
      for (const auto& plugin : registry.plugins())
        if (const auto* process = plugin->process())
          text += "tessera_plugin_process_starts_total{plugin=\"" + plugin->id() + "\"} " +
                  std::to_string(process->starts()) + "\n";
      return text;
    });
    // SQLite's group commit: how many writes each transaction carried.
    metrics.append([&database] {
      const auto figures = database->group_commit_figures();
      return "# HELP tessera_db_write_batches_total Transactions that committed queued writes "
             "together (SQLite).\n# TYPE tessera_db_write_batches_total counter\n"
             "tessera_db_write_batches_total " +
             std::to_string(figures.batches) +
             "\n# HELP tessera_db_batched_writes_total Writes those transactions carried.\n"
             "# TYPE tessera_db_batched_writes_total counter\ntessera_db_batched_writes_total " +
             std::to_string(figures.writes) + "\n";
    });
    http::Router router;
    router.set_request_scope([] { return std::make_shared<db::ConfigCache::RequestScope>(); });
    router.set_authenticator(
        [&auth_service](const http::HttpRequest& r) { return auth_service.authenticate(r); });
    api::add_system_routes(router, *database, metrics, registry, token_types, access);
    api::SecondFactorLogin second_factor(token_rows, checker, access);
    // A fresh database (the first admin was made just now) gets what makes it ready to use.
    const auto ready = admin.created ? make_ready_to_use(config.first_start, identities,
                                                         ca_connectors, certificate_profiles)
                                     : ReadyToUse{};
    api::add_auth_routes(router, auth_service, access, &certificate_login, &second_factor);
    api::add_audit_routes(router, audit_rows, audit_log, access);
    api::add_statistics_routes(router, statistics, audit_log, access);
    api::add_monitoring_routes(router, statistics, audit_log, access);
    api::add_resolver_routes(router, identities, directory, access);
    api::add_realm_routes(router, identities, access);
    db::UserAttributeRepository user_attributes(*database);
    api::add_user_attribute_routes(router, {user_attributes, directory, access});
    api::add_user_routes(router, identities, directory, access);
    api::add_organization_routes(router, organizations, identities, enrollment_secrets, access);
    api::add_enrollment_form_routes(
        router, {enrollment_forms, organizations, certificate_profiles, notifiers,
                 enrollment_secrets, access, config.server.public_url, token_rows});
    api::add_self_enrollment_routes(router, self_enrollment);
    api::add_policy_routes(router, policies, access);
    api::add_system_config_routes(router, policies, identities, access);
    api::add_token_routes(router, token_context);
    api::add_token_settings_routes(router, token_context);
    api::add_token_load_routes(router, token_context);
    db::DescribedNames token_groups(*database, "tokengroup"), service_ids(*database, "serviceid");
    db::TokenGroups token_group_members(*database);
    api::add_token_group_routes(
        router, {token_groups, service_ids, token_group_members, token_rows, access});
    db::MachineRepository machines(*database);
    api::add_machine_routes(router, {machines, token_rows, service_ids, access});
    api::add_validate_routes(router, token_context);
    api::add_ca_routes(router, ca_connectors, certificate_profiles, access);
    api::add_event_routes(router, event_handlers, events, notifiers, access);
    api::add_gateway_routes(router, notifiers, access);
    api::add_radius_server_routes(router, radius_servers, access);
    api::add_client_routes(router, clients, client_rows, access);
    db::RecoveryCodeRepository recovery_codes(*database);
    api::add_recover_routes(
        router, {directory, identities, recovery_codes, enrollment_secrets, notifiers, access});
    api::add_register_routes(router,
                             {directory, identities, enrollment, token_rows, notifiers, access});
    std::vector<api::PeriodicTask> periodic_tasks{
        {dispatch_job.get(), "turns recorded events into deliveries for their handlers"},
        {pending_job.get(), "polls CAs for pending certificates; expires unconfirmed smart cards"},
        {expiry_job.get(),
         "warns of expiring certificates; purges delivered events and old check counts"}};
    for (const auto& job : delivery_jobs)
      periodic_tasks.push_back({job.get(), "delivers notifications from the outbox"});
    api::add_periodic_task_routes(router, std::move(periodic_tasks), access);
    api::add_webui_routes(
        router, config.server.webui_dir.empty()
                    ? std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() /
                          "share/tessera/webui"
                    : config.server.webui_dir);
    router.set_observer([audit = api::audit_observer(audit_log), &recorder, &clients](
                            const http::HttpRequest& request, const http::RequestContext* context,
                            const http::HttpResponse& response, std::chrono::microseconds took) {
      audit(request, context, response, took);
      if (response.route.starts_with("/validate/")) clients.seen(request);
      try {
        recorder.after(request, context, response);
      } catch (const std::exception& e) {
        spdlog::error("cannot record the event of {} {}: {}", request.method, response.route,
                      e.what());
      }
    });
    router.set_guard([&access](http::RequestContext& c) { access.refuse_naming_others(c); });
    router.set_before_handler(
        [&recorder](const http::RequestContext& c, const std::string& pattern) {
          try {
            recorder.before(c, pattern);
          } catch (const std::exception& e) {
            spdlog::error("cannot record the pre event of {}: {}", pattern, e.what());
          }
        });
    if (!config.server.client_certificate_header.empty()) {
      std::string header = config.server.client_certificate_header;
      for (auto& ch : header) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      router.set_certificate_header(
          header, [proxies = config.server.trusted_proxies](const std::string& address) {
            for (const auto& network : proxies)
              if (policy::in_network(address, network)) return true;
            return false;
          });
    }

    // CRLs are signed anew before they expire, whether or not anyone asks for them.
    const auto crl_check = std::max<std::chrono::milliseconds>(
        std::chrono::seconds(1),
        std::min<std::chrono::milliseconds>(std::chrono::minutes(1),
                                            config.certificates.crl_renew_before / 4));
    jobs::PeriodicJob crl_renewal("crl-renewal", crl_check,
                                  [&ca_connectors] { ca_connectors.renew_due_crls(); });

    http::HttpServer server(config.server, router, metrics);
    auto urls = server.bind();
    server.on_reload([&server, config_file, running = config] {
      reload_configuration(config_file, running, server);
    });
    if (config.server.any_tls_listener())
      std::cout << "TLS certificate: " << config.server.tls.certificate.string() << std::endl;
    std::cout << "Plugins: " << registry.plugins().size() << " loaded, "
              << registry.refusals().size() << " refused" << std::endl;
    for (const auto& url : urls) std::cout << "Tessera listening on " << url << std::endl;
    std::cout << next_steps(ready, urls.front(),
                            config.server.any_tls_listener() && urls.front().starts_with("https")
                                ? config.server.tls.certificate.string()
                                : std::string())
              << std::flush;
    server.run();
    return 0;
  } catch (const ConfigError& e) {
    return fail(std::string("configuration error: ") + e.what());
  } catch (const std::exception& e) {
    return fail(std::string("cannot start: ") + e.what());
  }
}

}  // namespace tessera::app
