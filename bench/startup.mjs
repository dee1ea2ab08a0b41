// The start-up table of `npm run bench` (issue 10, part 1): each HostFactory operation run cold
// through its real script, on the simulated cloud and on the AWS provider (against the test suite's
// fake EC2 endpoint, bundled here from test/support), as a ratio to bare `node -e ''` measured in
// the same run. Targets: a call that sends no cloud request <= 2.5x bare node; one that does <= the
// bare SDK floor (node + import @aws-sdk/client-ec2 + construct its client) + 25%.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { BenchInstance, median, REPO } from './bench-instance.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const NO_CALL_LIMIT = 2.5;
const FLOOR_MARGIN = 1.25;
const IMAGE_ID = 'ami-0f3caa1cf4417e51b';

const AWS_TEMPLATE = {
  templateId: 'RunInstances-OnDemand',
  maxNumber: 1000,
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

/** Cold times of every operation for one provider instance; `calls` says which send a cloud request. */
async function operationTimes({ instance, templateId }) {
  const timeScript = async (operation, input) => (await instance.script(operation, input)).ms;
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
    const results = [
      ...(await operationTimes(sim)).map((row) => ({ provider: 'sim', ...row, calls: false })),
      ...(await operationTimes(aws)).map((row) => ({ provider: 'aws', ...row })),
    ];
    const header = ['provider', 'operation', 'cold ms', 'x bare node', 'target', 'met'];
    const body = results.map((row) => {
      const limit = row.calls ? (floor * FLOOR_MARGIN) / bare : NO_CALL_LIMIT;
      const ratio = row.ms / bare;
      return [row.provider, row.operation, row.ms.toFixed(0), ratio.toFixed(2), `<= ${limit.toFixed(2)}x${row.calls ? ' (SDK floor +25%)' : ''}`, ratio <= limit ? 'yes' : 'NO'];
    });
    const widths = header.map((cell, index) => Math.max(cell.length, ...body.map((row) => row[index].length)));
    const lines = [
      `start-up, median of ${RUNS} cold runs each: bare node ${bare.toFixed(0)} ms; SDK floor (node + import @aws-sdk/client-ec2 + new EC2Client) ${floor.toFixed(0)} ms = ${(floor / bare).toFixed(2)}x`,
      ...[header, ...body].map((row) => row.map((cell, index) => cell.padEnd(widths[index])).join('  ')),
    ];
    return { lines, total: body.length, misses: body.filter((row) => row[5] === 'NO').length };
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
