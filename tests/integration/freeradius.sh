#!/usr/bin/env bash
# Starts or stops a throwaway FreeRADIUS 3.2 on 127.0.0.1 (auth only, client 127.0.0.1):
#   start DIR URL RADIUS_PORT SECRET: its rlm_rest checks every Access-Request against
#     Tessera's eduMFA-style POST URL/validate/radiuscheck (HTTP 204 => Access-Accept,
#     anything else => Access-Reject): FreeRADIUS in front of Tessera.
#   start-users DIR USERS_FILE RADIUS_PORT SECRET: checks passwords against USERS_FILE (the
#     rlm_files format: `bob Cleartext-Password := "secret"`, and e.g. a Reply-Message): the
#     other RADIUS server that Tessera's radius tokens forward to.
#   stop DIR: stops it (DIR is left for the caller to remove).
# Each start writes a minimal raddb to DIR (nothing from /etc/freeradius is used),
# DIR/radiusd.pid and DIR/radius.log.
# Then e.g.: radtest alice 123456 127.0.0.1:RADIUS_PORT 0 SECRET (exit 0 accept, 1 reject).
set -euo pipefail
cmd=${1:-} dir=${2:-}
case "$cmd" in
start | start-users)
  [ $# -eq 5 ] || { echo "usage: $0 start DIR URL|USERS_FILE RADIUS_PORT SECRET" >&2; exit 2; }
  port=$4 secret=$5
  # Debian names the daemon freeradius; upstream builds name it radiusd.
  bin=$(command -v freeradius || command -v radiusd || echo /usr/sbin/freeradius)
  mkdir -p "$dir"
  rm -f "$dir/radius.log" "$dir/radiusd.pid"
  # No security{user,group}: stay root (DIR is root's). reject_delay = 0: the default 1 s
  # would slow every reject. The main dictionary comes from the compiled-in
  # /usr/share/freeradius; DIR has no local "dictionary" file, which is allowed.
  cat > "$dir/radiusd.conf" << CONF
prefix = /usr
raddbdir = $dir
confdir = $dir
logdir = $dir
run_dir = $dir
libdir = /usr/lib/freeradius
max_request_time = 30
cleanup_delay = 0
hostname_lookups = no
proxy_requests = no
log {
  destination = files
  file = $dir/radius.log
  colourise = no
  auth = yes
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 4
  max_servers = 16
  min_spare_servers = 2
  max_spare_servers = 8
}
client localhost {
  ipaddr = 127.0.0.1
  secret = "$secret"
  require_message_authenticator = no
}
CONF
  if [ "$cmd" = start ]; then
    url=${3%/}
    cat >> "$dir/radiusd.conf" << CONF
modules {
  # expr provides %{urlquote:...}, needed to form-encode the body ourselves.
  expr {
  }
  rest {
    # No connect_uri: no connection test at start-up, so radiusd starts whether or not
    # the HTTP server is up yet; with start = 0 the pool opens connections on demand.
    tls {
      check_cert = no
      check_cert_cn = no
    }
    # Only the authenticate section is configured and used: calling the endpoint from
    # authorize as well would check (and burn) a one-time password twice.
    authenticate {
      uri = "$url/validate/radiuscheck"
      method = 'post'
      # body = 'post' sets Content-Type: application/x-www-form-urlencoded; "data"
      # replaces the default all-attributes body, and its expansions are not escaped,
      # hence urlquote (RFC 3986 percent-encoding: & + = space % all encoded).
      body = 'post'
      data = "user=%{urlquote:%{User-Name}}&pass=%{urlquote:%{User-Password}}"
      tls = \${..tls}
      timeout = 5
    }
    pool {
      start = 0
      min = 0
      spare = 4
      max = 16
      uses = 0
      # A failed connect must not block new connections for the default 30 s.
      retry_delay = 0
      lifetime = 0
      idle_timeout = 60
    }
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = $port
  }
  authorize {
    # Nothing else knows the user: send every request with a password to rest.
    if (&User-Password) {
      update control {
        &Auth-Type := rest
      }
    }
  }
  authenticate {
    # rlm_rest maps 204 to ok (=> Access-Accept) and 400 to invalid, 401 to reject,
    # 404 to notfound, 5xx/timeout to fail: all of which give Access-Reject.
    Auth-Type rest {
      rest
    }
  }
}
CONF
  else
    # Message-Authenticator required in requests (Tessera always sends it).
    sed -i 's/require_message_authenticator = no/require_message_authenticator = yes/' "$dir/radiusd.conf"
    cp "$3" "$dir/users"
    cat >> "$dir/radiusd.conf" << CONF
modules {
  files {
    filename = $dir/users
  }
  pap {
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = $port
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  # FreeRADIUS before 3.2.5 (Debian 12 has 3.2.1) signs a reply with Message-Authenticator
  # only when asked to; Tessera refuses unsigned replies (BlastRADIUS).
  post-auth {
    update reply {
      &Message-Authenticator := 0x00
    }
    Post-Auth-Type REJECT {
      update reply {
        &Message-Authenticator := 0x00
      }
    }
  }
}
CONF
  fi
  # -f: no daemonising, so $! is radiusd's own pid; -x: log each request's module results
  # to DIR/radius.log. setsid (no fork: a background job is no group leader) and the
  # redirections detach it from the caller's terminal signals and pipes (ctest waits on them).
  setsid "$bin" -f -x -d "$dir" -n radiusd -l "$dir/radius.log" < /dev/null > "$dir/radiusd.out" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/radiusd.pid"
  for _ in $(seq 100); do
    grep -q 'Ready to process requests' "$dir/radius.log" 2> /dev/null && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if ! grep -q 'Ready to process requests' "$dir/radius.log" 2> /dev/null; then
    kill "$pid" 2> /dev/null || true
    rm -f "$dir/radiusd.pid"
    cat "$dir/radiusd.out" "$dir/radius.log" >&2 2> /dev/null || true
    echo "freeradius did not start" >&2
    exit 1
  fi
  echo "freeradius ready on 127.0.0.1:$port"
  ;;
stop)
  [ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
  if [ -f "$dir/radiusd.pid" ]; then
    pid=$(cat "$dir/radiusd.pid")
    kill "$pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
    rm -f "$dir/radiusd.pid"
  fi
  ;;
*) echo "usage: $0 start DIR URL RADIUS_PORT SECRET | start-users DIR USERS_FILE RADIUS_PORT SECRET | stop DIR" >&2; exit 2 ;;
esac
