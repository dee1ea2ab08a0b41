import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname } from 'node:path';

/**
 * @typedef {import('./index.js').ProviderErrors} ProviderErrors
 * @typedef {{ id: string, name: string, address: string, instanceType: string, zone: string, disabled: boolean, reclaimBy?: number }} PoolHost
 *   A host of the pool as its hosts file lists it; `reclaimBy` in epoch ms.
 * @typedef {{ name: string, address: string, instanceType: string, zone: string }} HostSnapshot
 * @typedef {{ requestId: string, templateId: string, weight: number, leasedAt: number, tags: Record<string, string>, host: HostSnapshot }} Lease
 *   A host lent to a request; `leasedAt` in epoch seconds, `host` as it was listed then.
 * @typedef {{ leases: Record<string, Lease> }} LeaseState
 */

/**
 * The hosts file, read on every call so that an administrator's edits count at once: a JSON object
 * `{"hosts": [{ "name", "address", "instanceType"?, "zone"?, "id"?, "disabled"?, "reclaimBy"? }]}`.
 * @param {string} file
 * @param {ProviderErrors} errors
 * @returns {Promise<PoolHost[]>}
 */
export async function readHosts(file, errors) {
  let document;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw errors.error('CLOUD_ERROR', `static pool hosts file ${file} cannot be read: ${/** @type {Error} */ (error).message}`, { cause: error });
  }
  const entries = Array.isArray(document) ? document : document?.hosts;
  if (!Array.isArray(entries)) throw errors.error('CLOUD_ERROR', `static pool hosts file ${file}: expected {"hosts": [...]}`);
  const seen = new Set();
  return entries.map((entry, index) => {
    const invalid = (/** @type {string} */ message) => errors.error('CLOUD_ERROR', `static pool hosts file ${file}: hosts[${index}]: ${message}`);
    if (!entry || typeof entry.name !== 'string' || entry.name.trim() === '') throw invalid('name is required');
    if (typeof entry.address !== 'string' || isIP(entry.address) === 0) throw invalid('address must be an IP address');
    const reclaimBy = entry.reclaimBy === undefined ? undefined : Date.parse(entry.reclaimBy);
    if (reclaimBy !== undefined && Number.isNaN(reclaimBy)) throw invalid('reclaimBy must be a date and time (ISO 8601)');
    /** @type {PoolHost} */
    const host = {
      id: typeof entry.id === 'string' && entry.id !== '' ? entry.id : entry.name,
      name: entry.name,
      address: entry.address,
      instanceType: typeof entry.instanceType === 'string' && entry.instanceType !== '' ? entry.instanceType : 'static',
      zone: typeof entry.zone === 'string' && entry.zone !== '' ? entry.zone : 'onprem',
      disabled: entry.disabled === true,
      reclaimBy,
    };
    if (seen.has(host.id)) throw invalid(`id ${host.id} is listed twice`);
    seen.add(host.id);
    return host;
  });
}

/** Which host is lent to which request: a JSON file in the instance's work dir, replaced whole (write to a temp file, then rename). */
export class LeaseBook {
  /** @param {string} file */
  constructor(file) {
    this.file = file;
  }

  /** @returns {Promise<LeaseState>} */
  async read() {
    try {
      return JSON.parse(await readFile(this.file, 'utf8'));
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return { leases: {} };
      throw error;
    }
  }

  /** @param {LeaseState} state */
  async write(state) {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(state, null, 2) + '\n');
    await rename(temp, this.file);
  }
}
