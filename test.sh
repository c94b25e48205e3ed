#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need when it is missing,
# builds, runs every test project, and ends with one line "Tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# The email channel's tests poll a real IMAP server; dovecot lives in /usr/sbin, which may not be on PATH.
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
# The server's build bundles the chat widget with Node.js.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    echo "Could not install ${missing[*]}"; exit 1; }
fi

dotnet tool restore >/dev/null || exit 1
dotnet restore Porchlight.slnx || exit 1
dotnet build Porchlight.slnx --no-restore -c Release || exit 1

# Pending model changes: every model change needs a migration for both providers.
for context in SqliteAppDbContext PostgresAppDbContext; do
  dotnet ef migrations has-pending-model-changes --no-build --configuration Release --project src/Porchlight.Server --context "$context" \
    || { echo "The model has changes without a migration for $context."; echo "Tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
done

mkdir -p artifacts
# The rolling-upgrade test runs the previous release beside this one; built now, not while other tests run.
# If it does not build, that test says why.
bash tests/previous-release.sh > artifacts/previous-release.log 2>&1 || echo "The previous release did not build: see artifacts/previous-release.log"
# Browser tests leave evidence of a failure here (see below); none from an earlier run.
rm -f artifacts/screenshots/failed-*
dotnet test Porchlight.slnx --no-build -c Release --logger "console;verbosity=normal" --logger "trx" --results-directory artifacts/test-results 2>&1 | tee artifacts/test.log
rc=${PIPESTATUS[0]}

# VSTest prints a summary block per test project ("Total tests: N", "     Passed: N", ...): add them up.
sum() { grep -Po "^\s+$1:\s+\K\d+" artifacts/test.log | awk '{ s += $1 } END { print s + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
# A crash that reports no failed test still fails the run.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# Repeat each failure with its message and stack at the end, where a truncated log still shows it.
if [ "$failed" -gt 0 ]; then
  echo "---- Failed tests ----"
  grep -E -A 25 "^\s+Failed [A-Za-z_.]+" artifacts/test.log | cut -c1-300 | head -150
  # A failed browser test kept the server's log and what the pages' scripts reported: their problems, here.
  for log in artifacts/screenshots/failed-*-server.log; do
    [ -f "$log" ] || continue
    echo "---- ${log##*/}: warnings and errors ----"
    awk '/^(trce|dbug|info|warn|fail|crit):/ { keep = $1 ~ /^(warn|fail|crit):/ && $0 !~ /Migrations\[20410\]|XmlKeyManager\[35\]/ } keep' "$log" \
      | cut -c1-300 | tail -80
  done
  for log in artifacts/screenshots/failed-*-browser.log; do
    [ -f "$log" ] || continue
    echo "---- ${log##*/} ----"
    cut -c1-300 "$log" | tail -30
  done
  echo "----------------------"
fi
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$passed" -gt 0 ] || exit 1
exit $rc
