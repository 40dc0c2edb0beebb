// Builds static/vendor/plotly/ from the plotly.js pinned in package-lock.json: one bundle for
// pages with charts only and one that adds the MapLibre camera map. esbuild's output depends
// only on its inputs, so the same lock rebuilds the same bytes (scripts/build_plotly.sh checks).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'static', 'vendor', 'plotly');
const require = createRequire(import.meta.url);
const plotlyVersion = require('plotly.js/package.json').version;
const maplibreVersion = require('maplibre-gl/package.json').version;

const bundles = {
    'plotly-charts.min.js': { entry: 'charts.js', traces: 'scatter, bar, sunburst' },
    'plotly-maps.min.js': { entry: 'maps.js', traces: 'scatter, bar, sunburst, scattermap' },
};

// maplibre-gl's stylesheet, which plotly requires when the map trace registers, becomes a
// <style> element added once, as plotly's own builds do (the CSP allows inline styles).
const inlineCss = {
    name: 'inline-css',
    setup(build) {
        build.onLoad({ filter: /\.css$/ }, (args) => {
            const css = readFileSync(args.path, 'utf8');
            const id = createHash('sha256').update(css).digest('hex');
            const contents = `if (!document.getElementById(${JSON.stringify(id)})) {
  var style = document.createElement('style');
  style.id = ${JSON.stringify(id)};
  style.textContent = ${JSON.stringify(css)};
  document.head.appendChild(style);
}`;
            return { contents, loader: 'js' };
        });
    },
};

mkdirSync(out, { recursive: true });
for (const [name, { entry, traces }] of Object.entries(bundles)) {
    await esbuild.build({
        entryPoints: [join(here, entry)],
        outfile: join(out, name),
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        target: 'es2016',
        // As plotly.js's own esbuild-config.js (its aliases only matter for the WebGL traces).
        define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
        plugins: [inlineCss],
        legalComments: 'none',
        banner: {
            js:
                `/*! plotly.js v${plotlyVersion} (MIT, LICENSE.plotly.js.txt), partial bundle: ${traces}` +
                (name.includes('maps') ? `; maplibre-gl v${maplibreVersion} (BSD-3-Clause, LICENSE.maplibre-gl.txt)` : '') +
                '. Built by scripts/build_plotly.sh. */',
        },
        logLevel: 'warning',
    });
}
copyFileSync(require.resolve('plotly.js/LICENSE'), join(out, 'LICENSE.plotly.js.txt'));
copyFileSync(join(dirname(require.resolve('maplibre-gl/package.json')), 'LICENSE.txt'), join(out, 'LICENSE.maplibre-gl.txt'));
writeFileSync(
    join(out, 'VERSION'),
    `plotly.js ${plotlyVersion}\nmaplibre-gl ${maplibreVersion}\n`,
);
