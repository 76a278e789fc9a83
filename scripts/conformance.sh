#!/usr/bin/env bash
# `make conformance`: OpenSC's pkcs11-tool test modes, run against SoftHSM alone and against
# kyso's module in front of the same SoftHSM, with the tests' token fixture; one line per
# check and backend, then the counts. Needs `cargo build --workspace` (the module) and the
# fixture (built by the first test run; else made here). What differs, and why, is in the
# README's "What it answers".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
profile=${PROFILE:-debug}
kyso=$target/$profile/libkyso_pkcs11.so
softhsm=/usr/lib/softhsm/libsofthsm2.so
[ -f "$kyso" ] || { echo "conformance: $kyso not built (cargo build --workspace)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -d "$target/tmp/softhsm-fixture/tokens" ]; then
  cp -a "$target/tmp/softhsm-fixture" "$tmp/fx"
else
  bash "$root/tests/fixtures/make-softhsm-token.sh" "$tmp/fx" >/dev/null
fi
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$tmp/fx/tokens" >"$tmp/fx/softhsm2.conf"
printf '[[module]]\npath = "%s"\n' "$softhsm" >"$tmp/fx/kyso.toml"
head -c 32 /dev/urandom >"$tmp/digest"
export SOFTHSM2_CONF=$tmp/fx/softhsm2.conf KYSO_CONFIG=$tmp/fx/kyso.toml KYSO_LOG=$tmp/kyso.log

# name | pkcs11-tool arguments | what the output must show ("" = exit status 0 is enough)
checks=(
  "list slots|-L|kyso-test"
  "list objects|--token-label kyso-test -O|Certificate Object"
  "general test (random, digests, signatures, verify)|--token-label kyso-test --test --login --pin 123456|No errors"
  "sign ECDSA P-256|--token-label kyso-test --login --pin 123456 --sign -m ECDSA --id 03 -i $tmp/digest -o $tmp/sig|"
  "sign SHA256-RSA-PKCS|--token-label kyso-test --login --pin 123456 --sign -m SHA256-RSA-PKCS --id 01 -i $tmp/fx/softhsm2.conf -o $tmp/sig|"
  "C_Initialize in a child after fork|--test-fork|"
  "threads: initialise, info, slots, token info|--test-threads ILGISLT0 --test-threads ILGISLT0|all threads have ended with CKR_OK"
)
declare -A passed
for backend in softhsm kyso; do
  module=$softhsm
  [ "$backend" = kyso ] && module=$kyso
  passed[$backend]=0
  for c in "${checks[@]}"; do
    IFS='|' read -r name args want <<<"$c"
    # shellcheck disable=SC2086
    out=$(timeout 120 pkcs11-tool --module "$module" $args 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && { [ -z "$want" ] || grep -q -- "$want" <<<"$out"; }; then
      printf '%-8s PASS  %s\n' "$backend" "$name"
      passed[$backend]=$((passed[$backend] + 1))
    else
      printf '%-8s FAIL  %s (exit %s): %s\n' "$backend" "$name" "$rc" \
        "$(grep -m1 -iE 'error|ERR|fail' <<<"$out" || tail -1 <<<"$out")"
    fi
  done
done
echo "passed: softhsm ${passed[softhsm]}/${#checks[@]}, kyso in front of softhsm ${passed[kyso]}/${#checks[@]}"
[ "${passed[kyso]}" -ge "${passed[softhsm]}" ]
