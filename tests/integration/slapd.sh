#!/usr/bin/env bash
# Starts or stops a throwaway OpenLDAP server for the tests, with a few users under
# ou=people,dc=example,dc=org, listening on ldap:// (StartTLS offered) and ldaps:// with a
# certificate for 127.0.0.1. start DIR: writes DIR/port, DIR/tls_port and DIR/ca.pem;
# stop DIR: stops it and removes DIR.
set -euo pipefail
cmd=$1 dir=$2
case "$cmd" in
start)
  rm -rf "$dir"; mkdir -p "$dir/db"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/ca.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
  cat > "$dir/slapd.conf" << CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.pid
TLSCertificateFile $dir/ca.pem
TLSCertificateKeyFile $dir/key.pem
database mdb
maxsize 10485760
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
rootpw admin-secret
directory $dir/db
access to attrs=userPassword by self read by anonymous auth by * none
access to * by * read
CONF
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    tls_port=$((port + 1))
    if /usr/sbin/slapd -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$tls_port/" -f "$dir/slapd.conf" 2> "$dir/slapd.log"; then break; fi
    [ "$attempt" = 5 ] && { cat "$dir/slapd.log" >&2; exit 1; }
  done
  for _ in $(seq 50); do ldapsearch -x -H "ldap://127.0.0.1:$port" -b "" -s base > /dev/null 2>&1 && break; sleep 0.1; done
  cat > "$dir/users.ldif" << 'LDIF'
dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: uid=carol,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: carol
cn: Carol Jones
givenName: Carol
sn: Jones
mail: carol@ldap.example
mobile: +49 170 1111
userPassword: carol-password

dn: uid=dave,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: dave
cn: Dave Miller
givenName: Dave
sn: Miller
mail: dave@ldap.example
userPassword: dave-password

dn: uid=svc-tessera,dc=example,dc=org
objectClass: account
objectClass: simpleSecurityObject
uid: svc-tessera
userPassword: service-password
LDIF
  ldapadd -x -H "ldap://127.0.0.1:$port" -D "cn=admin,dc=example,dc=org" -w admin-secret -f "$dir/users.ldif" > /dev/null
  echo "$port" > "$dir/port"
  echo "$tls_port" > "$dir/tls_port"
  echo "slapd ready on 127.0.0.1:$port"
  ;;
stop)
  [ -f "$dir/slapd.pid" ] && kill "$(cat "$dir/slapd.pid")" 2> /dev/null || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
