#!/usr/bin/env bash
# Make sure the browser tests have what they drive: Debian's Chromium and a Japanese font.
# As root on Debian, install what is missing with apt-get; otherwise stop and say what to do.
# Never downloads a browser of its own (no `playwright install`).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
missing_packages=()
missing_what=()

if [ ! -x "$CHROMIUM" ]; then
    missing_packages+=(chromium)
    missing_what+=("Chromium ($CHROMIUM)")
fi
if ! command -v fc-list >/dev/null 2>&1 || ! (fc-list 2>/dev/null || true) | grep -i ipa >/dev/null; then
    missing_packages+=(fonts-ipafont-gothic)
    missing_what+=("the Japanese font IPA Gothic (fonts-ipafont-gothic)")
fi

if [ ${#missing_packages[@]} -eq 0 ]; then
    exit 0
fi

command_line="apt-get update && apt-get install -y ${missing_packages[*]}"
if [ -f /etc/debian_version ] && [ "$(id -u)" -eq 0 ]; then
    echo "ensure-browser: installing ${missing_packages[*]} (missing: ${missing_what[*]})" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing_packages[@]}"
    # fontconfig comes with the font package; refresh its cache so fc-list sees the font.
    command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
    if [ ! -x "$CHROMIUM" ]; then
        echo "ensure-browser: $CHROMIUM is still missing after apt-get install chromium" >&2
        exit 1
    fi
    exit 0
fi

{
    echo "ensure-browser: the browser tests need what is missing here:"
    for what in "${missing_what[@]}"; do
        echo "  - $what"
    done
    echo "Install it as root on Debian with:"
    echo "  $command_line"
} >&2
exit 1
