#!/usr/bin/env node
// `npm run bench`: does a HostFactory poll cost O(outstanding work), not O(history)?
// For SQLite and PostgreSQL: the same 10 outstanding requests (with machines) in an empty store and
// in a store that also holds 100,000 finished requests (a terminated machine each). Times the
// store part of a poll (listOutstanding + getMany + listByRequests + listLive) and a whole
// getRequestStatus script run over the 10 ids; exits 1 when history makes either over 2x slower.
// Also prints the cold start of one getAvailableTemplates script call, and the start-up table of
// every operation on both providers (bench/startup.mjs). Imports the built dist/.
//
// Env: HOSTFACTORY_BENCH_PG_URL (else HOSTFACTORY_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test),
// BENCH_HISTORY (default 100000), BENCH_SKIP_POSTGRES=1 to measure SQLite only.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openStore } from '../dist/infrastructure/storage/open-store.js';
import { BenchInstance, median } from './bench-instance.mjs';
import { analyzeStore, seedFinishedHistory } from './seed-history.mjs';
import { startupTable } from './startup.mjs';

const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const OUTSTANDING = 10;
const STORE_RUNS = 101;
const SCRIPT_RUNS = 9;
const COLD_START_RUNS = 5;
const MAX_RATIO = 2;
const PG_URL = process.env.HOSTFACTORY_BENCH_PG_URL ?? process.env.HOSTFACTORY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const log = (line) => process.stderr.write(`${line}\n`);
const schemas = [];

function postgresUrl(label) {
  const schema = `hf_bench_${label}_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function dropSchemas() {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One instance with OUTSTANDING running requests and, when `history`, HISTORY finished ones. */
async function prepare(kind, history) {
  const label = `${kind}-${history ? 'history' : 'empty'}`;
  const instance = new BenchInstance(label, kind === 'sqlite' ? (root) => `sqlite://${join(root, 'store.db')}` : () => postgresUrl(label.replace('-', '_')));
  const store = await openStore(instance.storeUrl);
  if (history) {
    const started = performance.now();
    await seedFinishedHistory(instance.storeUrl, HISTORY);
    log(`  ${label}: seeded ${HISTORY} finished requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const ids = await instance.outstandingRequests(OUTSTANDING);
  return { label, instance, store, ids };
}

/** The store reads getRequestStatus and requestMachines make on a poll of `ids`. */
async function storePoll({ store, ids }) {
  const started = performance.now();
  const outstanding = await store.requests.listOutstanding();
  const requests = await store.requests.getMany(ids);
  const machines = await store.machines.listByRequests(ids);
  const live = await store.machines.listLive();
  const ms = performance.now() - started;
  if (outstanding.length !== OUTSTANDING || requests.length !== OUTSTANDING || machines.length !== OUTSTANDING || live.length !== OUTSTANDING) {
    throw new Error(`unexpected poll: ${outstanding.length} outstanding, ${requests.length} requests, ${machines.length} machines, ${live.length} live`);
  }
  return ms;
}

async function scriptPoll({ instance, ids }) {
  const { json, ms } = await instance.script('getRequestStatus', { requests: ids.map((requestId) => ({ requestId })) });
  if (json.requests.some((request) => request.status !== 'running')) throw new Error('an outstanding request finished during the bench');
  return ms;
}

/** Alternates between the two setups so drift in machine load hits both alike; medians. */
async function compare(empty, full, runs, measure) {
  const times = { empty: [], full: [] };
  for (let run = 0; run < runs; run++) {
    times.empty.push(await measure(empty));
    times.full.push(await measure(full));
  }
  return { empty: median(times.empty), full: median(times.full) };
}

async function benchKind(kind) {
  log(`${kind}: preparing`);
  const empty = await prepare(kind, false);
  const full = await prepare(kind, true);
  try {
    for (let i = 0; i < 5; i++) await Promise.all([storePoll(empty), storePoll(full)]);
    const store = await compare(empty, full, STORE_RUNS, storePoll);
    const script = await compare(empty, full, SCRIPT_RUNS, scriptPoll);
    const rows = [
      { kind, what: `store reads of a poll (median of ${STORE_RUNS})`, ...store },
      { kind, what: `getRequestStatus script, ${OUTSTANDING} ids (median of ${SCRIPT_RUNS})`, ...script },
    ];
    if (kind === 'sqlite') {
      // The product never runs ANALYZE on SQLite, but an administrator may: with statistics the
      // planner must still use the partial indexes of the hot rows (migration 0002).
      for (const setup of [empty, full]) await analyzeStore(setup.instance.storeUrl);
      const analyzed = await compare(empty, full, STORE_RUNS, storePoll);
      rows.push({ kind, what: 'store reads after ANALYZE', ...analyzed });
    }
    return rows;
  } finally {
    for (const setup of [empty, full]) {
      await setup.store.close();
      setup.instance.remove();
    }
  }
}

async function coldStart() {
  const instance = new BenchInstance('cold');
  try {
    const times = [];
    for (let run = 0; run < COLD_START_RUNS; run++) times.push((await instance.script('getAvailableTemplates', {})).ms);
    return median(times);
  } finally {
    instance.remove();
  }
}

function table(rows) {
  const header = ['store', 'measure', 'empty ms', `${HISTORY} finished ms`, 'ratio'];
  const body = rows.map((r) => [r.kind, r.what, r.empty.toFixed(2), r.full.toFixed(2), (r.full / r.empty).toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [header, ...body].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

async function main() {
  const started = performance.now();
  const kinds = ['sqlite'];
  if (process.env.BENCH_SKIP_POSTGRES === '1') log('postgres: skipped (BENCH_SKIP_POSTGRES=1)');
  else if (await postgresReachable()) kinds.push('postgres');
  else throw new Error(`no PostgreSQL at ${PG_URL}: start it, set HOSTFACTORY_BENCH_PG_URL, or BENCH_SKIP_POSTGRES=1`);

  const rows = [];
  try {
    for (const kind of kinds) rows.push(...(await benchKind(kind)));
  } finally {
    await dropSchemas();
  }
  const cold = await coldStart();
  const startup = await startupTable();

  console.log(table(rows));
  console.log(`\ncold start, getAvailableTemplates script on the embedded default (median of ${COLD_START_RUNS}): ${cold.toFixed(0)} ms`);
  console.log(`\n${startup.lines.join('\n')}`);
  console.log(`start-up targets met: ${startup.total - startup.misses} of ${startup.total} (targets are reported, not enforced: they depend on the machine's load)`);
  console.log(`total bench time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const slow = rows.filter((r) => r.full / r.empty > MAX_RATIO);
  for (const r of slow) console.log(`FAIL: ${r.kind} ${r.what}: ${(r.full / r.empty).toFixed(2)}x slower with history (limit ${MAX_RATIO}x)`);
  if (slow.length === 0) console.log(`OK: every poll with ${HISTORY} finished requests within ${MAX_RATIO}x of the empty store`);
  return slow.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    dropSchemas().finally(() => process.exit(1));
  },
);
