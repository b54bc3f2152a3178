#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1: start them when they
# are installed but stopped, install them (Debian packages) when missing.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "Installing PostgreSQL..."; apt_install postgresql postgresql-client
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$version" main >/dev/null
  fi
  conf="/etc/postgresql/$version/main"
  # Tests connect as postgres over TCP without a password.
  if ! grep -q "atende: trust" "$conf/pg_hba.conf" 2>/dev/null; then
    as_root sh -c "printf '# atende: trust local test connections\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' | cat - '$conf/pg_hba.conf' > /tmp/pg_hba.atende && cp /tmp/pg_hba.atende '$conf/pg_hba.conf'"
  fi
  echo "Starting PostgreSQL $version..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null; then
    echo "Installing Redis..."; apt_install redis-server
  fi
  echo "Starting Redis..."
  mkdir -p /tmp/atende-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/atende-redis --logfile /tmp/atende-redis/redis.log
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
fi

# Tools the transcription, browser and catalogue tests use.
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
# nginx: deploy/nginx.conf in front of a web (tests/system/test_nginx_arrival.py).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# makemessages/msgfmt: the translation catalogue test.
command -v msgfmt >/dev/null || missing+=(gettext)
if [ "${ATENDE_SKIP_BROWSER:-}" != 1 ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."; apt_install "${missing[@]}" || echo "warning: could not install ${missing[*]}" >&2
fi
echo "PostgreSQL and Redis are up."
