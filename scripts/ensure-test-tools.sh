#!/usr/bin/env bash
# Make sure the tests have the real programs they drive: Debian's Chromium and a Japanese font
# (browser tests), nginx and Caddy (the shipped proxy configs, tests/deploy) and
# systemd-analyze (the shipped units). As root on Debian, install what is missing with
# apt-get; otherwise stop and say what to do. Never downloads a browser of its own
# (no `playwright install`).
set -euo pipefail

missing_packages=()
missing_what=()

need() {  # need <package> <what it gives> <test command>
    if ! eval "$3" >/dev/null 2>&1; then
        missing_packages+=("$1")
        missing_what+=("$2")
    fi
}

need chromium "Chromium (/usr/bin/chromium)" "[ -x /usr/bin/chromium ]"
need fonts-ipafont-gothic "the Japanese font IPA Gothic (fonts-ipafont-gothic)" \
    "command -v fc-list && fc-list | grep -i ipa"
need nginx "nginx (the shipped deploy/nginx config)" "[ -x /usr/sbin/nginx ]"
need caddy "Caddy (the shipped deploy/caddy config)" "command -v caddy"
need systemd "systemd-analyze (the shipped deploy/systemd units)" "command -v systemd-analyze"

if [ ${#missing_packages[@]} -eq 0 ]; then
    exit 0
fi

command_line="apt-get update && apt-get install -y ${missing_packages[*]}"
if [ -f /etc/debian_version ] && [ "$(id -u)" -eq 0 ]; then
    echo "ensure-test-tools: installing ${missing_packages[*]} (missing: ${missing_what[*]})" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing_packages[@]}"
    # fontconfig comes with the font package; refresh its cache so fc-list sees the font.
    command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
    # Debian starts the packaged services; the tests run their own instances on free ports.
    for service in nginx caddy; do
        if command -v systemctl >/dev/null 2>&1; then systemctl stop "$service" >/dev/null 2>&1 || true; fi
        pkill -x "$service" >/dev/null 2>&1 || true
    done
    [ -x /usr/bin/chromium ] || { echo "ensure-test-tools: chromium is still missing" >&2; exit 1; }
    exit 0
fi

{
    echo "ensure-test-tools: the tests need what is missing here:"
    for what in "${missing_what[@]}"; do
        echo "  - $what"
    done
    echo "Install it as root on Debian with:"
    echo "  $command_line"
} >&2
exit 1
