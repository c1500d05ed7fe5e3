// Certificate profiles: the subject comes from the user's attributes through the templates.
#include <gtest/gtest.h>

#include "server/ca/certificate_profile.hpp"

namespace {

using tessera::ca::CertificateProfile;
using tessera::ca::ProfileError;

TEST(CertificateProfile, FillsTheSubjectFromTheUserAndLeavesEmptyFieldsOut) {
  auto profile = CertificateProfile::from_params({{"subject.CN", "{givenname} {surname}"},
                                                  {"subject.O", "{organization}"},
                                                  {"subject.OU", "{department}"},
                                                  {"subject.emailAddress", "{email}"}});
  tessera::db::UserRow alice;
  alice.username = "alice";
  alice.given_name = "Alice";
  alice.surname = "Example";
  alice.organization = "Corp";
  alice.email = "alice@corp.example";
  const auto subject = profile.subject_of(alice, "corp");
  ASSERT_EQ(subject.size(), 3u) << "no department: no OU";
  EXPECT_EQ(subject[0], (std::pair<std::string, std::string>{"CN", "Alice Example"}));
  EXPECT_EQ(subject[1], (std::pair<std::string, std::string>{"O", "Corp"}));
  EXPECT_EQ(subject[2].second, "alice@corp.example");

  tessera::db::UserRow nameless;
  nameless.username = "x";
  EXPECT_THROW(profile.subject_of(nameless, "corp"), ProfileError) << "a CN that comes out empty";
}

TEST(CertificateProfile, TagsInAUsersOwnAttributesAreData) {
  auto profile = CertificateProfile::from_params({{"subject.CN", "{givenname} {surname}"}});
  tessera::db::UserRow alice;
  alice.username = "alice";
  alice.given_name = "{email}";
  alice.surname = "{realm}";
  alice.email = "alice@a.example";
  const auto subject = profile.subject_of(alice, "reala");
  ASSERT_EQ(subject.size(), 1u);
  EXPECT_EQ(subject[0].second, "{email} {realm}");
}

TEST(CertificateProfile, RoundTripsThroughJson) {
  auto profile = CertificateProfile::from_params(
      {{"validity_days", boost::json::array{365, 730}}, {"san_upn", true}, {"approval", "1"}});
  auto again = CertificateProfile::from_json(profile.to_json());
  EXPECT_EQ(again.to_json(), profile.to_json());
  EXPECT_EQ(again.validity_days, (std::vector<int>{365, 730}));
  EXPECT_TRUE(again.san_upn);
  EXPECT_TRUE(again.approval);
}

}  // namespace
