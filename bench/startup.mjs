// The start-up table of `npm run bench` (issue 10, part 1): each HostFactory operation run cold
// through its real script, on the simulated cloud and on the AWS provider (against the test suite's
// fake EC2 endpoint, bundled here from test/support), as a ratio to bare `node -e ''` measured in
// the same run. Targets: a call that sends no cloud request <= 2.5x bare node; one that does <= the
// bare SDK floor (node + import @aws-sdk/client-ec2 + construct its client) + 25%. The same calls
// again through `hostfactory serve`: by the scripts with curl (no node started; target <= 0.5x) and
// by the small node client (target <= 1.5x).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { BenchInstance, median, REPO } from './bench-instance.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const NO_CALL_LIMIT = 2.5;
const FLOOR_MARGIN = 1.25;
const CURL_LIMIT = 0.5;
const CLIENT_LIMIT = 1.5;
const CLI = join(REPO, 'dist/bundle/hostfactory.js');
const CLIENT = join(REPO, 'dist/bundle/hostfactory-client.js');
const IMAGE_ID = 'ami-0f3caa1cf4417e51b';

const AWS_TEMPLATE = {
  templateId: 'RunInstances-OnDemand',
  maxNumber: -1,
  attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '8192'] },
  imageId: IMAGE_ID,
  subnetId: 'subnet-0a1b2c3d4e5f60718',
  securityGroupIds: ['sg-0123456789abcdef0'],
  vmType: 't3.small',
  priceType: 'ondemand',
};

/** Milliseconds one child process takes, start to exit. */
function timeProcess(command, args, options = {}) {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { timeout: 60_000, ...options }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stdout}${stderr}`));
      else resolvePromise(performance.now() - started);
    });
  });
}

async function medianOf(measure) {
  const times = [];
  for (let run = 0; run < RUNS; run += 1) times.push(await measure());
  return median(times);
}

/** The test suite's fake EC2 endpoint, bundled to plain JS so the bench (no TypeScript runner) can start it. */
async function startFakeEndpoint(dir) {
  const file = join(dir, 'fake-ec2-server.mjs');
  await build({ input: join(REPO, 'test/support/fake-ec2-server.ts'), platform: 'node', output: { file, format: 'esm' }, logLevel: 'silent' });
  const { FakeEc2Server } = await import(pathToFileURL(file).href);
  const server = new FakeEc2Server(Date.now, { [IMAGE_ID]: '/dev/xvda' }, { transitionMs: 200 });
  return { server, url: await server.start() };
}

/** A provider instance named `aws` whose config points at the fake endpoint; no scheduled sweep. */
function awsInstance(endpoint) {
  const instance = new BenchInstance('startup-aws');
  const confDir = join(instance.root, 'aws-conf');
  const credentials = join(instance.root, 'credentials');
  writeFileSync(credentials, '[default]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = bench\n');
  mkdirSync(confDir, { recursive: true });
  writeFileSync(
    join(confDir, 'awsprov_config.json'),
    JSON.stringify({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint, AWS_CREDENTIAL_FILE: credentials, RECONCILE_INTERVAL_SEC: 0, LOG_LEVEL: 'warn' }),
  );
  writeFileSync(join(confDir, 'awsprov_templates.json'), JSON.stringify({ templates: [AWS_TEMPLATE] }));
  instance.env = { ...instance.env, HF_PROVIDER_NAME: 'aws', HF_PROVIDER_CONFDIR: confDir, AWS_EC2_METADATA_DISABLED: 'true' };
  return { instance, templateId: AWS_TEMPLATE.templateId };
}

/** The embedded default, with hosts that boot in a second (BenchInstance keeps them pending for a day). */
function simInstance() {
  const instance = new BenchInstance('startup-sim');
  const configFile = join(instance.env.HF_PROVIDER_CONFDIR, 'simprov_config.json');
  writeFileSync(configFile, JSON.stringify({ PROVIDER_TYPE: 'sim', LOG_LEVEL: 'warn', SIM_BOOT_DELAY_SEC: 1, SIM_SHUTDOWN_DELAY_SEC: 1, RECONCILE_INTERVAL_SEC: 0 }));
  const templatesFile = join(instance.env.HF_PROVIDER_CONFDIR, 'simprov_templates.json');
  const templates = JSON.parse(readFileSync(templatesFile, 'utf8'));
  // Every run launches a host: room for all of them.
  for (const template of templates.templates) template.maxNumber = -1;
  writeFileSync(templatesFile, JSON.stringify(templates));
  return { instance, templateId: 'OnDemand-Small' };
}

async function untilComplete(instance, requestId) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const { json } = await instance.script('getRequestStatus', { requests: [{ requestId }] });
    if (json.requests[0].status !== 'running') return json.requests[0];
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
  }
  throw new Error(`${requestId} did not complete`);
}

/** `hostfactory serve` for the instance, once its ready line is out; `stop()` sends SIGTERM and waits. */
function startServer(instance) {
  const child = spawn(process.execPath, [CLI, '--json', 'serve'], { env: instance.env, stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolvePromise({ stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) });
    });
  });
}

/** One call through the small node client (what the scripts run when curl is not on PATH). */
function timeClient(instance, operation, input) {
  const file = join(instance.root, `client-${operation}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(input));
  return timeProcess(process.execPath, [CLIENT, operation, '-f', file], { env: instance.env });
}

/**
 * Cold times of every operation for one provider instance; `calls` says which send a cloud request.
 * `time(operation, input)` measures one call (the scripts, or the node client).
 */
async function operationTimes({ instance, templateId }, time = async (operation, input) => (await instance.script(operation, input)).ms) {
  const timeScript = time;
  const launch = async () => (await instance.script('requestMachines', { template: { templateId, machineCount: 1 } })).json.requestId;
  const rows = [];
  rows.push({ operation: 'getAvailableTemplates', calls: false, ms: await medianOf(() => timeScript('getAvailableTemplates', {})) });
  rows.push({ operation: 'requestMachines', calls: true, ms: await medianOf(() => timeScript('requestMachines', { template: { templateId, machineCount: 1 } })) });
  // A fresh request for each run: its first poll is the one that asks the cloud (later ones may be answered from the store).
  rows.push({ operation: 'getRequestStatus (first poll)', calls: true, ms: await medianOf(async () => timeScript('getRequestStatus', { requests: [{ requestId: await launch() }] })) });
  const done = await untilComplete(instance, await launch());
  rows.push({ operation: 'getRequestStatus (complete)', calls: false, ms: await medianOf(() => timeScript('getRequestStatus', { requests: [{ requestId: done.requestId }] })) });
  const held = done.machines.map((machine) => ({ name: machine.name, machineId: machine.machineId }));
  rows.push({ operation: 'getReturnRequests (1 host)', calls: true, ms: await medianOf(() => timeScript('getReturnRequests', { machines: held })) });
  const returns = [];
  for (let run = 0; run < RUNS; run += 1) {
    const machine = (await untilComplete(instance, await launch())).machines[0];
    returns.push(await timeScript('requestReturnMachines', { machines: [{ name: machine.name, machineId: machine.machineId }] }));
  }
  rows.push({ operation: 'requestReturnMachines', calls: true, ms: median(returns) });
  return rows;
}

/** The start-up table; resolves to { lines, total, misses }. */
export async function startupTable() {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-startup-'));
  const { server, url } = await startFakeEndpoint(dir);
  const instances = [];
  try {
    const bare = await medianOf(() => timeProcess(process.execPath, ['-e', '']));
    const floor = await medianOf(() =>
      timeProcess(process.execPath, ['--input-type=module', '-e', "const m = await import('@aws-sdk/client-ec2'); new m.EC2Client({ region: 'us-east-1' });"], { cwd: REPO }),
    );
    const sim = simInstance();
    const aws = awsInstance(url);
    instances.push(sim.instance, aws.instance);
    const results = [];
    for (const [provider, setup] of [['sim', sim], ['aws', aws]]) {
      for (const row of await operationTimes(setup)) results.push({ provider, path: 'in-process', ...row, calls: provider === 'aws' && row.calls });
      const served = await startServer(setup.instance);
      try {
        await operationTimes(setup); // warm-up: the server loads the SDK on its first AWS call
        for (const row of await operationTimes(setup)) results.push({ provider, path: 'curl', ...row });
        for (const row of await operationTimes(setup, (operation, input) => timeClient(setup.instance, operation, input))) results.push({ provider, path: 'node client', ...row });
      } finally {
        await served.stop();
      }
    }
    const header = ['provider', 'path', 'operation', 'cold ms', 'x bare node', 'target', 'met'];
    const body = results.map((row) => {
      const limit = row.path === 'curl' ? CURL_LIMIT : row.path === 'node client' ? CLIENT_LIMIT : row.calls ? (floor * FLOOR_MARGIN) / bare : NO_CALL_LIMIT;
      const ratio = row.ms / bare;
      const why = row.path === 'in-process' && row.calls ? ' (SDK floor +25%)' : '';
      return [row.provider, row.path, row.operation, row.ms.toFixed(0), ratio.toFixed(2), `<= ${limit.toFixed(2)}x${why}`, ratio <= limit ? 'yes' : 'NO'];
    });
    const widths = header.map((cell, index) => Math.max(cell.length, ...body.map((row) => row[index].length)));
    const lines = [
      `start-up, median of ${RUNS} cold runs each: bare node ${bare.toFixed(0)} ms; SDK floor (node + import @aws-sdk/client-ec2 + new EC2Client) ${floor.toFixed(0)} ms = ${(floor / bare).toFixed(2)}x`,
      ...[header, ...body].map((row) => row.map((cell, index) => cell.padEnd(widths[index])).join('  ')),
    ];
    return { lines, total: body.length, misses: body.filter((row) => row[6] === 'NO').length };
  } finally {
    for (const instance of instances) instance.remove();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  startupTable().then(
    ({ lines }) => console.log(lines.join('\n')),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
