"""Rebuild templates/plotly-report.min.js: plotly.js with only the trace types the report draws.

The report embeds plotly.js once (cxlib.outputs.report.plotly_js); plotly's full bundle is
4.8 MB, and Chromium spends about a second of CPU evaluating it before the first chart
draws. This bundle holds plotly.js's core (which has the scatter trace) and TRACES, 1.5 MB.
It is built from the plotly.js release the installed plotly package bundles, the way
plotly.js builds its own dist files (its esbuild-config.js: esbuild with its inline-CSS,
GLSL and environment plugins, at the versions its package.json asks for), in a temporary
folder, and headed by plotly.js's licence (MIT) and the list of its trace types, which the
report reads. Needs node and npm; running cx-workbook does not (the bundle is committed).
Run after upgrading plotly, or when a chart of cxlib.outputs.charts uses a new trace type
(until then the report falls back to the full bundle): python bench/plotly_bundle.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import plotly.offline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlib.outputs.report import PLOTLY_BUNDLE, PLOTLY_TRACES_TAG  # noqa: E402

#: The trace types cxlib.outputs.charts draws (scatter comes with plotly.js's core).
TRACES = ("bar", "heatmap", "histogram", "sankey", "scatter", "scatterpolar")
PLUGINS = ("esbuild", "esbuild-plugin-environment", "esbuild-plugin-glsl",
           "esbuild-plugin-inline-css")
BUILD = """
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
esbuild.build({
    entryPoints: ['./entry.js'], outfile: 'bundle.min.js', format: 'iife', globalName: 'Plotly',
    bundle: true, minify: true, sourcemap: false, target: 'es2016', logLevel: 'warning',
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' }
}).catch(() => process.exit(1));
"""


def main() -> None:
    version = plotly.offline.get_plotlyjs_version()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        npm = ["npm", "--prefix", tmp, "--no-audit", "--no-fund", "--loglevel=error"]
        (work / "package.json").write_text('{"private": true}\n')
        subprocess.run([*npm, "install", f"plotly.js@{version}"], check=True)
        package = work / "node_modules" / "plotly.js"
        wanted = json.loads((package / "package.json").read_text())["devDependencies"]
        subprocess.run([*npm, "install", *(f"{p}@{wanted[p]}" for p in PLUGINS)], check=True)
        modules = ",\n    ".join(f"require('plotly.js/lib/{t}')" for t in TRACES if t != "scatter")
        (work / "entry.js").write_text(f"var Plotly = require('plotly.js/lib/core');\n"
                                       f"Plotly.register([\n    {modules}\n]);\n"
                                       f"module.exports = Plotly;\n")
        (work / "build.js").write_text(BUILD)
        subprocess.run(["node", "build.js"], cwd=tmp, check=True)
        licence = (package / "LICENSE").read_text().strip().replace("*/", "* /")
        body = (work / "bundle.min.js").read_text()
    full = plotly.offline.get_plotlyjs()
    banner = full[:full.index("*/") + 2]          # "plotly.js vX, Copyright ..., MIT"
    head = (f"{banner}\n/* {PLOTLY_TRACES_TAG} {' '.join(TRACES)}\n"
            f"   A partial bundle of plotly.js v{version} (npm), its code unchanged, made by "
            f"cx-workbook's bench/plotly_bundle.py.\n\n{licence}\n*/\n")
    PLOTLY_BUNDLE.write_text(head + body, encoding="utf-8")
    print(f"{PLOTLY_BUNDLE}: plotly.js v{version}, {len(head) + len(body):,} characters, "
          f"traces {', '.join(TRACES)}")


if __name__ == "__main__":
    main()
