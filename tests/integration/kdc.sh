#!/usr/bin/env bash
# A throwaway MIT Kerberos KDC (Debian's krb5-kdc) for the tests, in the foreground.
# Usage: kdc.sh DIR PORT
# Realm TESSERA.TEST; principals svc-tessera (password Kerb-Passw0rd), svc-keytab (keytab
# DIR/client.keytab) and HTTP/127.0.0.1 (keytab DIR/http.keytab, for the test's web service).
# Clients use DIR/krb5.conf (KRB5_CONFIG). Writes DIR/ready once the principals exist.
set -euo pipefail
dir=$1 port=$2
mkdir -p "$dir"
cat > "$dir/krb5.conf" <<CONF
[libdefaults]
  default_realm = TESSERA.TEST
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
[realms]
  TESSERA.TEST = {
    kdc = 127.0.0.1:$port
  }
[domain_realm]
  127.0.0.1 = TESSERA.TEST
CONF
cat > "$dir/kdc.conf" <<CONF
[kdcdefaults]
  kdc_listen = 127.0.0.1:$port
  kdc_tcp_listen = 127.0.0.1:$port
[realms]
  TESSERA.TEST = {
    database_name = $dir/principal
    key_stash_file = $dir/stash
    acl_file = $dir/kadm5.acl
  }
[logging]
  kdc = FILE:$dir/kdc.log
CONF
touch "$dir/kadm5.acl"
export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf
kdb5_util -r TESSERA.TEST create -s -P master-Passw0rd > /dev/null
admin() { kadmin.local -r TESSERA.TEST -q "$1" > /dev/null; }
admin "addprinc -pw Kerb-Passw0rd svc-tessera"
admin "addprinc -randkey svc-keytab"
admin "ktadd -k $dir/client.keytab svc-keytab"
admin "addprinc -randkey HTTP/127.0.0.1"
admin "ktadd -k $dir/http.keytab HTTP/127.0.0.1"
touch "$dir/ready"
exec krb5kdc -n -r TESSERA.TEST
