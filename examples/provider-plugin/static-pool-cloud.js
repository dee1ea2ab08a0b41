import { isLendable, planLeases, poolsOf, typesOf } from './pool-plan.js';
import { readHosts } from './pool-files.js';

/**
 * @typedef {import('./index.js').CloudProvider} CloudProvider
 * @typedef {import('./index.js').CloudMachine} CloudMachine
 * @typedef {import('./index.js').CloudHost} CloudHost
 * @typedef {import('./index.js').ProviderContext<import('./index.js').StaticPoolConfig>} Context
 * @typedef {import('./pool-files.js').LeaseBook} LeaseBook
 * @typedef {import('./pool-files.js').Lease} Lease
 * @typedef {import('./pool-files.js').LeaseState} LeaseState
 * @typedef {import('./pool-files.js').PoolHost} PoolHost
 */

export const REQUEST_ID_TAG = 'hostfactory:request-id';
export const TEMPLATE_ID_TAG = 'hostfactory:template-id';
export const PROVIDER_TAG = 'hostfactory:provider';
export const LEASE_API = 'static-pool:lease';

/**
 * @param {string} id
 * @param {Lease} lease
 * @returns {CloudMachine}
 */
function leasedMachine(id, lease) {
  return {
    machineId: id,
    name: lease.host.name,
    status: 'running',
    privateIpAddress: lease.host.address,
    publicIpAddress: null,
    launchTime: lease.leasedAt,
    instanceType: lease.host.instanceType,
    priceType: 'ondemand',
    weight: lease.weight,
    instanceTags: lease.tags,
    cloudHostId: null,
  };
}

/**
 * Lends hosts of a static pool (on-premise machines listed in a file) to HostFactory requests: a
 * "launch" leases free hosts, a "release" gives them back to the pool. The hosts are always up;
 * nothing is started or stopped. Leases live in the instance's work dir, changed under a lease of
 * the instance's store so that concurrent HostFactory processes never lend one host twice.
 * @implements {CloudProvider}
 */
export class StaticPoolCloud {
  /**
   * @param {Context} context
   * @param {string} hostsFile absolute
   * @param {LeaseBook} book
   */
  constructor(context, hostsFile, book) {
    this.context = context;
    this.hostsFile = hostsFile;
    this.book = book;
  }

  hosts() {
    return readHosts(this.hostsFile, this.context.errors);
  }

  /**
   * Runs `work` on the hosts and leases read under the instance's lease, so no other process
   * changes the leases meanwhile; `work` writes them when it changes them.
   * @template T
   * @param {(hosts: PoolHost[], state: LeaseState) => Promise<T>} work
   * @returns {Promise<T>}
   */
  async locked(work) {
    return this.context.store.leases.withLease(`static-pool:${this.context.providerName}`, async () => work(await this.hosts(), await this.book.read()));
  }

  /** @param {import('./index.js').LaunchOrder} order */
  async launch(order) {
    const { errors, clock, providerName, logger } = this.context;
    if (!(order.units > 0)) throw errors.error('INVALID_INPUT', `cannot lease ${order.units} units for ${order.requestId}`);
    return this.locked(async (hosts, state) => {
      const held = Object.entries(state.leases).filter(([, lease]) => lease.requestId === order.requestId);
      if (held.length > 0) return { machines: held.map(([id, lease]) => leasedMachine(id, lease)), providerData: {} };
      const now = clock.now();
      const plan = planLeases(order.template, order.units, hosts, state.leases, order.unavailable ?? [], now);
      if (plan.picked.length === 0) {
        const types = Object.keys(typesOf(order.template, hosts)).join(', ');
        if (poolsOf(order.template, hosts).length === 0) throw errors.error('INVALID_INPUT', `no host of type ${types} in ${this.hostsFile}`);
        throw errors.launchFailed('INSUFFICIENT_CAPACITY', `no free host of type ${types} in the static pool`, plan.exhausted);
      }
      const tags = { ...order.template.instanceTags, [REQUEST_ID_TAG]: order.requestId, [TEMPLATE_ID_TAG]: order.template.templateId, [PROVIDER_TAG]: providerName };
      for (const { host, weight } of plan.picked) {
        const snapshot = { name: host.name, address: host.address, instanceType: host.instanceType, zone: host.zone };
        state.leases[host.id] = { requestId: order.requestId, templateId: order.template.templateId, weight, leasedAt: Math.floor(now / 1000), tags, host: snapshot };
      }
      await this.book.write(state);
      logger.info({ requestId: order.requestId, hosts: plan.picked.map(({ host }) => host.id) }, 'static pool lent hosts');
      /** @type {import('./index.js').LaunchResult} */
      const result = { machines: plan.picked.map(({ host }) => leasedMachine(host.id, state.leases[host.id])), providerData: {} };
      if (plan.unitsPlanned < order.units) result.message = `only ${plan.unitsPlanned} of ${order.units} units free in the static pool`;
      if (plan.exhausted.length > 0) result.unavailableOfferings = plan.exhausted;
      return result;
    });
  }

  /** @param {readonly import('./index.js').TrackedRequest[]} requests */
  async describeRequests(requests) {
    const { leases } = await this.book.read();
    const entries = Object.entries(leases);
    return new Map(
      requests.map((tracked) => {
        const machines = entries.filter(([, lease]) => lease.requestId === tracked.request.requestId).map(([id, lease]) => leasedMachine(id, lease));
        return [tracked.request.requestId, { machines, final: true }];
      }),
    );
  }

  /** @param {readonly import('./index.js').Machine[]} machines */
  async describeMachines(machines) {
    const { leases } = await this.book.read();
    return machines.map((machine) => {
      const lease = leases[machine.machineId];
      if (lease && lease.requestId === machine.requestId) return leasedMachine(machine.machineId, lease);
      const { requestId, templateId, returnRequestId, notice, version, updatedAt, ...seen } = machine;
      return /** @type {CloudMachine} */ ({ ...seen, status: 'terminated' });
    });
  }

  /** @param {readonly import('./index.js').Machine[]} machines */
  async release(machines) {
    await this.locked(async (_hosts, state) => {
      const owned = machines.filter((machine) => state.leases[machine.machineId]?.requestId === machine.requestId);
      for (const machine of owned) delete state.leases[machine.machineId];
      if (owned.length > 0) await this.book.write(state);
    });
    return { failed: {} };
  }

  /**
   * Leased hosts the administrator wants back: `reclaimBy` set in the hosts file (seconds left
   * until then), or removed from the file (gone now).
   * @param {readonly import('./index.js').Machine[]} machines
   */
  async listReclaims(machines) {
    const [hosts, { leases }] = await Promise.all([this.hosts(), this.book.read()]);
    const now = this.context.clock.now();
    const byId = new Map(hosts.map((host) => [host.id, host]));
    return machines.flatMap((machine) => {
      if (leases[machine.machineId]?.requestId !== machine.requestId) return [];
      const host = byId.get(machine.machineId);
      if (!host) return [{ machineId: machine.machineId, name: machine.name, gracePeriod: 0, reason: `removed from ${this.hostsFile}` }];
      if (host.reclaimBy === undefined) return [];
      const gracePeriod = Math.max(0, Math.floor((host.reclaimBy - now) / 1000));
      return [{ machineId: machine.machineId, name: machine.name, gracePeriod, reason: `reclaimed by the pool's administrator by ${new Date(host.reclaimBy).toISOString()}` }];
    });
  }

  /** @param {readonly import('./index.js').MachineRef[]} refs */
  async findHosts(refs) {
    const [hosts, { leases }] = await Promise.all([this.hosts(), this.book.read()]);
    const providerName = this.context.providerName;
    /** @type {Map<string, CloudHost>} */
    const found = new Map();
    const known = [...hosts.map((host) => ({ id: host.id, name: host.name })), ...Object.entries(leases).map(([id, lease]) => ({ id, name: lease.host.name }))];
    for (const ref of refs) {
      const match = known.find((host) => (ref.machineId !== undefined && ref.machineId === host.id) || (ref.name !== undefined && ref.name === host.name));
      if (!match || found.has(match.id)) continue;
      const lease = leases[match.id];
      const host = hosts.find((candidate) => candidate.id === match.id);
      if (lease) found.set(match.id, { ...leasedMachine(match.id, lease), providerName, requestId: lease.requestId, templateId: lease.templateId });
      else if (host) found.set(match.id, { ...leasedMachine(match.id, { requestId: '', templateId: '', weight: 1, leasedAt: 0, tags: {}, host }) });
    }
    return [...found.values()];
  }

  async inventory() {
    const { leases } = await this.book.read();
    const providerName = this.context.providerName;
    const hosts = Object.entries(leases).map(([id, lease]) => ({ ...leasedMachine(id, lease), providerName, requestId: lease.requestId, templateId: lease.templateId }));
    return { hosts, resources: [] };
  }

  /** @param {readonly { machineId: string }[]} hosts */
  async removeLeaks(hosts) {
    await this.locked(async (_pool, state) => {
      const leaked = hosts.filter((host) => state.leases[host.machineId]);
      for (const host of leaked) delete state.leases[host.machineId];
      if (leaked.length > 0) await this.book.write(state);
    });
  }

  /** @param {import('./index.js').Template} template */
  async offeringsOf(template) {
    try {
      return poolsOf(template, await this.hosts());
    } catch {
      return undefined;
    }
  }

  async checkAccess() {
    const [hosts, { leases }] = await Promise.all([this.hosts(), this.book.read()]);
    const now = this.context.clock.now();
    const free = hosts.filter((host) => isLendable(host, now) && !leases[host.id]).length;
    const closed = hosts.filter((host) => !isLendable(host, now)).length;
    return { message: `${hosts.length} hosts in ${this.hostsFile}: ${Object.keys(leases).length} lent, ${free} free, ${closed} disabled or reclaimed` };
  }

  /** @param {readonly import('./index.js').Template[]} templates */
  async checkTemplates(templates) {
    const hosts = await this.hosts();
    return templates.map((template) => ({
      templateId: template.templateId,
      findings: Object.keys(typesOf(template, hosts)).map((instanceType) => {
        const count = hosts.filter((host) => host.instanceType === instanceType).length;
        /** @type {import('./index.js').TemplateFinding} */
        const finding = count > 0
          ? { field: 'vmTypes', status: 'pass', message: `${count} host(s) of type ${instanceType} in the pool` }
          : { field: 'vmTypes', status: 'fail', message: `no host of type ${instanceType} in ${this.hostsFile}` };
        return finding;
      }),
    }));
  }

  /**
   * The leases a launch would take now, taking none.
   * @param {import('./index.js').LaunchOrder} order
   */
  async planLaunch(order) {
    const [hosts, { leases }] = await Promise.all([this.hosts(), this.book.read()]);
    const plan = planLeases(order.template, order.units, hosts, leases, order.unavailable ?? [], this.context.clock.now());
    /** @type {Map<string, import('./index.js').Offering & { units: number }>} */
    const pools = new Map();
    for (const { host, weight } of plan.picked) {
      const key = `${host.instanceType}|${host.zone}`;
      const pool = pools.get(key) ?? { instanceType: host.instanceType, zone: host.zone, market: 'ondemand', units: 0 };
      pool.units += weight;
      pools.set(key, pool);
    }
    const tags = { ...order.template.instanceTags, [REQUEST_ID_TAG]: order.requestId, [TEMPLATE_ID_TAG]: order.template.templateId, [PROVIDER_TAG]: this.context.providerName };
    const short = plan.unitsPlanned < order.units ? `only ${plan.unitsPlanned} of ${order.units} units free in the static pool` : undefined;
    return { calls: [{ api: LEASE_API, pools: [...pools.values()], units: order.units, tags }], ...(short ? { message: short } : {}) };
  }
}
