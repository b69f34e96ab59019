#!/usr/bin/env bash
# Builds the self-contained executable (no Node needed on the user's machine): esbuild bundles
# src/sea.ts into one CommonJS file, Node's single-executable-application support turns it into
# a blob, and postject injects it into a copy of the Node binary. Output: dist-sea/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
out=dist-sea
rm -rf "$out" && mkdir -p "$out"
platform="$(node -p 'process.platform')-$(node -p '({x64:"amd64",arm64:"arm64"})[process.arch] || process.arch')"
pjson=$(node -e 'const p=require("./package.json"); process.stdout.write(JSON.stringify({name:p.name,version:p.version,description:p.description,oclif:{bin:p.oclif.bin,dirname:p.oclif.dirname,topicSeparator:" "}}))')
[ -f oclif.manifest.json ] || npm run --silent build
commands=$(node -e 'process.stdout.write(JSON.stringify(require("./oclif.manifest.json").commands))')
esbuild src/sea.ts --bundle --platform=node --format=cjs --target=node24 --log-level=warning \
  --define:__PJSON__="$pjson" --define:__COMMANDS__="$commands" --outfile="$out/sea.cjs"
cat > "$out/sea-config.json" <<JSON
{ "main": "$out/sea.cjs", "output": "$out/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": false }
JSON
node --experimental-sea-config "$out/sea-config.json" >/dev/null
bin="$out/kubectl-omnia_auth"
cp "$(node -p process.execPath)" "$bin"
chmod u+w "$bin"
strip "$bin" 2>/dev/null || true   # before the injection: it drops the debug info, not the fuse
postject "$bin" NODE_SEA_BLOB "$out/sea.blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null

tar -C "$out" -czf "$out/kubectl-omnia_auth-$platform.tar.gz" kubectl-omnia_auth
sha=$(sha256sum "$out/kubectl-omnia_auth-$platform.tar.gz" | cut -d' ' -f1)
echo "$sha  $out/kubectl-omnia_auth-$platform.tar.gz" | tee "$out/kubectl-omnia_auth-$platform.tar.gz.sha256"
version="v$(node -p 'require("./package.json").version')"
sed -e "s/{{VERSION}}/$version/g" -e "s/{{SHA256_LINUX_AMD64}}/$sha/" plugins/omnia-auth.yaml > "$out/omnia-auth.yaml"
