#!/usr/bin/env bash
# Builds the server of the previous release, for the rolling-upgrade test that runs it side by side with this
# version on one database. Prints the path of its porchlight.dll as the last line. The build is kept under
# artifacts/ by commit, so it happens once per release on a machine.
#
# When a release is cut, the release before it goes here: the commit the release was built from.
set -euo pipefail
cd "$(dirname "$0")/.."
release=13adfa359490d7b757457e5a91def8ccc8032dbf

out="artifacts/previous-release/$release"
dll="$out/src/Porchlight.Server/bin/Release/net10.0/porchlight.dll"
if [ ! -f "$out/.built" ]; then
  git cat-file -e "$release^{commit}" 2>/dev/null || {
    echo "The previous release ($release) is not in this clone's history; the rolling-upgrade test needs a full clone." >&2
    exit 1
  }
  rm -rf "$out"
  mkdir -p "$out"
  git archive "$release" | tar -x -C "$out"
  # Its own warnings were settled when it was released; only whether it runs matters now.
  dotnet build "$out/src/Porchlight.Server" -c Release -p:TreatWarningsAsErrors=false >&2
  touch "$out/.built"
fi
echo "$(pwd)/$dll"
