#!/usr/bin/env bash
# The debug build `make run` serves: the steps `cargo leptos build` takes for
# a debug site, run with plain cargo and wasm-bindgen. A newcomer's first
# `make run` then does not wait for cargo-leptos' own install (~540 crates,
# half of the compiling before the first page); the release build, the tests
# and the benchmarks use cargo-leptos. Names and features are those of
# [package.metadata.leptos] in Cargo.toml.
#   scripts/dev-site.sh   → target/debug/webhook-admin and target/site/
set -euo pipefail
cd "$(dirname "$0")/.."

name=webhook-admin
site=target/site
pkg=$site/pkg

# The client in a target directory of its own, where cargo-leptos builds it.
cargo build --lib --target wasm32-unknown-unknown --target-dir target/front \
    --no-default-features --features hydrate
cargo build --bin "$name" --no-default-features --features ssr

# A fresh pkg/: a release build leaves precompressed copies (.br, .gz) that
# the server would send browsers instead of these files.
rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen --target web --out-name "$name" --out-dir "$pkg" --no-typescript \
    "target/front/wasm32-unknown-unknown/debug/${name//-/_}.wasm"
# leptos' hydration scripts load <name>.wasm, as cargo-leptos names it.
mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"
cp style/main.css "$pkg/$name.css"
cp -R public/. "$site/"
