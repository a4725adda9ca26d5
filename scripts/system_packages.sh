#!/usr/bin/env bash
# The Debian packages the test suite drives for real: Chromium (the HTML dashboard), Redis and
# PostgreSQL (the fault proxy), openssl (TLS fault endpoints), prometheus (promtool for the alert rules). Installs only what is missing, with
# one `apt-get update`; needs root (CI runs as root). Without them the tests that need them fail
# in CI (CI=true) and are skipped elsewhere.
set -euo pipefail
packages=(chromium redis-server postgresql openssl prometheus)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
