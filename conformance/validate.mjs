#!/usr/bin/env node
// aksnet ARM traffic conformance driver: checks recorded ARM exchanges against the OpenAPI specs
// vendored in ./specification with oav's LiveValidator (the validator Azure's own live
// validation uses). scripts/validate-traffic.sh installs oav and runs this file.
//
// usage: node conformance/validate.mjs TRAFFIC_DIR|FILE...
//   Every *.json under the given directories (or the given files) is one exchange:
//   {"liveRequest": {method, url, headers, body}, "liveResponse": {statusCode, headers, body}}.
// exit: 0  at least one exchange checked, every one matched an operation, every spec loaded,
//          no error
//       1  findings
//       2  usage or setup problem (no oav, unreadable input, ...)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const OAV_VERSION = "4.0.3";
const here = path.dirname(fileURLToPath(import.meta.url));
const specRoot = here; // oav wants the folder that holds specification/

function die(msg) {
  process.stderr.write(`conformance: ${msg}\n`);
  process.exit(2);
}

// oav is not a dependency of the repository root: it lives in .tools/conformance
// (scripts/install-conformance.sh). AKSNET_OAV_MODULES points elsewhere when needed.
function loadOav() {
  const modules = process.env.AKSNET_OAV_MODULES || path.join(here, "..", ".tools", "conformance", "node_modules");
  const base = path.join(modules, "oav");
  const require = createRequire(path.join(modules, "_"));
  let version;
  try {
    version = require(path.join(base, "package.json")).version;
  } catch {
    die(`oav is not installed in ${modules} (run scripts/install-conformance.sh)`);
  }
  if (version !== OAV_VERSION) die(`oav ${OAV_VERSION} expected, found ${version} in ${base}`);
  // The public entry point does not export LiveValidator's options we need (isArmCall, no git).
  return require(path.join(base, "dist/lib/liveValidation/liveValidator.js")).LiveValidator;
}

function jsonFiles(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch (e) {
    die(`cannot read ${p}: ${e.message}`);
  }
  if (!st.isDirectory()) return [p];
  return fs
    .readdirSync(p, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".json"))
    .map((d) => path.join(d.parentPath ?? d.path, d.name))
    .sort();
}

// Entry specs are the files that define operations. common-types, network.json and the
// placeholder stubs only define objects; oav loads them through $ref.
function scanSpecs() {
  const entries = [];
  const stubs = [];
  for (const f of jsonFiles(path.join(specRoot, "specification"))) {
    let spec;
    try {
      spec = JSON.parse(fs.readFileSync(f, "utf8"));
    } catch (e) {
      die(`spec file ${rel(f, specRoot)} is not valid JSON: ${e.message}`);
    }
    if (spec["x-aksnet-stub"]) stubs.push(f);
    else if (Object.keys(spec.paths ?? {}).length > 0) entries.push(f);
  }
  return { entries, stubs };
}

const rel = (p, base) => (p && !path.relative(base, p).startsWith("..") ? path.relative(base, p) : p ?? "");
const oneLine = (s) => String(s ?? "").replace(/\s+/g, " ").trim().slice(0, 300);

async function main() {
  const inputs = process.argv.slice(2);
  if (inputs.length === 0 || inputs.some((a) => a.startsWith("-"))) {
    die("usage: node conformance/validate.mjs TRAFFIC_DIR|FILE...");
  }
  const traffic = inputs.flatMap((p) => jsonFiles(path.resolve(p)));
  // Name exchanges relative to the folder they share (conformance.sh passes hundreds of files).
  let trafficBase = traffic.length ? path.dirname(traffic[0]) : process.cwd();
  while (traffic.some((f) => path.relative(trafficBase, f).startsWith(".."))) trafficBase = path.dirname(trafficBase);
  const LiveValidator = loadOav();
  const { entries, stubs } = scanSpecs();

  // Why a spec did not load or compile, by absolute path; oav only logs it and carries on.
  const loadErrors = new Map();
  const lv = new LiveValidator(
    {
      directory: specRoot,
      swaggerPaths: [...entries], // oav consumes this array
      git: { shouldClone: false },
      isPathCaseSensitive: false,
      // Build every schema validator up front so a spec that cannot compile is a load failure
      // here, not a runtime exception on whichever exchange happens to use it first.
      loadValidatorInInitialize: true,
      loadValidatorInBackground: false,
      isArmCall: true,
    },
    (message) => {
      const m = /^(?:Unable to initialize "(.+?)" file|Failed to build validator for spec (.+?)\.\n)[^]*?ErrorMessage: ?([^\n]*)/.exec(message);
      if (m) loadErrors.set(path.resolve(specRoot, m[1] ?? m[2]), oneLine(m[3]).slice(0, 200));
    },
  );

  // oav files an operation under the spec's info.version, but the Network 2025-01-01 files
  // still say 2024-10-01 (copied from the previous release), so 2025-01-01 traffic would match
  // nothing. The folder is the api-version a file is published as; use that. Hooking the cache
  // also tells us which entry specs really loaded.
  const loaded = new Set();
  const retagged = [];
  const addSpecToCache = lv.operationSearcher.addSpecToCache.bind(lv.operationSearcher);
  lv.operationSearcher.addSpecToCache = (spec) => {
    loaded.add(path.resolve(specRoot, spec._filePath)); // _filePath is relative to specRoot
    const folder = /[\\/](?:stable|preview)[\\/](\d{4}-\d{2}-\d{2}(?:-preview)?)[\\/]/.exec(spec._filePath)?.[1];
    if (folder && spec.info.version !== folder) {
      retagged.push(`${rel(spec._filePath, specRoot)} (info.version ${spec.info.version})`);
      spec.info.version = folder;
    }
    return addSpecToCache(spec);
  };
  await lv.initialize();
  const notLoaded = entries.filter((f) => !loaded.has(path.resolve(f)) || loadErrors.has(path.resolve(f)));

  const exchanges = [];
  const errors = [];
  for (const file of traffic) {
    const ex = { file: rel(file, trafficBase), operation: undefined };
    exchanges.push(ex);
    const add = (side, code, message, where = "", schema = "") => errors.push({ file: ex.file, side, code, message, where, schema });
    let pair;
    try {
      pair = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      add("file", "INVALID_TRAFFIC_FILE", e.message);
      continue;
    }
    const { liveRequest: req, liveResponse: rsp } = pair ?? {};
    if (typeof req?.url !== "string" || !req.method || rsp?.statusCode === undefined) {
      add("file", "INVALID_TRAFFIC_FILE", "expected {liveRequest: {method, url, ...}, liveResponse: {statusCode, ...}}");
      continue;
    }
    // oav compares status codes as strings and needs header objects.
    const result = await lv.validateLiveRequestResponse({
      liveRequest: { ...req, headers: req.headers ?? {} },
      liveResponse: { ...rsp, statusCode: String(rsp.statusCode), headers: rsp.headers ?? {} },
    });
    const info = result.requestValidationResult?.operationInfo ?? {};
    if (info.operationId && info.operationId !== "unknownOperationId") {
      ex.operation = `${info.operationId} (${info.apiVersion})`;
    }
    if (result.runtimeException) add("exchange", result.runtimeException.code, oneLine(result.runtimeException.message));
    // An unmatched operation is reported on both sides; once is enough.
    const seen = new Set();
    for (const [side, r] of [["request", result.requestValidationResult], ["response", result.responseValidationResult]]) {
      const rt = r?.runtimeException;
      if (rt && !seen.has(rt.code + rt.message)) {
        seen.add(rt.code + rt.message);
        add(side, rt.code, oneLine(rt.message));
      }
      for (const e of r?.errors ?? []) {
        const where = (e.jsonPathsInPayload?.length ? e.jsonPathsInPayload : e.pathsInPayload ?? []).join(", ");
        const src = e.source?.url ? `${rel(e.source.url, specRoot)}${e.source.position ? `#L${e.source.position.line}` : ""}` : "";
        add(side, e.code, oneLine(e.message), where, src);
      }
    }
  }

  const unmatched = exchanges.filter((e) => !e.operation);
  const out = [`ARM traffic conformance (oav ${OAV_VERSION}, specs in ${rel(path.join(specRoot, "specification"), process.cwd())})`];
  out.push(`spec files loaded: ${entries.length - notLoaded.length}/${entries.length}`);
  for (const f of notLoaded) out.push(`  NOT LOADED: ${rel(f, specRoot)}: ${loadErrors.get(path.resolve(f)) ?? "see oav"}`);
  if (stubs.length) out.push(`  note: ${stubs.length} placeholder files (x-aksnet-stub), objects they define are not checked`);
  for (const r of retagged) out.push(`  note: api-version from the folder for ${r}`);
  out.push(`exchanges checked: ${exchanges.length}`);
  out.push(`operations matched: ${exchanges.length - unmatched.length}/${exchanges.length}`);
  const byOp = new Map();
  for (const e of exchanges) if (e.operation) byOp.set(e.operation, (byOp.get(e.operation) ?? 0) + 1);
  for (const [op, n] of [...byOp].sort()) out.push(`  ${op} x${n}`);
  if (unmatched.length) {
    out.push(`unmatched exchanges: ${unmatched.length}`);
    for (const e of unmatched) out.push(`  ${e.file}`);
  }
  out.push(`errors: ${errors.length}`);
  const codes = [...new Set(errors.map((e) => e.code))].sort();
  for (const code of codes) {
    const group = errors.filter((e) => e.code === code);
    out.push(`  ${code}: ${group.length}`);
    for (const e of group) {
      out.push(`    ${e.file} [${e.side}]${e.where ? ` at ${e.where}` : ""}: ${e.message}${e.schema ? ` (${e.schema})` : ""}`);
    }
  }
  const pass = exchanges.length > 0 && unmatched.length === 0 && notLoaded.length === 0 && errors.length === 0;
  out.push(pass ? "RESULT: PASS" : "RESULT: FAIL");
  process.stdout.write(out.join("\n") + "\n");
  process.exit(pass ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`conformance: unexpected failure: ${e?.stack ?? e}\n`);
  process.exit(2);
});
