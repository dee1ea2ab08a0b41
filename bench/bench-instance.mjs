// A provider instance in temp dirs for the benchmark, driven through the real HostFactory scripts.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export const REPO = resolve(import.meta.dirname, '..');

export class BenchInstance {
  /** `storeUrl(root)` names the store from the instance's root dir; undefined = the embedded default. */
  constructor(label, storeUrl) {
    this.root = mkdtempSync(join(tmpdir(), `hf-bench-${label}-`));
    const confDir = join(this.root, 'conf');
    cpSync(join(REPO, 'config'), confDir, { recursive: true });
    const configFile = join(confDir, 'simprov_config.json');
    // Instances stay pending for a day: the outstanding requests stay outstanding on every poll.
    const config = { ...JSON.parse(readFileSync(configFile, 'utf8')), SIM_BOOT_DELAY_SEC: 86_400, LOG_LEVEL: 'warn' };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    this.storeUrl = storeUrl?.(this.root);
    this.env = {
      PATH: process.env.PATH,
      HOME: this.root,
      HF_PROVIDER_NAME: 'sim',
      HF_PROVIDER_CONFDIR: confDir,
      HF_PROVIDER_WORKDIR: join(this.root, 'work'),
      HF_PROVIDER_LOGDIR: join(this.root, 'log'),
      ...(this.storeUrl ? { HOSTFACTORY_STORE: this.storeUrl } : {}),
    };
    this.inputs = 0;
  }

  /** Runs `scripts/<operation>.sh -f <input>`; resolves to { json, ms } or rejects on a non-zero exit. */
  script(operation, input) {
    const file = join(this.root, `in-${this.inputs++}.json`);
    writeFileSync(file, JSON.stringify(input));
    const started = performance.now();
    return new Promise((resolvePromise, reject) => {
      execFile(join(REPO, 'scripts', `${operation}.sh`), ['-f', file], { env: this.env, timeout: 120_000 }, (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error) {
          reject(new Error(`${operation} failed (${error.code}): ${stdout}${stderr}`));
          return;
        }
        resolvePromise({ json: JSON.parse(stdout), ms });
      });
    });
  }

  /** Starts `count` one-machine requests that stay running; returns their ids. */
  async outstandingRequests(count) {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const { json } = await this.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
      ids.push(json.requestId);
    }
    return ids;
  }

  remove() {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
