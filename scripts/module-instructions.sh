#!/usr/bin/env bash
# Instructions per ECDSA P-256 signature (CKM_ECDSA over a 32-byte digest: C_SignInit, the
# C_Sign length query, C_Sign) by callgrind, for SoftHSM called directly, through kyso's module
# and through p11-kit's proxy (which reaches SoftHSM through its registration in
# /usr/share/p11-kit/modules). The module_overhead bench's child signs N1, then N2 times, one
# process per backend and count; a signature costs (I(N2) - I(N1)) / (N2 - N1), start-up
# cancelled out. OpenSSL's ECDSA_do_sign, inside SoftHSM, is left out of I: its cost depends
# on the random nonce (thousands of instructions from one signature to the next) and is the
# same work whichever way SoftHSM is reached, so without it the figures are exact to the
# instruction and comparable across backends. Needs
# `cargo bench -p kyso-pkcs11 --bench module_overhead --no-run` and
# `cargo build --release -p kyso-pkcs11` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
bench=$(ls -t "$target"/release/deps/module_overhead-* | grep -v '\.d$' | head -1)
n1=${N1:-100}
n2=${N2:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The tests' fixture when it is built (the same keys run after run), else a new one.
if [ -d "$target/tmp/softhsm-fixture/tokens" ]; then
  cp -a "$target/tmp/softhsm-fixture" "$tmp/fx"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$tmp/fx/tokens" >"$tmp/fx/softhsm2.conf"
else
  bash "$root/tests/fixtures/make-softhsm-token.sh" "$tmp/fx" >/dev/null
fi
printf '[[module]]\npath = "/usr/lib/softhsm/libsofthsm2.so"\n' >"$tmp/fx/kyso.toml"
# p11-kit's proxy with SoftHSM alone (the system's registrations also load OpenSC, which
# may wait on pcscd, and p11-kit's trust module): a user configuration that says so.
mkdir -p "$tmp/home/.config/pkcs11/modules"
echo 'user-config: only' >"$tmp/home/.config/pkcs11/pkcs11.conf"
echo 'module: /usr/lib/softhsm/libsofthsm2.so' >"$tmp/home/.config/pkcs11/modules/softhsm2.module"
instructions() { # module n -> total instructions minus ECDSA_do_sign's
  HOME="$tmp/home" KYSO_BENCH_CHILD=1 SOFTHSM2_CONF="$tmp/fx/softhsm2.conf" \
    KYSO_CONFIG="$tmp/fx/kyso.toml" \
    setarch "$(uname -m)" -R valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    "$bench" sign "$1" ecdsa-p256 1 "$2" >/dev/null 2>"$tmp/cg.err"
  callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.out" 2>/dev/null |
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
         /:ECDSA_do_sign \[/ { gsub(",", "", $1); ecdsa = $1 }
         END { print total - ecdsa }'
}
declare -A per
printf '| backend | instructions per signature | over SoftHSM direct |\n|---|---|---|\n'
backends=(softhsm:/usr/lib/softhsm/libsofthsm2.so kyso:"$target/release/libkyso_pkcs11.so"
  p11-kit-proxy:/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so)
# KYSO_BEFORE=path/to/an/earlier/libkyso_pkcs11.so measures it too, in the same run.
if [ -n "${KYSO_BEFORE:-}" ]; then backends+=("kyso-before:$KYSO_BEFORE"); fi
for b in "${backends[@]}"; do
  name=${b%%:*} module=${b#*:}
  a=$(instructions "$module" "$n1")
  z=$(instructions "$module" "$n2")
  per[$name]=$(((z - a) / (n2 - n1)))
  printf '| %s | %s | %+d |\n' "$name" "${per[$name]}" $((per[$name] - per[softhsm]))
done
