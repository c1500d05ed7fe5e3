// certsrv, AD CS's Web Enrollment pages: a request is posted to /certsrv/certfnsh.asp as a
// form; the page that comes back links certnew.cer?ReqID=N (issued), says "Your Request Id is
// N" (pending) or gives "The disposition message is ..." (denied). A request is fetched again
// by id from certnew.cer (its certificate, or a page saying why not) and its chain from
// certnew.p7b. Only these fixed phrases and links are read: they are what the pages reliably
// carry across Windows versions and languages of the links.
#pragma once

#include <string>

#include "disposition.hpp"

namespace tessera::msca {

// The urlencoded form for certfnsh.asp.
std::string certsrv_form(const std::string& csr_pem, const std::string& template_name);

// The page certfnsh.asp answered; issued: request_id set, chain_pem empty (fetch it by id).
// Throws sdk::Error::unavailable naming what the page says instead.
Disposition certsrv_submitted(int status, const std::string& page);

// certnew.cer?ReqID=N&Enc=b64: a PEM certificate (issued: chain_pem is the certificate) or a
// page saying the request is still pending or was denied.
Disposition certsrv_retrieved(int status, const std::string& body, const std::string& request_id);

}  // namespace tessera::msca
