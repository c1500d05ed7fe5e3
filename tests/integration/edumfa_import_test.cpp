// tessera-server import edumfa: a database with eduMFA's tables (edumfa_schema.sql) on SQLite
// and on PostgreSQL, seeds and PINs encrypted the way eduMFA does with its key file; after the
// import the same OTP values are accepted, a replay is refused (the counter came over), and a
// second run changes nothing.
#include <openssl/evp.h>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "db/database_url.hpp"
#include "tests/integration/postgres_fixture.hpp"

#include "server/crypto/password_hash.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// AES-256-CBC with PKCS#7, as eduMFA's DefaultSecurityModule.encrypt.
std::string encrypt(const std::string& key, const std::string& iv, const std::string& plain) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::string out(plain.size() + 16, '\0');
  int written = 0, last = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &written,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + written, &last);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(static_cast<size_t>(written + last));
  return out;
}

class EduMfaImport : public TokenFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    start();
    dir_ = server_->dir();
    std::ofstream(dir_ / "enckey", std::ios::binary) << token_key_ << config_key_ << value_key_;
    std::ifstream schema(TESSERA_TEST_SCRIPTS "/edumfa_schema.sql");
    std::stringstream statements;
    statements << schema.rdbuf();
    source_ = GetParam() == "sqlite" ? "sqlite://" + (dir_ / "edumfa.db").string()
                                     : fresh_postgres_database("edumfa_source");
    const auto url = db::parse_database_url(source_, dir_);
    soci::session sql(
        GetParam() == "sqlite" ? *soci::factory_sqlite3() : *soci::factory_postgresql(),
        url.connect_string);
    std::string statement;
    while (std::getline(statements, statement, ';'))
      if (statement.find("CREATE") != std::string::npos) sql << statement;
    sql << "INSERT INTO realm (id, name, \"default\") VALUES (1, 'corp', true)";
    const std::string iv = "0123456789abcdef";
    const std::string iv_hex = hex(iv);  // bound by reference: a variable, not a temporary
    const auto add = [&](int id, const std::string& serial, const std::string& type,
                         const std::string& key_enc, const std::string& pin_hash, int count,
                         int failcount, const std::string& owner) {
      sql << "INSERT INTO token (id, serial, tokentype, description, key_enc, key_iv, pin_hash, "
             "otplen, maxfail, failcount, count, count_window, sync_window, active, revoked, "
             "locked, rollout_state) VALUES (:id, :s, :t, 'from eduMFA', :k, :iv, :p, 6, 10, "
             ":f, :c, 10, 1000, true, false, false, '')",
          soci::use(id), soci::use(serial), soci::use(type), soci::use(key_enc), soci::use(iv_hex),
          soci::use(pin_hash), soci::use(failcount), soci::use(count);
      // Ids given, as eduMFA's sequences would (the schema has no defaults for them).
      sql << "INSERT INTO tokeninfo (id, \"Key\", \"Value\", \"Type\", token_id) VALUES "
             "(:i, 'hashlib', 'sha1', '', :t)",
          soci::use(id), soci::use(id);
      if (!owner.empty())
        sql << "INSERT INTO tokenowner (id, token_id, resolver, user_id, realm_id) VALUES (:i, "
               ":t, 'local', :u, 1)",
            soci::use(id), soci::use(id), soci::use(owner);
    };
    const auto seed = hex(encrypt(token_key_, iv, hex("12345678901234567890")));
    // alice: HOTP at counter 2 with one failed attempt, her PIN hashed with Argon2id.
    add(1, "OATH0001", "hotp", seed, crypto::hash_password("1234"), 2, 1, "alice");
    // bob: a PIN kept encrypted (policy encryptpin), "@@" + hex(iv):hex(cipher).
    add(2, "OATH0002", "HOTP", seed, "@@" + hex(iv) + ":" + hex(encrypt(token_key_, iv, "5678")), 0,
        0, "bob");
    add(3, "PUSH0001", "push", seed, "", 0, 0, "alice");
    add(4, "OATH0003", "hotp", hex(encrypt(config_key_, iv, hex("x"))), "", 0, 0, "");
    add(5, "OATH0004", "hotp", seed, "", 0, 0, "carol");
    add(6, "TOTP0001", "totp", seed, "", 0, 0, "bob");
    sql << "INSERT INTO tokeninfo (id, \"Key\", \"Value\", \"Type\", token_id) VALUES "
           "(60, 'timeStep', '30', '', 6)";
    // A directory (its bind password encrypted with the configuration key) and an SQL table of
    // users, both in realm staff; dave's token names him by his DN, as eduMFA's UIDTYPE DN does.
    sql << "INSERT INTO realm (id, name, \"default\") VALUES (2, 'staff', false)";
    sql << "INSERT INTO resolver (id, name, rtype) VALUES (1, 'ldapcorp', 'ldapresolver')";
    sql << "INSERT INTO resolver (id, name, rtype) VALUES (2, 'sqlusers', 'sqlresolver')";
    const std::string bind_password = hex(iv) + ":" + hex(encrypt(config_key_, iv, "bind-pw"));
    const std::vector<std::tuple<std::string, std::string, std::string>> ldap{
        {"LDAPURI", "ldap://ldap.example.org", ""},
        {"LDAPBASE", "ou=people,dc=example,dc=org", ""},
        {"BINDDN", "cn=edumfa,dc=example,dc=org", ""},
        {"BINDPW", bind_password, "password"},
        {"LOGINNAMEATTRIBUTE", "uid", ""},
        {"UIDTYPE", "DN", ""},
        {"LDAPSEARCHFILTER", "(uid=*)(objectClass=inetOrgPerson)", ""},
        {"USERINFO", "{ 'username': 'uid', 'email' : 'mail', 'surname' : 'sn' }", ""}};
    int config_id = 0;
    for (const auto& [key, value, type] : ldap)
      sql << "INSERT INTO resolverconfig (id, resolver_id, \"Key\", \"Value\", \"Type\") "
             "VALUES (:i, 1, :k, :v, :t)",
          soci::use(++config_id), soci::use(key), soci::use(value), soci::use(type);
    sql << "INSERT INTO resolverrealm (id, resolver_id, realm_id, priority) VALUES (1, 1, 2, 1)";
    sql << "INSERT INTO resolverrealm (id, resolver_id, realm_id, priority) VALUES (2, 2, 2, 2)";
    // Policies: two that come over (one without the action Tessera does not know), and three
    // whose meaning would change here.
    const std::vector<std::tuple<int, std::string, std::string, std::string, std::string>> policies{
        {1, "lockout", "authentication", "otppin=tokenpin, max_fail=5", ""},
        {2, "pins", "enrollment", "otp_pin_minlength=4, hotp_hashlib=sha256", ""},
        {3, "types", "authorization", "tokentype=hotp", ""},
        {4, "office", "authentication", "max_fail=3", "Mon-Fri: 9-17"},
        {5, "guarded", "authentication", "max_fail=2", ""}};
    for (const auto& [pid, name, scope, action, time] : policies)
      sql << "INSERT INTO policy (id, active, name, scope, action, realm, time, priority) VALUES "
             "(:i, true, :n, :s, :a, 'corp', :t, 1)",
          soci::use(pid), soci::use(name), soci::use(scope), soci::use(action), soci::use(time);
    sql << "INSERT INTO policycondition (id, policy_id, section, \"Key\", comparator, "
           "\"Value\", active) VALUES (1, 5, 'userinfo', 'groups', 'contains', 'admins', true)";
    add(7, "OATH0005", "hotp", seed, "", 0, 0, "");
    // A certificate token of alice's, its key made by eduMFA (kept there, encrypted).
    certificate_ = shell_output(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
        "-subj /CN=alice -days 30 2>/dev/null");
    add(8, "CRT0001", "certificate", "", "", 0, 0, "alice");
    sql << "INSERT INTO tokeninfo (id, \"Key\", \"Value\", \"Type\", token_id) VALUES "
           "(81, 'certificate', :p, '', 8)",
        soci::use(certificate_);
    sql << "INSERT INTO tokeninfo (id, \"Key\", \"Value\", \"Type\", token_id) VALUES "
           "(82, 'privatekey', 'aa:bb', 'password', 8)";
    sql << "INSERT INTO tokeninfo (id, \"Key\", \"Value\", \"Type\", token_id) VALUES "
           "(83, 'CA', 'localca', '', 8)";
    sql << "INSERT INTO tokenowner (id, token_id, resolver, user_id, realm_id) VALUES (7, 7, "
           "'ldapcorp', 'uid=dave,ou=people,dc=example,dc=org', 2)";
  }

  CommandResult import(bool dry_run) {
    std::vector<std::string> args{
        "--config", (dir_ / "tessera.yaml").string(), "import", "edumfa", "--database", source_,
        "--enckey", (dir_ / "enckey").string()};
    if (dry_run) args.push_back("--dry-run");
    return run_server_command(args);
  }
  bool check(const std::string& user, const std::string& pass) {
    const auto r = api_->client()->post(api_->url() + "/validate/check",
                                        "user=" + user + "&realm=corp&pass=" + pass, kForm);
    return r.status == 200 && json_of(r).at("result").at("value").as_bool();
  }

  std::filesystem::path dir_;
  std::string source_;
  std::string certificate_;
  const std::string token_key_ = std::string(32, 't'), config_key_ = std::string(32, 'c'),
                    value_key_ = std::string(32, 'v');
};

TEST_P(EduMfaImport, TheSameValuesAreAcceptedAfterwardsReplaysAreNotAndASecondRunDoesNothing) {
  const auto dry = import(true);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  for (const char* line :
       {"import OATH0001 (hotp, owner alice in corp, counter 2, fail counter 1, PIN kept)",
        "import OATH0002 (hotp, owner bob in corp, counter 0, fail counter 0, PIN kept)",
        "skip   PUSH0001: type push: Tessera imports HOTP, TOTP and certificate tokens so far",
        "skip   OATH0003: its seed cannot be read with this key file",
        "note   OATH0004: its owner (user id 'carol' in resolver 'local', realm 'corp') cannot be "
        "told here: imported unassigned",
        "import TOTP0001 (totp, owner bob in corp, counter 0, fail counter 0, no PIN)",
        "import resolver ldapcorp (ldap)",
        "import realm staff (1 resolvers)",
        "note   realm corp: one of that name is here already: left as it is",
        "skip   resolver sqlusers: type sqlresolver",
        "note   realm staff: without resolver sqlusers (it did not come over)",
        "import OATH0005 (hotp, owner dave in staff",
        "import CRT0001 (certificate, owner alice in corp",
        "note   CRT0001: its private key (made by eduMFA) stays there",
        "import policy lockout (authentication: otppin=tokenpin, max_fail=5)",
        "import policy pins (enrollment: otp_pin_minlength=4)",
        "note   policy pins: without the actions not known here: hotp_hashlib",
        "skip   policy types: scope authorization",
        "skip   policy office: it applies only at times",
        "skip   policy guarded: it has 1 extended conditions",
        "dry run: nothing was written; 6 tokens would be imported"})
    EXPECT_NE(dry.out.find(line), std::string::npos) << line << "\n" << dry.out;
  EXPECT_FALSE(check("alice", "1234359152")) << "a dry run writes nothing";

  const auto real = import(false);
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.out.find("imported 6 tokens; 0 were here already"), std::string::npos) << real.out;
  const auto imported = token("OATH0001");
  EXPECT_EQ(imported.at("failcount").as_int64(), 1);
  EXPECT_EQ(imported.at("description"), "from eduMFA");
  // RFC 4226's values: 287082 at counter 1 (used in eduMFA), 359152 at 2, 969429 at 3.
  EXPECT_FALSE(check("alice", "1234287082")) << "a value eduMFA had accepted is a replay";
  EXPECT_TRUE(check("alice", "1234359152"));
  EXPECT_FALSE(check("alice", "1234359152")) << "and once used, it is one here";
  EXPECT_FALSE(check("alice", "0000969429")) << "the PIN is checked";
  EXPECT_TRUE(check("bob", "5678755224")) << "an encrypted PIN, hashed anew";
  const auto totp = shell_output("oathtool --totp 3132333435363738393031323334353637383930");
  EXPECT_TRUE(check("bob", totp)) << "the TOTP token, with its time step";
  EXPECT_FALSE(check("bob", totp)) << "a TOTP value is taken once";
  EXPECT_FALSE(token("OATH0004").contains("username") &&
               !token("OATH0004").at("username").as_string().empty());

  EXPECT_NE(real.out.find("imported 1 resolvers, 1 realms and 2 policies"), std::string::npos)
      << real.out;
  const auto policies = api_->call("GET", "/policy/", admin_).body;
  EXPECT_NE(policies.find("\"lockout\""), std::string::npos) << policies;
  EXPECT_EQ(policies.find("\"office\""), std::string::npos) << policies;
  const auto resolver = api_->call("GET", "/resolver/", admin_).body;
  EXPECT_NE(resolver.find("ldap://ldap.example.org"), std::string::npos) << resolver;
  EXPECT_NE(resolver.find("(&(uid=*)(objectClass=inetOrgPerson))"), std::string::npos) << resolver;
  EXPECT_EQ(resolver.find("bind-pw"), std::string::npos) << "the bind password is sealed";
  EXPECT_NE(api_->call("GET", "/realm/", admin_).body.find("staff"), std::string::npos);
  EXPECT_EQ(token("OATH0005").at("username"), "dave");
  EXPECT_EQ(token("OATH0005").at("user_realm"), "staff");

  const auto certificate = token("CRT0001");
  EXPECT_EQ(certificate.at("rollout_state"), "enrolled");
  const auto pem = save("imported.pem", certificate_);
  EXPECT_EQ("serial=" + std::string(certificate.at("info").at("certificate_serial").as_string()),
            shell_output("openssl x509 -noout -serial -in " + pem.string()));
  EXPECT_EQ(certificate.at("info").at("imported_ca"), "localca");

  const auto again = import(false);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do: 6 importable tokens are here already"),
            std::string::npos)
      << again.out;
  EXPECT_TRUE(check("alice", "1234969429")) << "the second run left the counter as it was";
}

TEST_P(EduMfaImport, AWrongKeyFileOrDatabaseIsRefusedAndWritesNothing) {
  std::ofstream(dir_ / "short.key") << "too short";
  auto r = run_server_command({"--config", (dir_ / "tessera.yaml").string(), "import", "edumfa",
                               "--database", source_, "--enckey", (dir_ / "short.key").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("import failed, nothing was written: the key file has 9 bytes"),
            std::string::npos)
      << r.err;
  r = run_server_command({"--config", (dir_ / "tessera.yaml").string(), "import", "edumfa",
                          "--database", "sqlite://" + (dir_ / "tessera.yaml").string(), "--enckey",
                          (dir_ / "enckey").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not an eduMFA or privacyIDEA database"), std::string::npos) << r.err;
  r = run_server_command({"--config", (dir_ / "tessera.yaml").string(), "import", "edumfa",
                          "--database", "mysql://edumfa@localhost/edumfa", "--enckey",
                          (dir_ / "enckey").string()});
  EXPECT_NE(r.err.find("MySQL and MariaDB cannot be read by this build"), std::string::npos)
      << r.err;
  EXPECT_EQ(json_of(api_->call("GET", "/token/", admin_)).at("result").at("value").at("count"), 0);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(Source, EduMfaImport, ::testing::Values("sqlite", "postgresql"));
}  // namespace
}  // namespace tessera::testing
