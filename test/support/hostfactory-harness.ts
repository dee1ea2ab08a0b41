import { Ajv } from 'ajv';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tracked } from './child-processes.js';

export const REPO = resolve(import.meta.dirname, '../..');
const SCHEMAS = join(REPO, 'test/schemas');
/** The artifact HostFactory runs: the bundled CLI behind scripts/*.sh. */
const CLI = join(REPO, 'dist/bundle/hostfactory.js');

export type Operation = 'getAvailableTemplates' | 'requestMachines' | 'getRequestStatus' | 'requestReturnMachines' | 'getReturnRequests';

const SCHEMA_OF: Record<Operation | 'error', string> = {
  getAvailableTemplates: 'get-available-templates.schema.json',
  requestMachines: 'request-machines.schema.json',
  getRequestStatus: 'get-request-status.schema.json',
  requestReturnMachines: 'request-return-machines.schema.json',
  getReturnRequests: 'get-return-requests.schema.json',
  error: 'error.schema.json',
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  Object.entries(SCHEMA_OF).map(([name, file]) => [name, ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')))]),
);

/** Throws with ajv's errors unless `document` matches the operation's (or the error) schema. */
export function assertSchema(kind: Operation | 'error', document: unknown): void {
  const validate = validators[kind];
  if (!validate(document)) throw new Error(`${kind} response does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(document)}`);
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: any;
}

/**
 * The temp dirs of the instances made in this test file; test/support/setup.ts removes them after
 * the file (kept on globalThis so that setup needs not import this module into unit test files).
 */
export function instanceRoots(): Set<string> {
  const holder = globalThis as { hostFactoryInstanceRoots?: Set<string> };
  holder.hostFactoryInstanceRoots ??= new Set<string>();
  return holder.hostFactoryInstanceRoots;
}

export interface InstanceOptions {
  providerName?: string;
  /** Keys merged into the copied simprov_config.json. */
  config?: Record<string, unknown>;
  extraEnv?: NodeJS.ProcessEnv;
  /**
   * `provider` (default): HF_PROVIDER_CONFDIR, HF_PROVIDER_WORKDIR and HF_PROVIDER_LOGDIR name the
   * instance's dirs. `hostfactory`: only HostFactory's own HF_CONFDIR, HF_WORKDIR and HF_LOGDIR are
   * set, and the instance's dirs are where the contract puts them by default:
   * `$HF_CONFDIR/providers/<name>`, `$HF_WORKDIR/providers/<name>` and `$HF_LOGDIR`.
   */
  dirs?: 'provider' | 'hostfactory';
}

/** A provider instance in empty temp dirs with a copy of the repo's config/, as HostFactory would set it up. */
export class HostFactoryInstance {
  readonly root: string;
  readonly confDir: string;
  readonly workDir: string;
  readonly logDir: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(options: InstanceOptions = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` first (npm test does)`);
    this.root = mkdtempSync(join(tmpdir(), 'hf-e2e-'));
    instanceRoots().add(this.root);
    const providerName = options.providerName ?? 'sim';
    const byHostFactory = options.dirs === 'hostfactory';
    this.confDir = byHostFactory ? join(this.root, 'conf', 'providers', providerName) : join(this.root, 'conf');
    this.workDir = byHostFactory ? join(this.root, 'work', 'providers', providerName) : join(this.root, 'work');
    this.logDir = join(this.root, 'log');
    cpSync(join(REPO, 'config'), this.confDir, { recursive: true });
    if (options.config) {
      const file = join(this.confDir, 'simprov_config.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...options.config }, null, 2));
    }
    const dirs = byHostFactory
      ? { HF_CONFDIR: join(this.root, 'conf'), HF_WORKDIR: join(this.root, 'work'), HF_LOGDIR: this.logDir }
      : { HF_PROVIDER_CONFDIR: this.confDir, HF_PROVIDER_WORKDIR: this.workDir, HF_PROVIDER_LOGDIR: this.logDir };
    this.env = {
      PATH: process.env.PATH,
      HOME: this.root,
      HF_PROVIDER_NAME: providerName,
      ...dirs,
      ...options.extraEnv,
    };
  }

  /** Runs `scripts/<operation>.sh -f <file>` with `input` written to a temp file (a string is written as is). */
  script(operation: Operation, input: unknown, options: { cwd?: string; scriptPath?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    const file = join(this.root, `in-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, typeof input === 'string' ? input : JSON.stringify(input));
    return this.exec(options.scriptPath ?? join(REPO, 'scripts', `${operation}.sh`), ['-f', file], options);
  }

  /** Runs the `hostfactory` CLI (the bundle, as installed) with these arguments. */
  cli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return this.exec(process.execPath, [CLI, ...args], options);
  }

  exec(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return new Promise((resolvePromise) => {
      const child = execFile(command, args, { cwd: options.cwd ?? this.root, env: { ...this.env, ...options.env }, timeout: 60_000 }, (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolvePromise({ exitCode, stdout, stderr, json });
      });
      tracked(child);
    });
  }

  /** Everything the store holds, through the CLI, to compare before and after an operation. */
  async storeSnapshot(): Promise<string> {
    const requests = await this.cli(['requests', 'list', '--json', '--limit', '100000']);
    const machines = await this.cli(['machines', 'list', '--json']);
    return JSON.stringify({ requests: requests.json, machines: machines.json });
  }

  logLines(): Array<Record<string, unknown>> {
    if (!existsSync(this.logDir)) return [];
    return readdirSync(this.logDir).flatMap((file) =>
      readFileSync(join(this.logDir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  }
}

/** Polls getRequestStatus until the request leaves `running` (bounded: at most `attempts` polls). */
export async function pollUntilDone(instance: HostFactoryInstance, requestId: string, attempts = 40): Promise<RunResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await instance.script('getRequestStatus', { requests: [{ requestId }] });
    assertSchema('getRequestStatus', result.json);
    if (result.json.requests[0].status !== 'running' || attempt >= attempts) return result;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
