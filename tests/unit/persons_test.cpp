// Persons for enrollment forms: the checks each passes, and the bounded CSV reader.
#include "server/enrollment/persons.hpp"

#include <gtest/gtest.h>

namespace tessera::enrollment {
namespace {

db::OrganizationRow acme() {
  db::OrganizationRow o;
  o.name = "acme";
  o.departments = {"Sales", "Engineering"};
  o.domains = {"acme.example", "*.lab.acme.example"};
  return o;
}

TEST(Persons, AddressesMustBeInADelegatedDomain) {
  EXPECT_TRUE(email_in_domains("a@acme.example", acme().domains));
  EXPECT_TRUE(email_in_domains("a@ACME.example", acme().domains));
  EXPECT_TRUE(email_in_domains("a@lab.acme.example", acme().domains));
  EXPECT_TRUE(email_in_domains("a@x.lab.acme.example", acme().domains));
  EXPECT_FALSE(email_in_domains("a@sub.acme.example", acme().domains)) << "no wildcard for it";
  EXPECT_FALSE(email_in_domains("a@evilacme.example", acme().domains));
  EXPECT_FALSE(email_in_domains("a@xlab.acme.example", acme().domains));
  EXPECT_FALSE(email_in_domains("acme.example", acme().domains));
}

TEST(Persons, APersonIsNormalisedAndCheckedAgainstItsOrganization) {
  db::PersonRow p;
  p.email = " Ann.Lee@ACME.example ";
  p.first_name = "Ann";
  p.last_name = "Lee";
  p.department = "Sales";
  EXPECT_EQ(check_person(acme(), p), "");
  EXPECT_EQ(p.email, "ann.lee@acme.example");
  EXPECT_EQ(p.common_name, "Ann Lee");
  EXPECT_EQ(p.validation_type, "standard");
  EXPECT_EQ(p.organization, "acme");

  auto outside = p;
  outside.email = "ann@other.example";
  EXPECT_NE(check_person(acme(), outside).find("not in a delegated domain"), std::string::npos);
  auto department = p;
  department.department = "Legal";
  EXPECT_NE(check_person(acme(), department).find("no department 'Legal'"), std::string::npos);
  auto nameless = p;
  nameless.first_name = nameless.last_name = nameless.common_name = "";
  EXPECT_NE(check_person(acme(), nameless), "");
  for (const char* bad : {"ann", "@acme.example", "a b@acme.example", "a@@acme.example",
                          "a@acme..example", "a@.acme.example", "a<b@acme.example"}) {
    auto q = p;
    q.email = bad;
    EXPECT_NE(check_person(acme(), q).find("is not an e-mail address"), std::string::npos) << bad;
  }
  auto validation = p;
  validation.validation_type = "extreme";
  EXPECT_NE(check_person(acme(), validation), "");
}

TEST(Persons, CsvQuotesLineEndsAndLimits) {
  const auto t = read_csv(
      "\xEF\xBB\xBF"
      "email,first_name,last_name\r\n"
      "a@acme.example,\"Lee, Ann\",\"O\"\"Brien\"\n"
      "\n"
      "b@acme.example,\"two\nlines\",x",
      10, 100);
  ASSERT_EQ(t.error, "");
  ASSERT_EQ(t.rows.size(), 3u) << "the blank line is no row";
  EXPECT_EQ(t.rows[0][0], "email") << "the byte-order mark is dropped";
  EXPECT_EQ(t.rows[1][1], "Lee, Ann");
  EXPECT_EQ(t.rows[1][2], "O\"Brien");
  EXPECT_EQ(t.rows[2][1], "two\nlines");
  EXPECT_EQ(t.rows[2][2], "x");

  EXPECT_NE(read_csv("a,\"open\n", 10, 100).error.find("not closed"), std::string::npos);
  EXPECT_NE(read_csv("a,\"x\"y\n", 10, 100).error.find("line 1: text after a closing quote"),
            std::string::npos);
  EXPECT_NE(read_csv("a\nb\nc\n", 2, 100).error.find("more than 1 persons"), std::string::npos);
  EXPECT_NE(read_csv(std::string(200, 'x'), 10, 100).error.find("longer than 100"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera::enrollment
