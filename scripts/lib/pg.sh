# Shared by scripts/db, scripts/test, scripts/demo, scripts/setup: finding the project,
# installing PostgreSQL when missing, and running a private cluster.
#
# A cluster home DIR holds pgdata/ (the data), run/ (the unix socket) and log/. The server
# listens on the socket only (listen_addresses = ''), so no TCP port can collide, and the
# socket folder is 0700: only the OS user who owns the cluster (and root) can reach it, which
# is why local connections may use trust authentication.

project_root() {
    cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# The newest PostgreSQL server's bin folder, or nothing.
pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

# Installs the PostgreSQL server, libpq's headers and pkg-config when missing (Debian/Ubuntu).
ensure_system_packages() {
    local missing=()
    [ -n "$(pg_bindir)" ] || missing+=(postgresql)
    if ! command -v pkg-config >/dev/null 2>&1; then
        missing+=(pkg-config libpq-dev)
    elif ! pkg-config --exists libpq; then
        missing+=(libpq-dev)
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! is_root; then
        echo "consult needs: ${missing[*]}. Install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "==> installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a command as the owner of the cluster: the postgres system user when we are root
# (initdb and postgres refuse to run as root), ourselves otherwise.
as_db_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Whether the postgres system user can reach a folder (a project under /root cannot be).
postgres_can_reach() {
    ! is_root || runuser -u postgres -- test -x "$1" 2>/dev/null
}

# The home of the user's embedded cluster: <project>/.consult, or, when the postgres user
# cannot reach the project or the socket path would be too long (unix sockets allow 107
# bytes), a short folder under /var/tmp that <project>/.consult links to.
embedded_home() {
    local root home short
    root=$(project_root)
    home="$root/.consult"
    if [ -L "$home" ]; then readlink -f "$home"; return 0; fi
    if postgres_can_reach "$root" && [ ${#home} -le 80 ]; then
        echo "$home"
        return 0
    fi
    short="/var/tmp/consult-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
    mkdir -p "$short"
    [ -e "$home" ] || ln -s "$short" "$home"
    echo "$short"
}

# cluster_init DIR [TLS_PORT]: with a port, the server also listens on 127.0.0.1 at that port
# with TLS (a self-signed certificate for localhost, its copy in DIR/tls/root.crt), for the
# tests of sslmode; without, it listens on its unix socket only.
cluster_init() {
    local dir=$1 tls_port=${2:-} bindir
    bindir=$(pg_bindir)
    [ -f "$dir/pgdata/PG_VERSION" ] && return 0
    mkdir -p "$dir/pgdata" "$dir/run" "$dir/log"
    if is_root; then chown -R postgres: "$dir"; fi
    chmod 700 "$dir" "$dir/pgdata" "$dir/run"
    local locale=(--locale=C.UTF-8)
    locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || locale=(--no-locale)
    # fsync stays on: data a test or the demo acknowledged must survive a crash.
    as_db_owner "$bindir/initdb" -D "$dir/pgdata" -U postgres --auth=trust --encoding=UTF8 "${locale[@]}" >"$dir/log/initdb.log" 2>&1 || {
        cat "$dir/log/initdb.log" >&2
        return 1
    }
    cat >>"$dir/pgdata/postgresql.conf" <<CONF

# consult: a private cluster on a unix socket only.
listen_addresses = ''
unix_socket_directories = '$dir/run'
unix_socket_permissions = 0700
max_connections = 100
shared_buffers = 128MB
log_min_messages = warning
# Every consult command is a fresh backend: loaded once here rather than in each of them,
# PL/pgSQL costs a command ~1 ms less (the first call of a PL/pgSQL function, measured: 1.1-1.6
# ms without, 0.4-0.7 ms with).
shared_preload_libraries = 'plpgsql'
CONF
    if [ -n "$tls_port" ]; then
        if ! command -v openssl >/dev/null 2>&1; then
            echo "note: openssl is missing, so the TLS tests will say they are skipped" >&2
            return 0
        fi
        mkdir -p "$dir/tls"
        openssl req -new -x509 -days 7 -nodes -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            -keyout "$dir/pgdata/server.key" -out "$dir/pgdata/server.crt" >"$dir/log/openssl.log" 2>&1 || {
            cat "$dir/log/openssl.log" >&2
            return 1
        }
        chmod 600 "$dir/pgdata/server.key"
        if is_root; then chown postgres: "$dir/pgdata/server.key" "$dir/pgdata/server.crt"; fi
        cp "$dir/pgdata/server.crt" "$dir/tls/root.crt"
        cat >>"$dir/pgdata/postgresql.conf" <<CONF
# TLS on localhost only, for the tests of sslmode.
listen_addresses = '127.0.0.1'
port = $tls_port
ssl = on
CONF
        echo "$tls_port" >"$dir/port"
    fi
}

# The cluster's port: 5432 (on its socket) unless cluster_init chose one.
cluster_port() {
    cat "$1/port" 2>/dev/null || echo 5432
}

# A free TCP port on 127.0.0.1 (one nothing answers on).
free_port() {
    local port tries=0
    while [ $tries -lt 50 ]; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

cluster_running() {
    as_db_owner "$(pg_bindir)/pg_ctl" status -D "$1/pgdata" >/dev/null 2>&1
}

cluster_start() {
    local dir=$1 bindir
    bindir=$(pg_bindir)
    if ! cluster_running "$dir"; then
        # A server killed with SIGKILL leaves postmaster.pid behind; pg_ctl checks whether
        # that process is alive and starts anyway when it is not.
        as_db_owner "$bindir/pg_ctl" start -D "$dir/pgdata" -l "$dir/log/postgres.log" -w -t 60 -s || {
            echo "PostgreSQL did not start; the end of its log:" >&2
            tail -n 20 "$dir/log/postgres.log" >&2
            return 1
        }
    fi
    local tries=0
    until "$bindir/pg_isready" -q -h "$dir/run" -p "$(cluster_port "$dir")" -U postgres; do
        tries=$((tries + 1))
        [ $tries -gt 120 ] && { echo "PostgreSQL is not accepting connections on $dir/run" >&2; return 1; }
        sleep 0.5
    done
    if [ -z "$("$bindir/psql" -h "$dir/run" -p "$(cluster_port "$dir")" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'consult'")" ]; then
        "$bindir/psql" -h "$dir/run" -p "$(cluster_port "$dir")" -U postgres -d postgres -qc 'CREATE DATABASE consult' >/dev/null
    fi
}

cluster_stop() {
    local dir=$1
    if [ -f "$dir/pgdata/PG_VERSION" ] && cluster_running "$dir"; then
        as_db_owner "$(pg_bindir)/pg_ctl" stop -D "$dir/pgdata" -m fast -w -s
    fi
}

cluster_url() {
    local dir=$1 db=${2:-consult}
    local port=""
    [ -f "$dir/port" ] && port="&port=$(cat "$dir/port")"
    echo "postgresql:///$db?host=${dir// /%20}/run&user=postgres$port"
}

# The headless browser the HTML report test opens the page in (Debian's chromium).
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 && return 0
    if ! is_root; then
        echo "note: chromium is missing, so the HTML report test will say it is skipped; install it with: sudo apt-get install -y chromium" >&2
        return 0
    fi
    echo "==> installing chromium (apt-get), for the HTML report test"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
}
