#include "db/database_url.hpp"

#include <gtest/gtest.h>

#include "db/migrator.hpp"

namespace tessera::db {
namespace {

TEST(DatabaseUrl, SqlitePathsAreRelativeToTheConfigFolder) {
  auto url = parse_database_url("sqlite://./data/t.db", "/etc/tessera");
  EXPECT_EQ(url.dialect, Dialect::sqlite);
  EXPECT_EQ(url.sqlite_path, "/etc/tessera/data/t.db");
  EXPECT_EQ(parse_database_url("sqlite:///var/lib/t.db", "/etc").sqlite_path, "/var/lib/t.db");
}

TEST(DatabaseUrl, PostgresUrlsBecomeConninfoAndPrintWithoutPassword) {
  auto url = parse_database_url("postgresql://app:p%40ss@db.example:5433/tessera", "/");
  EXPECT_EQ(url.dialect, Dialect::postgresql);
  EXPECT_NE(url.connect_string.find("host='db.example'"), std::string::npos);
  EXPECT_NE(url.connect_string.find("port=5433"), std::string::npos);
  EXPECT_NE(url.connect_string.find("password='p@ss'"), std::string::npos);
  EXPECT_EQ(url.display.find("p%40ss"), std::string::npos);
  EXPECT_NE(url.display.find("***"), std::string::npos);
}

TEST(DatabaseUrl, PassesTlsOptionsAndRefusesUnknownOnes) {
  auto url = parse_database_url(
      "postgresql://app@[::1]:5432/t?sslmode=verify-full&sslrootcert=/ca.pem", "/");
  EXPECT_NE(url.connect_string.find("host='::1'"), std::string::npos) << url.connect_string;
  EXPECT_NE(url.connect_string.find("sslmode='verify-full'"), std::string::npos);
  EXPECT_NE(url.connect_string.find("sslrootcert='/ca.pem'"), std::string::npos);
  EXPECT_THROW(parse_database_url("postgresql://app@h/t?sslmod=require", "/"), DatabaseUrlError);
}

TEST(DatabaseUrl, SeveralHostsBecomeLibpqHostAndPortLists) {
  auto url = parse_database_url(
      "postgresql://app:secret@db1:5433,[::1],db3:6000/tessera?target_session_attrs=read-write",
      "/");
  EXPECT_NE(url.connect_string.find("host='db1,::1,db3' port='5433,5432,6000'"), std::string::npos)
      << url.connect_string;
  EXPECT_NE(url.connect_string.find("dbname='tessera'"), std::string::npos);
  EXPECT_NE(url.connect_string.find("password='secret'"), std::string::npos);
  EXPECT_NE(url.connect_string.find("target_session_attrs='read-write'"), std::string::npos);
  EXPECT_EQ(url.display,
            "postgresql://app:***@db1:5433,[::1],db3:6000/tessera?target_session_attrs=read-write");
  EXPECT_THROW(parse_database_url("postgresql://a:1,b:x/t", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("postgresql://a:1,:2/t", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("postgresql://a:1,b:70000/t", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("postgresql://a,b", "/"), DatabaseUrlError);
}

TEST(DatabaseUrl, RefusesWhatItCannotUse) {
  EXPECT_THROW(parse_database_url("mysql://x/y", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("postgresql://host-only", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("sqlite://", "/"), DatabaseUrlError);
  EXPECT_THROW(parse_database_url("not a url", "/"), DatabaseUrlError);
  // The message never repeats the URL: it may hold a password.
  try {
    parse_database_url("postgresql://app:s3cret pass@host/t", "/");
    ADD_FAILURE() << "accepted";
  } catch (const DatabaseUrlError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

TEST(Migrations, SplitStatementsAtLineEndSemicolons) {
  auto statements =
      split_statements("-- comment\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (\n  y INT\n);\n");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (x INT)");
  EXPECT_EQ(statements[1], "CREATE TABLE b (\n  y INT\n)");
}

TEST(Migrations, AreNumberedInOrderForBothDialects) {
  for (auto dialect : {Dialect::sqlite, Dialect::postgresql}) {
    auto all = migrations_for(dialect);
    ASSERT_FALSE(all.empty());
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version, static_cast<int>(i + 1));
  }
}

}  // namespace
}  // namespace tessera::db
