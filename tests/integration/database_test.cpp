// The database layer against real SQLite files and a real PostgreSQL server (started by the
// postgres.sh fixture): the server runs on both, migrations are applied once even when two
// processes start together, and the plugin store's upserts work on both dialects.
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <tuple>

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <boost/json.hpp>

#include "db/audit_repository.hpp"
#include "db/certificate_repository.hpp"
#include "db/config_cache.hpp"
#include "db/crl_repository.hpp"
#include "db/database.hpp"
#include "db/event_handler_repository.hpp"
#include "db/event_repository.hpp"
#include "db/migrator.hpp"
#include "db/plugin_store_repository.hpp"
#include "db/statistics_repository.hpp"
#include "db/token_repository.hpp"
#include "tests/integration/postgres_fixture.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

struct Counts {
  int migrations = 0;
  int admins = 0;
};

Counts count_rows(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  Counts counts;
  database.with_session([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(counts.migrations);
    sql << "SELECT COUNT(*) FROM admin", soci::into(counts.admins);
  });
  return counts;
}

// Starts two servers on one database at the same instant; both must come up. Nodes sharing a
// database share the encryption key file, as the README says.
void start_two_at_once(const std::string& url) {
  auto key_dir = make_temp_dir("tessera-shared-key");
  const auto key_option = "encryption_key_file: " + (key_dir / "encryption.key").string() + "\n";
  auto start = [&] {
    ServerProcess server({.database_url = url, .top_extra = key_option});
    TestHttpClient client;
    return client.get(server.url() + "/healthz").status;
  };
  auto a = std::async(std::launch::async, start);
  auto b = std::async(std::launch::async, start);
  EXPECT_EQ(a.get(), 200);
  EXPECT_EQ(b.get(), 200);
  std::filesystem::remove_all(key_dir);
}

TEST(Sqlite, ANodeWithAnotherKeyIsToldWhatToDo) {
  auto dir = make_temp_dir("tessera-other-key");
  const auto url = "sqlite://" + (dir / "shared.db").string();
  { ServerProcess first({.database_url = url}); }
  try {
    ServerProcess second({.database_url = url});
    FAIL() << "a node with another key must not start";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "every server sharing a database needs the same encryption_key_file"),
              std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Postgres, TwoNodesExtendOneAuditChain) {
  const auto url = fresh_postgres_database("tessera_audit");
  auto dir = make_temp_dir("tessera-two-nodes");
  const auto key_option = "encryption_key_file: " + (dir / "encryption.key").string() + "\n";
  {
    ServerProcess a({.database_url = url, .top_extra = key_option});
    ServerProcess b({.database_url = url, .top_extra = key_option});
    auto hammer = [](const ServerProcess& server) {
      TestHttpClient client;
      for (int i = 0; i < 25; ++i) client.get(server.url() + "/missing");
    };
    auto first = std::async(std::launch::async, hammer, std::cref(a));
    auto second = std::async(std::launch::async, hammer, std::cref(b));
    first.get();
    second.get();
  }  // both nodes flush their audit queues as they stop
  std::ofstream(dir / "tessera.yaml")
      << make_config({.database_url = url, .top_extra = key_option}, dir);
  auto r = run_server_command({"--config", (dir / "tessera.yaml").string(), "audit", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("audit log OK: 50 rows"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(Postgres, RealmsCreatedAtOnceGetOneDefault) {
  ServerProcess server({.database_url = fresh_postgres_database("tessera_realms")});
  TestHttpClient client;
  auto login = client.post(server.url() + "/auth", "username=admin&password=test-admin-pw",
                           "application/x-www-form-urlencoded");
  const std::string token(
      boost::json::parse(login.body).at("result").at("value").at("token").as_string());
  auto call = [&](const std::string& path, const std::string& body) {
    TestHttpClient c;
    c.header("Authorization: " + token);
    return c.request("POST", server.url() + path, body, "application/x-www-form-urlencoded").status;
  };
  ASSERT_EQ(call("/resolver/local", "type=sql"), 200);
  std::vector<std::future<long>> creations;
  for (int i = 0; i < 8; ++i)
    creations.push_back(std::async(std::launch::async, [&, i] {
      return call("/realm/r" + std::to_string(i), "resolvers=local");
    }));
  for (auto& f : creations) EXPECT_EQ(f.get(), 200);
  TestHttpClient reader;
  reader.header("Authorization: " + token);
  auto realms = boost::json::parse(reader.get(server.url() + "/realm/").body);
  int defaults = 0;
  for (const auto& [name, realm] : realms.at("result").at("value").as_object())
    defaults += realm.at("default").as_bool() ? 1 : 0;
  EXPECT_EQ(defaults, 1);
}

TEST(Postgres, ServerRunsOnPostgres) {
  ServerProcess server({.database_url = fresh_postgres_database("tessera_run")});
  TestHttpClient client;
  auto r = client.get(server.url() + "/healthz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"database\":\"ok\""), std::string::npos);
}

TEST(Postgres, TwoProcessesMigrateOneDatabaseOnce) {
  const auto url = fresh_postgres_database("tessera_race");
  start_two_at_once(url);
  auto counts = count_rows(url);
  EXPECT_EQ(counts.migrations,
            static_cast<int>(db::migrations_for(db::Dialect::postgresql).size()));
  EXPECT_EQ(counts.admins, 1);
  // Running the migrations again changes nothing.
  db::Database database(db::parse_database_url(url, "/"), 1);
  EXPECT_TRUE(db::migrate(database).empty());
}

TEST(Sqlite, TwoProcessesMigrateOneFileOnce) {
  auto dir = make_temp_dir("tessera-sqlite-race");
  const auto url = "sqlite://" + (dir / "shared.db").string();
  start_two_at_once(url);
  auto counts = count_rows(url);
  EXPECT_EQ(counts.migrations, static_cast<int>(db::migrations_for(db::Dialect::sqlite).size()));
  EXPECT_EQ(counts.admins, 1);
  std::filesystem::remove_all(dir);
}

// Within a request the configuration is read once: a change another node commits meanwhile
// waits for the next request, a change the request makes itself is seen at once, and outside a
// request every read sees the newest.
TEST(Sqlite, ARequestReadsTheConfigurationOnce) {
  auto dir = make_temp_dir("tessera-config-scope");
  const auto url = "sqlite://" + (dir / "c.db").string();
  db::Database here(db::parse_database_url(url, "/"), 2);
  db::migrate(here);
  db::Database other_node(db::parse_database_url(url, "/"), 1);
  db::IdentityRepository identities(here);
  db::PolicyRepository policies(here);
  db::ConfigCache cache(here, identities, policies);
  // Another node's change, as its transaction does it (this process's repositories would also
  // tell this process's caches).
  const auto other_node_adds = [&](const std::string& name) {
    other_node.in_transaction([&](soci::session& sql) {
      sql << "INSERT INTO policy (name, scope, actions, realms, resolvers, users, admins, "
             "clients, active, priority) VALUES (:n, 'authentication', 'otppin=none', '', '', "
             "'', '', '', 1, 1)",
          soci::use(name);
      sql << "UPDATE config_version SET version = version + 1 WHERE id = 1";
    });
  };
  const auto policy = [](const std::string& name) {
    return db::PolicyRow{.name = name, .scope = "authentication", .actions = "otppin=none"};
  };
  const auto names = [&] {
    std::set<std::string> all;
    for (const auto& p : cache.current()->policies) all.insert(p.name);
    return all;
  };
  const auto before = names();  // what the migrations made
  {
    db::ConfigCache::RequestScope request;
    EXPECT_EQ(names(), before);
    other_node_adds("from-the-other-node");
    EXPECT_EQ(names(), before);  // the request goes on with what it read first
    policies.save(policy("made-by-this-request"));
    EXPECT_EQ(names().count("from-the-other-node"), 1u);
    EXPECT_EQ(names().count("made-by-this-request"), 1u);
  }
  other_node_adds("later");
  EXPECT_EQ(names().count("later"), 1u);  // no request open: read every time
  {
    db::ConfigCache::RequestScope next_request;
    EXPECT_EQ(names().size(), before.size() + 3);
  }
  std::filesystem::remove_all(dir);
}

// A transaction goes through the group commit too, and stays all or nothing when it runs
// alone: two changes and then a throw leave neither.
TEST(Sqlite, ATransactionAloneIsAllOrNothing) {
  auto dir = make_temp_dir("tessera-transaction");
  db::Database database(db::parse_database_url("sqlite://" + (dir / "t.db").string(), "/"), 2);
  database.with_session([](soci::session& sql) {
    sql << "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)";
    sql << "INSERT INTO t (id, v) VALUES (1, 0)";
    sql << "INSERT INTO t (id, v) VALUES (2, 0)";
  });
  EXPECT_THROW(database.in_transaction([](soci::session& sql) {
    sql << "UPDATE t SET v = 1 WHERE id = 1";
    sql << "UPDATE t SET v = 1 WHERE id = 2";
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  int changed = -1;
  database.with_session(
      [&](soci::session& sql) { sql << "SELECT SUM(v) FROM t", soci::into(changed); });
  EXPECT_EQ(changed, 0);
  EXPECT_EQ(database.in_transaction([](soci::session& sql) {
    sql << "UPDATE t SET v = 1 WHERE id = 1";
    sql << "UPDATE t SET v = 1 WHERE id = 2";
    return 2;
  }),
            2);
  database.with_session(
      [&](soci::session& sql) { sql << "SELECT SUM(v) FROM t", soci::into(changed); });
  EXPECT_EQ(changed, 2);
  EXPECT_EQ(database.group_commit_figures().batches, 2u);
  std::filesystem::remove_all(dir);
}

// SQLite's group commit: writes that queue while one runs are committed together, and each
// keeps its own outcome: one that throws (or whose SQL fails) leaves nothing behind, and the
// others' changes stay.
TEST(Sqlite, GroupCommitKeepsEachWritesOutcome) {
  auto dir = make_temp_dir("tessera-group-commit");
  db::Database database(db::parse_database_url("sqlite://" + (dir / "g.db").string(), "/"), 6);
  database.with_session([](soci::session& sql) {
    sql << "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)";
    for (int id = 1; id <= 5; ++id) sql << "INSERT INTO t (id, v) VALUES (" << id << ", 0)";
  });
  const auto set = [](soci::session& sql, int id) {
    sql << "UPDATE t SET v = 1 WHERE id = " << id;
  };
  // The first write holds its batch until the other four have queued behind it.
  std::promise<void> started, release;
  auto first = std::async(std::launch::async, [&] {
    database.write([&](soci::session& sql) {
      set(sql, 1);
      started.set_value();
      release.get_future().wait();
    });
  });
  started.get_future().wait();
  auto second =
      std::async(std::launch::async, [&] { database.write([&](auto& sql) { set(sql, 2); }); });
  auto refused = std::async(std::launch::async, [&] {
    database.write([&](soci::session& sql) {
      set(sql, 3);
      throw std::runtime_error("refused after writing");
    });
  });
  auto failed_sql = std::async(std::launch::async, [&] {
    return database.write([&](soci::session& sql) {
      set(sql, 4);
      sql << "INSERT INTO t (id, v) VALUES (1, 9)";  // a taken primary key
      return 4;
    });
  });
  auto fifth = std::async(std::launch::async, [&] {
    return database.write([&](soci::session& sql) {
      set(sql, 5);
      return 5;
    });
  });
  ASSERT_TRUE(eventually([&] { return database.group_commit_figures().waiting == 4; }));
  release.set_value();
  first.get();
  second.get();
  EXPECT_THROW(refused.get(), std::runtime_error);
  EXPECT_THROW(failed_sql.get(), db::DatabaseError);
  EXPECT_EQ(fifth.get(), 5);
  std::map<int, int> values;
  database.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows = sql.prepare << "SELECT id, v FROM t";
    for (const auto& r : rows) values[r.get<int>(0)] = r.get<int>(1);
  });
  EXPECT_EQ(values, (std::map<int, int>{{1, 1}, {2, 1}, {3, 0}, {4, 0}, {5, 1}}));
  const auto figures = database.group_commit_figures();
  EXPECT_EQ(figures.batches, 2u) << "the first alone, then the four that waited, together";
  EXPECT_EQ(figures.largest, 4u);
  EXPECT_EQ(figures.writes, 5u);
  std::filesystem::remove_all(dir);
}

void exercise_store(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::PluginStoreRepository store(database);
  const db::StoreKey key{"org.tests", "OATH0001", "seed"};
  EXPECT_FALSE(store.get(key));
  store.put(key, {"first", false});
  store.put(key, {"second", true});  // an upsert, not a duplicate key error
  auto value = store.get(key);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->value, "second");
  EXPECT_TRUE(value->encrypted);
  EXPECT_TRUE(store.remove(key));
  EXPECT_FALSE(store.remove(key));
  // Insert if absent: the first value stays.
  EXPECT_TRUE(store.add(key, {"claimed", false}));
  EXPECT_FALSE(store.add(key, {"late", false}));
  EXPECT_EQ(store.get(key)->value, "claimed");
}

TEST(Postgres, PluginStoreUpserts) {
  exercise_store(fresh_postgres_database("tessera_store"));
}

TEST(Sqlite, PluginStoreUpserts) {
  auto dir = make_temp_dir("tessera-sqlite-store");
  exercise_store("sqlite://" + (dir / "s.db").string());
  std::filesystem::remove_all(dir);
}

// The outbox's statements on each dialect: a claim is fenced by its attempt, a late outcome of
// an old claim changes nothing, and purging keeps dead deliveries.
void exercise_outbox(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::EventRepository events(database);
  events.append("token_init", "post", "{}");
  events.append("token_init", "post", "{}");
  events.append("token_init", "post", "{}");
  auto waiting = events.waiting(10);
  ASSERT_EQ(waiting.size(), 3u);
  db::OutboxRow delivery;
  delivery.handler = "h";
  delivery.notifier = "mail";
  delivery.action = "sendmail";
  delivery.request = "{}";
  EXPECT_TRUE(events.dispatch(waiting[0].id, {delivery}));
  EXPECT_FALSE(events.dispatch(waiting[0].id, {delivery})) << "dispatched once";
  EXPECT_TRUE(events.dispatch(waiting[1].id, {delivery}));
  EXPECT_TRUE(events.dispatch(waiting[2].id, {})) << "nobody listens: forgotten";
  EXPECT_TRUE(events.waiting(10).empty());
  auto due = events.due(1000, 10);
  ASSERT_EQ(due.size(), 2u);
  const auto first = due[0].id, second = due[1].id;
  EXPECT_FALSE(events.claim(first, 2, 1000, 5000)) << "not the attempt it is at";
  EXPECT_TRUE(events.claim(first, 1, 1000, 5000));
  EXPECT_FALSE(events.claim(first, 1, 1000, 5000)) << "claimed";
  // The lease ran out: another worker takes it; the first one's late failure changes nothing.
  EXPECT_TRUE(events.claim(first, 2, 6000, 9000));
  events.failed(first, 1, "late", 7000, false);
  events.delivered(first, 2, 8000);
  EXPECT_EQ(events.find(first)->state, "delivered");
  EXPECT_EQ(events.find(first)->attempts, 2);
  EXPECT_TRUE(events.claim(second, 1, 1000, 5000));
  events.failed(second, 1, "no mail server", 2000, true);
  EXPECT_EQ(events.find(second)->state, "dead");
  EXPECT_EQ(events.find(second)->last_error, "no mail server");
  events.purge(10000);
  EXPECT_FALSE(events.find(first)) << "delivered: forgotten";
  EXPECT_TRUE(events.find(second)) << "dead: kept for an admin";
  EXPECT_TRUE(events.retry(second, 11000));
  EXPECT_EQ(events.find(second)->state, "pending");
  EXPECT_EQ(events.list("pending", 10).size(), 1u);
}

void exercise_handlers(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::EventHandlerRepository handlers(database);
  db::EventHandlerRow row;
  row.name = "mail-owner";
  row.events = "token_init";
  row.position = "post";
  row.notifier = "mail";
  row.action = "sendmail";
  const auto id = handlers.save(row);
  ASSERT_GT(id, 0);
  EXPECT_EQ(handlers.save(row), -1) << "the name is taken";
  row.id = id;
  row.ordering = 5;
  EXPECT_EQ(handlers.save(row), id) << "replaced";
  EXPECT_TRUE(handlers.set_active(id, false));
  ASSERT_EQ(handlers.all().size(), 1u);
  EXPECT_EQ(handlers.all()[0].ordering, 5);
  EXPECT_FALSE(handlers.all()[0].active);
  EXPECT_TRUE(handlers.remove(id));
  EXPECT_FALSE(handlers.find(id));
}

TEST(Postgres, EventHandlersAreSavedAndReplaced) {
  exercise_handlers(fresh_postgres_database("tessera_handlers"));
}

TEST(Sqlite, EventHandlersAreSavedAndReplaced) {
  auto dir = make_temp_dir("tessera-sqlite-handlers");
  exercise_handlers("sqlite://" + (dir / "h.db").string());
  std::filesystem::remove_all(dir);
}

TEST(Postgres, OutboxClaimsAreFenced) {
  exercise_outbox(fresh_postgres_database("tessera_outbox"));
}

TEST(Sqlite, OutboxClaimsAreFenced) {
  auto dir = make_temp_dir("tessera-sqlite-outbox");
  exercise_outbox("sqlite://" + (dir / "o.db").string());
  std::filesystem::remove_all(dir);
}

// The dashboard's counting statements on each dialect, over rows written directly.
void exercise_statistics(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  // Two batches of the audit writer: counts of a minute add up across them.
  db::AuditRepository audit(database);
  const auto entry = [](long long second, std::string action, bool success) {
    db::AuditEntry e;
    e.time_us = second * 1000000;
    e.action = std::move(action);
    e.success = success;
    return e;
  };
  const long long minute = 1000LL * 60;  // Unix seconds of a minute's start
  std::vector<db::AuditEntry> first{entry(minute, "POST /validate/check", true),
                                    entry(minute + 10, "POST /validate/check", false)};
  std::vector<db::AuditEntry> second{entry(minute + 59, "GET /validate/radiuscheck", false),
                                     entry(minute + 60, "POST /validate/check", true),
                                     entry(minute + 61, "POST /auth", true)};
  const auto no_mac = [](const auto&) { return std::string(); };
  audit.append(first, no_mac, no_mac);
  audit.append(second, no_mac, no_mac);
  database.with_session([](soci::session& sql) {
    for (const auto& [serial, type, active, revoked, failcount, state] :
         std::vector<std::tuple<std::string, std::string, int, int, int, std::string>>{
             {"A", "hotp", 1, 0, 0, ""},
             {"B", "hotp", 0, 0, 0, ""},
             {"C", "hotp", 1, 0, 10, ""},
             {"D", "certificate", 1, 1, 0, "revoked"},
             {"E", "certificate", 1, 0, 0, "pending"}})
      sql << "INSERT INTO token (serial, token_type, description, sealed_secret, pin_hash, otplen, "
             "counter, count_window, sync_window, maxfail, failcount, last_fail_at, active, "
             "revoked, locked, rollout_state, info, owner_user, owner_resolver, owner_realm, "
             "created_at) VALUES (:s, :t, '', '', '', 6, 0, 10, 100, 10, :f, 0, :a, :r, 0, :st, "
             "'{}', '', '', '', 0)",
          soci::use(serial), soci::use(type), soci::use(failcount), soci::use(active),
          soci::use(revoked), soci::use(state);
    for (const auto& [serial, not_after, revoked] :
         std::vector<std::tuple<std::string, long long, int>>{{"1", 500, 0},
                                                              {"2", 1000 + 10 * 86400, 0},
                                                              {"3", 1000 + 50 * 86400, 0},
                                                              {"4", 1000 + 50 * 86400, 1},
                                                              {"5", 1000 + 200 * 86400, 0}})
      sql << "INSERT INTO certificate (ca, serial, token_serial, subject, not_after, pem, revoked, "
             "revoked_at, revocation_reason) VALUES ('ca', :s, '', '', :n, '', :r, 0, '')",
          soci::use(serial), soci::use(not_after), soci::use(revoked);
  });
  db::StatisticsRepository statistics(database);
  const auto minutes = statistics.checks_per_minute(1000 * 60, 1000 * 60 + 120);
  ASSERT_EQ(minutes.size(), 2u);
  EXPECT_EQ(minutes[0].minute, 1000 * 60);
  EXPECT_EQ(minutes[0].accepted, 1);
  EXPECT_EQ(minutes[0].rejected, 2);
  EXPECT_EQ(minutes[1].accepted, 1) << "/auth is no check";
  EXPECT_EQ(minutes[1].rejected, 0);
  EXPECT_TRUE(statistics.checks_per_minute(1000 * 60 + 120, 1000 * 60 + 180).empty());
  statistics.forget_checks_before(1000 * 60 + 60);
  ASSERT_EQ(statistics.checks_per_minute(0, 1000 * 60 + 120).size(), 1u) << "the older minute goes";
  std::map<std::string, long long> tokens;
  for (const auto& t : statistics.tokens_by_type_and_state())
    tokens[t.type + "/" + t.state] = t.count;
  EXPECT_EQ(tokens, (std::map<std::string, long long>{{"certificate/pending", 1},
                                                      {"certificate/revoked", 1},
                                                      {"hotp/disabled", 1},
                                                      {"hotp/enrolled", 1},
                                                      {"hotp/locked", 1}}));
  EXPECT_EQ(statistics.certificates_expiring(1000, {30 * 86400, 60 * 86400, 90 * 86400}),
            (std::vector<long long>{1, 2, 2}));
}

// A delivery's token changes: all in one transaction, or none when one of them fails.
void exercise_token_changes(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::TokenRepository tokens(database);
  for (const char* serial : {"A", "B"}) {
    db::TokenRow t;
    t.serial = serial;
    t.type = "hotp";
    t.info = R"({"kept":"yes"})";
    ASSERT_TRUE(tokens.insert(t));
  }
  using Kind = db::TokenChange::Kind;
  const db::TokenChange disable_a{Kind::disable, "A", "", "", {}};
  const db::TokenChange note_a{Kind::set_info, "A", "note", "seen", {}};
  const db::TokenChange revoke_a{Kind::revoke, "A", "", "", {"event handler", "keyCompromise"}};
  // The event log refuses the revocation's transition: nothing of the delivery stays.
  tokens.record_transitions_with([](soci::session&, const db::RolloutTransition& t) {
    if (t.to == "revoked") throw std::runtime_error("event log unavailable");
  });
  EXPECT_THROW(tokens.apply({disable_a, note_a, revoke_a}), std::runtime_error);
  auto a = tokens.find("A");
  EXPECT_TRUE(a->active) << "the disable before the failure was rolled back";
  EXPECT_EQ(a->info, R"({"kept":"yes"})");
  EXPECT_FALSE(a->revoked);
  EXPECT_TRUE(tokens.transitions("A").empty()) << "no revocation recorded";
  // Now it goes through, as one.
  tokens.record_transitions_with({});
  EXPECT_EQ(tokens.apply({disable_a, note_a, revoke_a}), std::vector<std::string>{"A"});
  a = tokens.find("A");
  EXPECT_TRUE(a->revoked);
  EXPECT_FALSE(a->active);
  EXPECT_EQ(boost::json::parse(a->info).at("note"), "seen");
  EXPECT_EQ(boost::json::parse(a->info).at("kept"), "yes");
  EXPECT_EQ(tokens.transitions("A").back().reason, "keyCompromise");
  // A revoked token stays as it is; another revocation revokes nothing new.
  EXPECT_TRUE(tokens.apply({{Kind::enable, "A", "", "", {}}, revoke_a}).empty());
  EXPECT_FALSE(tokens.find("A")->active);
  EXPECT_TRUE(tokens.find("B")->active) << "untouched";
}

TEST(Postgres, TokenChangesApplyTogetherOrNotAtAll) {
  exercise_token_changes(fresh_postgres_database("tessera_token_changes"));
}

TEST(Sqlite, TokenChangesApplyTogetherOrNotAtAll) {
  auto dir = make_temp_dir("tessera-sqlite-token-changes");
  exercise_token_changes("sqlite://" + (dir / "t.db").string());
  std::filesystem::remove_all(dir);
}

// A batch of the audit writer (up to 500 rows): every column of every row lands where it
// belongs, in order, the chain links them and the head names the last.
void exercise_audit_batch(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::AuditRepository audit(database);
  std::vector<db::AuditEntry> batch(150);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& e = batch[i];
    const auto n = std::to_string(i);
    e.time_us = 1000000 + static_cast<long long>(i) * 7;
    e.duration_us = static_cast<long long>(i);
    e.action = "a" + n;
    e.success = i % 3 == 0;
    e.serial = "s" + n;
    e.token_type = "t" + n;
    e.username = "u" + n;
    e.realm = "r" + n;
    e.administrator = "ad" + n;
    e.client = "c" + n;
    e.policies = "p" + n;
    e.info = "i" + n;
    e.actor_user = "au" + n;
    e.actor_realm = "ar" + n;
  }
  // Short enough for the hash column, and names the row before.
  const auto link = [](const db::AuditEntry& e) {
    return "h" + e.serial + "<" + e.prev_hash.substr(0, 8);
  };
  audit.append(batch, link, [](const db::AuditHead&) { return std::string("mac"); });
  database.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, time_us, duration_us, action, success, serial, token_type, "
                        "username, realm, administrator, client, policies, info, prev_hash, hash, "
                        "actor_user, actor_realm FROM audit ORDER BY id");
    size_t i = 0;
    std::string previous;
    for (const auto& r : rows) {
      ASSERT_LT(i, batch.size());
      const auto n = std::to_string(i);
      EXPECT_EQ(r.get<long long>(0), static_cast<long long>(i) + 1);
      EXPECT_EQ(r.get<long long>(1), 1000000 + static_cast<long long>(i) * 7);
      EXPECT_EQ(r.get<long long>(2), static_cast<long long>(i));
      EXPECT_EQ(r.get<std::string>(3), "a" + n);
      EXPECT_EQ(r.get<int>(4), i % 3 == 0 ? 1 : 0);
      EXPECT_EQ(r.get<std::string>(5), "s" + n);
      EXPECT_EQ(r.get<std::string>(6), "t" + n);
      EXPECT_EQ(r.get<std::string>(7), "u" + n);
      EXPECT_EQ(r.get<std::string>(8), "r" + n);
      EXPECT_EQ(r.get<std::string>(9), "ad" + n);
      EXPECT_EQ(r.get<std::string>(10), "c" + n);
      EXPECT_EQ(r.get<std::string>(11), "p" + n);
      EXPECT_EQ(r.get<std::string>(12), "i" + n);
      EXPECT_EQ(r.get<std::string>(13), previous);
      EXPECT_EQ(r.get<std::string>(14), "hs" + n + "<" + previous.substr(0, 8));
      EXPECT_EQ(r.get<std::string>(15), "au" + n);
      EXPECT_EQ(r.get<std::string>(16), "ar" + n);
      previous = r.get<std::string>(14);
      ++i;
    }
    EXPECT_EQ(i, batch.size());
    long long last_id = 0;
    std::string last_hash;
    sql << "SELECT last_id, last_hash FROM audit_head WHERE id = 1", soci::into(last_id),
        soci::into(last_hash);
    EXPECT_EQ(last_id, 150);
    EXPECT_EQ(last_hash, previous);
  });
}

TEST(Postgres, AnAuditBatchOfManyRowsKeepsEveryColumnInPlace) {
  exercise_audit_batch(fresh_postgres_database("tessera_audit_batch"));
}

TEST(Sqlite, AnAuditBatchOfManyRowsKeepsEveryColumnInPlace) {
  auto dir = make_temp_dir("tessera-audit-batch");
  exercise_audit_batch("sqlite://" + (dir / "a.db").string());
  std::filesystem::remove_all(dir);
}

// Revocations mark their CA's CRL stale in the transaction that records them, however many
// come before the next CRL; a CRL lists a certificate until it has expired.
void exercise_crl_staleness(const std::string& url) {
  db::Database database(db::parse_database_url(url, "/"), 1);
  db::migrate(database);
  db::CertificateRepository certificates(database);
  db::CrlRepository crls(database);
  for (const auto& [serial, not_after] :
       std::vector<std::pair<std::string, long long>>{{"0A", 2000}, {"0B", 1000}, {"0C", 3000}})
    ASSERT_TRUE(certificates.insert({"corp", serial, "CERT" + serial, "CN=x", not_after, "pem"}));
  EXPECT_TRUE(certificates.revoke("corp", "0A", "CERT0A", "keyCompromise", 500));
  EXPECT_FALSE(crls.current("corp")) << "no CRL yet: the revocation counted nowhere";
  ASSERT_TRUE(crls.replace("corp", {1, 9000, "first", 0, 0}));
  EXPECT_FALSE(crls.current("corp")->stale());

  EXPECT_TRUE(certificates.revoke("corp", "0B", "CERT0B", "superseded", 600));
  EXPECT_TRUE(certificates.revoke("corp", "0C", "CERT0C", "superseded", 700));
  EXPECT_FALSE(certificates.revoke("corp", "0C", "CERT0C", "again", 800)) << "once";
  EXPECT_FALSE(certificates.revoke("corp", "0A", "OTHER", "not its token", 800));
  auto stale = crls.current("corp");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->revocations, 2);
  EXPECT_TRUE(stale->stale());

  std::string listed;
  for (const auto& r : crls.revoked("corp", 1500)) listed += r.serial + " ";
  EXPECT_EQ(listed, "0A 0C ") << "0B expired at 1000";
  EXPECT_EQ(crls.revoked("corp").size(), 3u) << "the admin's list keeps every revocation";

  EXPECT_TRUE(crls.replace("corp", {2, 9000, "second", 0, stale->revocations}));
  EXPECT_FALSE(crls.current("corp")->stale());
  EXPECT_FALSE(crls.replace("corp", {2, 9000, "late", 0, 0})) << "number 2 is taken";
  EXPECT_EQ(crls.current("corp")->der_base64, "second");
}

TEST(Postgres, RevocationsMakeTheCrlStaleAndExpiredCertificatesLeaveIt) {
  exercise_crl_staleness(fresh_postgres_database("tessera_crl"));
}

TEST(Sqlite, RevocationsMakeTheCrlStaleAndExpiredCertificatesLeaveIt) {
  auto dir = make_temp_dir("tessera-crl");
  exercise_crl_staleness("sqlite://" + (dir / "c.db").string());
  std::filesystem::remove_all(dir);
}

TEST(Postgres, DashboardFiguresAreCounted) {
  exercise_statistics(fresh_postgres_database("tessera_statistics"));
}

TEST(Sqlite, DashboardFiguresAreCounted) {
  auto dir = make_temp_dir("tessera-sqlite-statistics");
  exercise_statistics("sqlite://" + (dir / "s.db").string());
  std::filesystem::remove_all(dir);
}

// max_token_per_user under parallel requests: enrollments and assignments of one user all at
// once, and no more than the limit get through, on either database.
class TokenLimit : public TokenFixture {
 protected:
  void parallel_requests_stay_within_it() {
    set_policy("limit", "scope=enrollment&action=max_token_per_user%3D2");
    const auto spare = [&](int i) {
      const auto serial = "SPARE" + std::to_string(i);
      enroll("type=hotp&genkey=1&serial=" + serial);
      return serial;
    };
    std::vector<std::string> spares;
    for (int i = 0; i < 4; ++i) spares.push_back(spare(i));
    std::vector<std::future<long>> answers;
    for (int i = 0; i < 12; ++i)
      answers.push_back(std::async(std::launch::async, [&, i] {
        return i % 3 == 2 ? api_->call("POST", "/token/assign", admin_,
                                       "serial=" + spares[i / 3] + "&user=alice&realm=corp")
                                .status
                          : api_->call("POST", "/token/init", admin_,
                                       "type=hotp&genkey=1&user=alice&realm=corp")
                                .status;
      }));
    int accepted = 0, refused = 0;
    for (auto& answer : answers) {
      const auto status = answer.get();
      accepted += status == 200;
      refused += status == 400;
    }
    EXPECT_EQ(accepted, 2);
    EXPECT_EQ(refused, 10);
    const auto owned = json_of(api_->call("GET", "/token/?user=alice&realm=corp", admin_));
    EXPECT_EQ(owned.at("result").at("value").at("count"), 2);
    const auto r =
        api_->call("POST", "/token/init", admin_, "type=hotp&genkey=1&user=alice&realm=corp");
    EXPECT_NE(r.body.find("the user has the maximum of 2 tokens"), std::string::npos) << r.body;
  }
};

TEST_F(TokenLimit, ParallelRequestsOnPostgresStayWithinIt) {
  start({.database_url = fresh_postgres_database("tessera_limit")});
  parallel_requests_stay_within_it();
}

TEST_F(TokenLimit, ParallelRequestsOnSqliteStayWithinIt) {
  start();
  parallel_requests_stay_within_it();
}

TEST(Postgres, DeadConnectionsAreReplacedAndHealthzSaysDegradedWhileNoneCanBeMade) {
  const auto url = fresh_postgres_database("tessera_lost");
  const auto database = url.substr(url.rfind('/') + 1);
  ServerProcess server({.database_url = url});
  TestHttpClient client;
  ASSERT_EQ(client.get(server.url() + "/healthz").status, 200);
  auto psql = [&](const std::string& statement) {
    const std::string command = "psql -h 127.0.0.1 -p " + postgres_port() +
                                " -U postgres -qAtc \"" + statement + "\" > /dev/null";
    return std::system(command.c_str());
  };
  const std::string cut_all =
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'";
  // Every connection the server holds is cut, as a restart or a failover would: each is
  // replaced when next leased, so no request fails for it.
  ASSERT_EQ(psql(cut_all), 0);
  for (int i = 0; i < 6; ++i) {
    auto answer = client.get(server.url() + "/healthz");
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(client
                  .post(server.url() + "/validate/check", "user=nobody&pass=1",
                        "application/x-www-form-urlencoded")
                  .status,
              200);
  }
  // While no connection can be made, the node says so (a load balancer takes it out) ...
  ASSERT_EQ(psql("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false"), 0);
  ASSERT_EQ(psql(cut_all), 0);
  auto lost = client.get(server.url() + "/healthz");
  EXPECT_EQ(lost.status, 503);
  EXPECT_NE(lost.body.find("\"status\":\"degraded\""), std::string::npos) << lost.body;
  EXPECT_NE(lost.body.find("\"database\":\"unreachable\""), std::string::npos) << lost.body;
  // ... and recovers by itself once the database takes connections again.
  ASSERT_EQ(psql("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true"), 0);
  EXPECT_EQ(client.get(server.url() + "/healthz").status, 200);
}

}  // namespace
}  // namespace tessera::testing
