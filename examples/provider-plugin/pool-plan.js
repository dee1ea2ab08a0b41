/**
 * @typedef {import('./pool-files.js').PoolHost} PoolHost
 * @typedef {import('./pool-files.js').Lease} Lease
 * @typedef {import('./index.js').Template} Template
 * @typedef {import('./index.js').Offering} Offering
 * @typedef {{ picked: Array<{ host: PoolHost, weight: number }>, exhausted: Offering[], unitsPlanned: number }} LeasePlan
 */

/**
 * Instance type → units: the template's vmTypes, else its vmType at 1, else every type of the pool at 1.
 * @param {Template} template
 * @param {readonly PoolHost[]} hosts
 * @returns {Record<string, number>}
 */
export function typesOf(template, hosts) {
  if (template.vmTypes && Object.keys(template.vmTypes).length > 0) return template.vmTypes;
  if (template.vmType) return { [template.vmType]: 1 };
  return Object.fromEntries(hosts.map((host) => [host.instanceType, 1]));
}

/**
 * The pools (instance type and zone) of the hosts the template may use, in the template's order of types, then the file's.
 * @param {Template} template
 * @param {readonly PoolHost[]} hosts
 * @returns {Offering[]}
 */
export function poolsOf(template, hosts) {
  /** @type {Map<string, Offering>} */
  const pools = new Map();
  for (const instanceType of Object.keys(typesOf(template, hosts))) {
    for (const host of hosts.filter((candidate) => candidate.instanceType === instanceType)) {
      pools.set(`${host.instanceType}|${host.zone}`, { instanceType, zone: host.zone, market: 'ondemand' });
    }
  }
  return [...pools.values()];
}

/** @param {PoolHost} host @param {number} now epoch ms */
export function isLendable(host, now) {
  return !host.disabled && (host.reclaimBy === undefined || host.reclaimBy > now);
}

/**
 * The hosts a launch of `units` units takes: pools in the template's order, pools remembered out
 * of capacity last, hosts in the file's order. A pool asked while units were still wanted that had
 * no free host left is exhausted (the pool's "insufficient capacity").
 * @param {Template} template
 * @param {number} units
 * @param {readonly PoolHost[]} hosts
 * @param {Record<string, Lease>} leases
 * @param {readonly Offering[]} unavailable
 * @param {number} now epoch ms
 * @returns {LeasePlan}
 */
export function planLeases(template, units, hosts, leases, unavailable, now) {
  const types = typesOf(template, hosts);
  const key = (/** @type {{ instanceType: string, zone: string }} */ pool) => `${pool.instanceType}|${pool.zone}`;
  const avoided = new Set(unavailable.filter((offering) => offering.market === 'ondemand').map(key));
  const pools = poolsOf(template, hosts);
  const ordered = [...pools.filter((pool) => !avoided.has(key(pool))), ...pools.filter((pool) => avoided.has(key(pool)))];
  /** @type {LeasePlan['picked']} */
  const picked = [];
  /** @type {Offering[]} */
  const exhausted = [];
  let remaining = units;
  for (const pool of ordered) {
    if (remaining <= 0) break;
    const free = hosts.filter((host) => key(host) === key(pool) && isLendable(host, now) && !leases[host.id]);
    for (const host of free) {
      if (remaining <= 0) break;
      const weight = types[host.instanceType] ?? 1;
      picked.push({ host, weight });
      remaining -= weight;
    }
    if (remaining > 0) exhausted.push(pool);
  }
  return { picked, exhausted, unitsPlanned: picked.reduce((sum, entry) => sum + entry.weight, 0) };
}
