#!/usr/bin/env bash
# How the files in vendor/ were obtained: exact npm packages, checked against the sha256 of
# their tarballs, of which only the few files the slides and the HTML pages load are kept.
# Needs the npm client and the npm registry. `make slides` and `make html` never run it: they
# use the committed copies. Run it (`make vendor`) only to change a version, then update the
# versions and checksums below and the table in vendor/README.md.
set -euo pipefail
cd "$(dirname "$0")"

REVEAL_VERSION=6.0.2
REVEAL_SHA256=2f0c20bfb02447a198a1ebe8a8c097a5437d035caa38f2820bf4ba887a3eac91
KATEX_VERSION=0.19.1
KATEX_SHA256=24da5a599eb2fcede2e270b99a6ff48bca816beecc95feeb84e8cccbd1bb34fd
# the live figures: the versions altair (requirements.txt) writes its specifications for
# (altair.VEGA_VERSION, VEGALITE_VERSION, VEGAEMBED_VERSION)
VEGA_VERSION=5.33.1
VEGA_SHA256=1b8504b6731c5311be3269c4d84ca996a5cc293bc772283293ede20c490e16c3
VEGALITE_VERSION=5.20.1
VEGALITE_SHA256=56063762b5419556467cf0acfd5572a8476d1423a683f9574987dc65cc04d8ee
VEGAEMBED_VERSION=6.29.0
VEGAEMBED_SHA256=ecf1ee709c2bac9e0a4ead6908114b05b62c71493e10a8a4308109bb070f8eb1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "reveal.js@$REVEAL_VERSION" "katex@$KATEX_VERSION" \
  "vega@$VEGA_VERSION" "vega-lite@$VEGALITE_VERSION" "vega-embed@$VEGAEMBED_VERSION" >/dev/null)
(cd "$tmp" && sha256sum --check --quiet <<SUMS
$REVEAL_SHA256  reveal.js-$REVEAL_VERSION.tgz
$KATEX_SHA256  katex-$KATEX_VERSION.tgz
$VEGA_SHA256  vega-$VEGA_VERSION.tgz
$VEGALITE_SHA256  vega-lite-$VEGALITE_VERSION.tgz
$VEGAEMBED_SHA256  vega-embed-$VEGAEMBED_VERSION.tgz
SUMS
)
mkdir "$tmp/reveal" "$tmp/katex"
tar -xzf "$tmp/reveal.js-$REVEAL_VERSION.tgz" -C "$tmp/reveal" --strip-components=1
tar -xzf "$tmp/katex-$KATEX_VERSION.tgz" -C "$tmp/katex" --strip-components=1

# reveal.js: the core, the white theme (its Source Sans Pro font is embedded in the stylesheet,
# hence the font's own licence) and the speaker-notes plugin, in the package's dist/ layout.
rm -rf reveal.js
for f in dist/reveal.js dist/reveal.css dist/theme/white.css dist/plugin/notes.js LICENSE; do
  install -D -m 644 "$tmp/reveal/$f" "reveal.js/$f"
done
install -m 644 "$tmp/reveal/css/theme/fonts/source-sans-pro/LICENSE" reveal.js/LICENSE.source-sans-pro

# KaTeX: the renderer, its stylesheet, the auto-render extension and the WOFF2 fonts (every
# browser that runs reveal.js reads WOFF2, so the stylesheet's WOFF and TTF fallbacks are
# never requested and are left out).
rm -rf katex
for f in katex.min.js katex.min.css contrib/auto-render.min.js; do
  install -D -m 644 "$tmp/katex/dist/$f" "katex/$f"
done
install -D -m 644 -t katex/fonts "$tmp/katex/dist/fonts/"*.woff2
install -m 644 "$tmp/katex/LICENSE" katex/LICENSE

# vega, vega-lite and vega-embed: their minified browser builds, side by side in vendor/vega/,
# and their licences (vega's tarball has no LICENSE file; its package.json names the licence).
rm -rf vega
for pv in "vega@$VEGA_VERSION" "vega-lite@$VEGALITE_VERSION" "vega-embed@$VEGAEMBED_VERSION"; do
  p=${pv%@*}
  mkdir "$tmp/$p"
  tar -xzf "$tmp/$p-${pv#*@}.tgz" -C "$tmp/$p" --strip-components=1
  install -D -m 644 "$tmp/$p/build/$p.min.js" "vega/$p.min.js"
done
install -m 644 "$tmp/vega/package.json" vega/package.vega.json
install -m 644 "$tmp/vega-lite/LICENSE" vega/LICENSE.vega-lite
install -m 644 "$tmp/vega-embed/LICENSE" vega/LICENSE.vega-embed
echo "vendor/: reveal.js $REVEAL_VERSION, KaTeX $KATEX_VERSION, vega $VEGA_VERSION," \
  "vega-lite $VEGALITE_VERSION, vega-embed $VEGAEMBED_VERSION"
