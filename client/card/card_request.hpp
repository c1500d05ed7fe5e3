// A certificate signing request whose signature the card makes: the proof that the card holds
// the key. The server sets the certificate's subject and names from its profile.
#pragma once

#include <string>

#include <openssl/evp.h>

#include "client/card/pkcs11_card.hpp"

namespace tessera::card {

// PEM of a PKCS#10 for public_key, CN=common_name, signed (SHA-256) by the card's key of id.
std::string card_request(CardSession& card, const std::string& id, EVP_PKEY* public_key,
                         const std::string& common_name);

}  // namespace tessera::card
