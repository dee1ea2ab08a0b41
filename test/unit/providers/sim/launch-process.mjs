// One short-lived "HostFactory process": opens the sim on a state file, launches, prints the ids.
// Usage: node launch-process.mjs <bundle.mjs> <stateFile> <requestId> <units>
import 'reflect-metadata';

const [bundle, stateFile, requestId, units] = process.argv.slice(2);
const { SimCloudProvider, parseSimConfig } = await import(bundle);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const settings = { config: parseSimConfig({}, 'simprov_config.json'), stateFile, providerName: 'siminst' };
const provider = new SimCloudProvider(settings, { now: () => Date.now() }, silent);
const template = {
  templateId: 'multi', maxNumber: -1, attributes: {}, priceType: 'ondemand', subnetIds: [], vmType: 'm5.large',
  instanceTags: {}, securityGroupIds: [], extra: {}, raw: {}, sourceFile: 'x',
};
try {
  const result = await provider.launch({ requestId, template, units: Number(units) });
  process.stdout.write(JSON.stringify(result.machines.map((m) => ({ id: m.machineId, ip: m.privateIpAddress }))));
} finally {
  await provider.close();
}
