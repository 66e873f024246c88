#!/usr/bin/env node
// Type-checks Grafana dashboard JSON files against Grafana's own published
// TypeScript types (@grafana/schema, pinned in package.json), with `tsc --strict`.
//
//   node tests/grafana/check.mjs FILE.json [FILE.json...]
//
// Prints `ok FILE` per passing file, or tsc's errors as `FILE:LINE:COL: ...`.
// Exit: 0 all pass, 1 some file fails the type check, 2 usage error.
//
// Why not just `import d from "./x.json"`? A JSON module gets a widened type
// and no excess-property checks, so a misspelt key would pass. Instead each
// JSON text is pasted verbatim into a .ts file as an object literal, which
// keeps excess-property checks and keeps JSON line/column numbers (offset by
// a fixed number of header lines).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaDir = path.join(here, 'node_modules', '@grafana', 'schema');
const tscBin = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');

function usage(msg) {
  console.error(`check.mjs: ${msg}`);
  process.exit(2);
}

const files = process.argv.slice(2);
if (files.length === 0) usage('usage: node tests/grafana/check.mjs FILE.json [FILE.json...]');
if (!fs.existsSync(path.join(schemaDir, 'package.json')) || !fs.existsSync(tscBin)) {
  usage('node_modules missing: run `npm ci --prefix tests/grafana` first');
}

// Read and validate every file before touching tsc: bad input is a usage error.
const texts = files.map((file) => {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    usage(`cannot read ${file}: ${e.message}`);
  }
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('top level is not an object');
  } catch (e) {
    usage(`invalid JSON in ${file}: ${e.message}`);
  }
  return text;
});

// The Dashboard type leaves a panel's `options` and `fieldConfig.defaults.custom` open
// (Record<string, unknown>); each panel plugin publishes its own types for them. Every panel of a
// known type gets its options (and custom field config, where the plugin has one) checked against
// those, as fresh object literals, so misspelt keys fail too. Panel type → package directory.
const PANEL_TYPES = {
  timeseries: 'timeseries', stat: 'stat', gauge: 'gauge', piechart: 'piechart',
  barchart: 'barchart', 'state-timeline': 'statetimeline', heatmap: 'heatmap', table: 'table',
};
const CUSTOM = new Set(['timeseries', 'piechart', 'barchart', 'state-timeline', 'heatmap', 'table']);

// `Dashboard` is the classic dashboard JSON model (schemaVersion 42 era), the
// package root's re-export of veneer/dashboard.types, which wraps
// raw/dashboard/x/types.gen. Grafana declares enums such as ThresholdsMode as
// TypeScript string enums, which a JSON string never satisfies; Json<T> swaps
// each string enum for the union of its literal values (`${E}`), so a wrong
// value still fails, and plain `string` stays `string`. Numeric enums
// (graphTooltip, variable refresh/hide/sort) need no help: TypeScript accepts
// a number literal that is one of the enum's values and rejects any other.
const PRELUDE = `import type { Dashboard as GrafanaDashboard } from '@grafana/schema';
export type Json<T> = T extends string ? \`\${T}\`
  : T extends (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;
export type Dashboard = Json<GrafanaDashboard>;
${Object.entries(PANEL_TYPES).map(([type, dir]) => {
  const from = `'@grafana/schema/dist/types/raw/composable/${dir}/panelcfg/x/types.gen'`;
  const id = dir;
  return `import type { Options as ${id}Options${CUSTOM.has(type) ? `, FieldConfig as ${id}FieldConfig` : ''} } from ${from};
export type Options_${id} = Json<${id}Options>;${CUSTOM.has(type) ? `\nexport type Custom_${id} = Json<${id}FieldConfig>;` : ''}`;
}).join('\n')}
`;
// Each generated file: HEADER lines, then the JSON text verbatim from column 1.
const HEADER = `import type { Dashboard } from './prelude.js';\nexport const dashboard = (\n`;
const HEADER_LINES = 2;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-check-'));
let status;
try {
  fs.writeFileSync(path.join(tmp, 'prelude.ts'), PRELUDE);
  // Per file, the panel blocks appended after the dashboard: [first line, what it is].
  const blocks = texts.map(() => []);
  const names = texts.map((text, i) => {
    const name = `dashboard${i}.ts`;
    let body = `${HEADER}${text}\n) satisfies Dashboard;\n`;
    let line = body.split('\n').length;
    const imports = new Set();
    for (const panel of JSON.parse(text).panels ?? []) {
      const dir = PANEL_TYPES[panel.type];
      if (!dir) continue;
      const parts = [['options', panel.options ?? {}, `Options_${dir}`]];
      if (CUSTOM.has(panel.type)) parts.push(['fieldConfig.defaults.custom', panel.fieldConfig?.defaults?.custom ?? {}, `Custom_${dir}`]);
      for (const [what, value, type] of parts) {
        imports.add(type);
        const literal = JSON.stringify(value, null, 2);
        blocks[i].push([line, `panel ${panel.id} (${panel.title}) ${what}`]);
        body += `export const panel${panel.id}_${what.replace(/\W/g, '_')} = (${literal}) satisfies ${type};\n`;
        line += literal.split('\n').length;
      }
    }
    const importLine = imports.size ? `import type { ${[...imports].join(', ')} } from './prelude.js';\n` : '';
    // The import goes last, so that the dashboard's line numbers stay those of its JSON.
    fs.writeFileSync(path.join(tmp, name), body + importLine);
    return name;
  });
  // A tsconfig, because `paths` (how the temp dir finds the pinned
  // @grafana/schema outside any node_modules walk-up) has no CLI flag.
  fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      noEmit: true,
      strict: true,
      target: 'es2022',
      module: 'preserve',
      moduleResolution: 'bundler',
      paths: { '@grafana/schema': [schemaDir], '@grafana/schema/*': [`${schemaDir}/*`] },
      types: [], // no ambient @types from anywhere
      skipLibCheck: true, // check our dashboards, not Grafana's .d.ts files
      pretty: false, // one `file(line,col): error ...` line per diagnostic
    },
    files: ['prelude.ts', ...names],
  }));
  const tsc = spawnSync(process.execPath, [tscBin, '-p', path.join(tmp, 'tsconfig.json')], { cwd: tmp, encoding: 'utf8' });
  if (tsc.error) throw tsc.error;

  // Attribute each diagnostic (and its indented continuation lines) to its JSON file.
  const errors = files.map(() => []);
  const other = [];
  let current = other;
  for (const line of `${tsc.stdout}${tsc.stderr}`.split('\n')) {
    if (line === '') continue;
    const m = /^dashboard(\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
    if (m) {
      const i = Number(m[1]);
      const jsonLine = Number(m[2]) - HEADER_LINES;
      const jsonLines = texts[i].split('\n').length;
      const block = blocks[i].findLast(([first]) => first <= Number(m[2]));
      const where = jsonLine >= 1 && jsonLine <= jsonLines ? `${jsonLine}:${m[3]}`
        : block && Number(m[2]) > jsonLines + HEADER_LINES ? block[1] : 'top level';
      current = errors[i];
      current.push(`${files[i]}:${where}: ${m[4]}`);
    } else if (/^\S/.test(line)) {
      current = other; // a diagnostic not in a dashboard file (should not happen)
      other.push(line);
    } else {
      current.push(line);
    }
  }
  files.forEach((file, i) => {
    if (errors[i].length === 0 && other.length === 0) console.log(`ok ${file}`);
    else for (const e of errors[i]) console.log(e);
  });
  for (const e of other) console.log(e);
  if (tsc.status !== 0 && !`${tsc.stdout}${tsc.stderr}`.trim()) console.log(`tsc exited with status ${tsc.status}`);
  status = tsc.status === 0 ? 0 : 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(status);
