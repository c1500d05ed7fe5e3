// The OATH core of the hotp and totp plugins against RFC 4226 appendix D and RFC 4648, and the
// server's token PIN hashing.
#include <gtest/gtest.h>

#include <oath.hpp>
#include <tessera/sdk/error.hpp>

#include "server/tokens/pin_hasher.hpp"

namespace {

using namespace tessera;

const oath::Bytes kRfcSeed = oath::from_hex("3132333435363738393031323334353637383930");

TEST(Oath, Rfc4226AppendixD) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter)
    EXPECT_EQ(oath::hotp(kRfcSeed, counter, 6, oath::Hash::sha1), expected[counter]) << counter;
}

TEST(Oath, FindsTheFirstMatchingCounterInTheWindowOnly) {
  EXPECT_EQ(oath::find_counter(kRfcSeed, 0, 10, "969429", 6, oath::Hash::sha1), 3u);
  EXPECT_EQ(oath::find_counter(kRfcSeed, 4, 10, "969429", 6, oath::Hash::sha1), std::nullopt);
  EXPECT_EQ(oath::find_counter(kRfcSeed, 0, 2, "969429", 6, oath::Hash::sha1), std::nullopt);
  EXPECT_EQ(oath::find_counter(kRfcSeed, 0, 10, "96942", 6, oath::Hash::sha1), std::nullopt)
      << "a value of the wrong length never matches";
}

TEST(Oath, Base32RoundTripsAndRejectsForeignCharacters) {
  EXPECT_EQ(oath::to_base32(kRfcSeed), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(oath::from_base32("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), kRfcSeed);
  EXPECT_EQ(oath::from_base32("GEZDGNBV GY3TQOJQ GEZDGNBV GY3TQOJQ===="), kRfcSeed);
  EXPECT_THROW(oath::from_base32("GEZ1"), sdk::Error);
  EXPECT_THROW(oath::from_hex("abc"), sdk::Error);
}

TEST(Oath, SeedsComeFromOneSourceAndAreLongEnough) {
  const oath::Bytes random(20, 7);
  EXPECT_EQ(oath::seed_from_request({{"genkey", "1"}}, random), random);
  EXPECT_EQ(oath::seed_from_request(
                {{"otpkey", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}, {"otpkeyformat", "base32"}}, {}),
            kRfcSeed);
  EXPECT_THROW(oath::seed_from_request({{"genkey", "1"}, {"otpkey", "00"}}, random), sdk::Error);
  EXPECT_THROW(oath::seed_from_request({{"otpkey", "3132333435"}}, {}), sdk::Error);
  EXPECT_THROW(oath::seed_from_request({}, {}), sdk::Error);
}

TEST(Oath, OtpauthUriCarriesWhatAppsNeed) {
  oath::OathOptions options{oath::Hash::sha256, 8};
  EXPECT_EQ(oath::otpauth_uri("totp", "Tessera", "alice@corp", kRfcSeed, options, "period=60"),
            "otpauth://totp/Tessera:alice@corp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer="
            "Tessera&algorithm=SHA256&digits=8&period=60");
  EXPECT_EQ(oath::otpauth_uri("hotp", "My Org", "a b", kRfcSeed, {}, "counter=0"),
            "otpauth://hotp/My%20Org:a%20b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=My%20Org&"
            "digits=6&counter=0");
}

TEST(PinHasher, MatchesOnlyThePinItWasMadeFromAndSaltsEachHash) {
  tokens::PinHasher pins("server-key");
  const auto stored = pins.hash("4711");
  EXPECT_TRUE(pins.matches(stored, "4711"));
  EXPECT_FALSE(pins.matches(stored, "4712"));
  EXPECT_FALSE(pins.matches(stored, ""));
  EXPECT_NE(pins.hash("4711"), stored) << "a fresh salt each time";
  EXPECT_EQ(stored.find("4711"), std::string::npos);
  EXPECT_FALSE(tokens::PinHasher("other-key").matches(stored, "4711"));
  EXPECT_EQ(pins.hash(""), "");
  EXPECT_TRUE(pins.matches("", ""));
  EXPECT_FALSE(pins.matches("", "4711"));
  EXPECT_FALSE(pins.matches("h1:garbage", "4711"));
}

}  // namespace
