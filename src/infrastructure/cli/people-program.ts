import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HostFactoryError } from '../../domain/errors.js';
import { parseMachineCount, type RequestKind, type RequestStatus } from '../../domain/request.js';
import type { CliSession, CloudHostView, Io } from './cli-session.js';
import type { CommandOutput } from './people-commands.js';

type Human = (work: (session: CliSession) => Promise<CommandOutput>) => Promise<void>;

/** `machines`, `requests`, `templates`, `config` and `store` commands for people. */
export function addPeopleCommands(program: Command, human: Human, io: Io): void {
  const machines = program.command('machines').description('request, list and return machines');
  machines
    .command('request <template> <count>')
    .description('request <count> units of <template>')
    .option('--wait', 'wait until the request is complete')
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt, 600)
    .option('--interval <seconds>', 'how often --wait polls', positiveInt, 2)
    .option('--dry-run', 'check the request and show the exact launch (API, pools, units, tags) without launching or recording anything')
    .action((template: string, count: string, options: { wait?: boolean; timeout: number; interval: number; dryRun?: boolean }) =>
      human((session) =>
        options.dryRun ? session.dryRun.request(template, parseMachineCount(count, 'count')) : session.people.requestAndMaybeWait(template, parseMachineCount(count, 'count'), options.wait ? { timeoutSec: options.timeout, intervalSec: options.interval, onProgress: progressPrinter(io) } : undefined),
      ),
    );
  machines.command('list').description('machines that are not terminated').action(() => human((s) => s.people.listMachines()));
  machines
    .command('return <idOrName...>')
    .description('give machines back, by instance id (i-...) or host name')
    .option('--dry-run', 'show which machines would be released, grouped by owner, without releasing or recording anything')
    .action((refs: string[], options: { dryRun?: boolean }) => human((s) => (options.dryRun ? s.dryRun.return(refs) : s.people.returnMachines(refs))));

  program
    .command('reconcile')
    .description('compare the cloud with the store: leaks (tagged by this instance, owned by no live request), ghosts, oversized fleets and groups')
    .option('--apply', 'remove leaks older than RECONCILE_GRACE_SEC, mark ghosts gone, bring oversized fleets and groups down')
    .action((options: { apply?: boolean }) => human((s) => s.people.reconcile(options.apply === true)));

  program
    .command('prices [templateId...]')
    .description('price per unit hour of each template (all, or the ids given) by instance type and market, and its effective price; from the price cache, fetched when stale')
    .option('--refresh', 'fetch the prices from the cloud now and rewrite the cache')
    .action((ids: string[], options: { refresh?: boolean }) => human((s) => s.people.prices(ids, options.refresh === true)));

  const requests = program.command('requests').description('follow requests');
  requests.command('status <requestId...>').description('status of acquire (req-) or return (ret-) requests').action((ids: string[]) => human((s) => s.people.status(ids)));
  requests
    .command('list')
    .description('recent requests, newest first')
    .addOption(new Option('--kind <kind>').choices(['acquire', 'return']))
    .addOption(new Option('--status <status>').choices(['running', 'complete', 'complete_with_error']))
    .option('--limit <n>', 'how many', positiveInt, 50)
    .action((options: { kind?: RequestKind; status?: RequestStatus; limit: number }) => human((s) => s.people.listRequests(options)));

  const templates = program.command('templates').description('manage templates');
  templates.command('list').description('effective templates and where each comes from').action(() => human((s) => s.people.listTemplates()));
  templates.command('show <templateId>').action((id: string) => human((s) => s.people.showTemplate(id)));
  templates
    .command('validate [fileOrTemplateIds...]')
    .description('validate a template file (default: every template of this instance); with --cloud, check templates against the cloud')
    .option('--cloud', 'check each template (all, or the ids given) against the cloud with the provider\'s credentials, launching nothing; exit 1 when one fails')
    .action((args: string[], options: { cloud?: boolean }) =>
      human(async (s) => {
        if (options.cloud) return s.people.validateOnCloud(args);
        if (args.length > 1) throw new HostFactoryError('INVALID_INPUT', 'templates validate takes one file (or --cloud and template ids)');
        const file = args[0];
        if (!file) return validateAll(s);
        const valid = s.people.templates.validate(await readDocument(file), resolve(file));
        return { data: { valid: valid.map((t) => t.templateId) }, text: `${valid.length} valid template(s): ${valid.map((t) => t.templateId).join(', ')}` };
      }),
    );
  for (const verb of ['add', 'update'] as const) {
    templates
      .command(`${verb} <file>`)
      .description(`${verb} the template(s) in <file> (JSON or YAML)`)
      .option('--to <templateFile>', 'template file to write (default: the instance file <name>inst_templates.json)')
      .action((file: string, options: { to?: string }) =>
        human(async (s) => {
          const written = await s.people.templates[verb](await readDocument(file), { file: options.to });
          return { data: { written }, text: `${verb === 'add' ? 'added to' : 'updated in'} ${[...new Set(written)].join(', ')}` };
        }),
      );
  }
  templates
    .command('remove <templateId>')
    .option('--from <templateFile>', 'template file to remove it from (default: the file it is in)')
    .action((id: string, options: { from?: string }) =>
      human(async (s) => {
        const file = await s.people.templates.remove(id, { file: options.from });
        return { data: { removed: id, file }, text: `removed ${id} from ${file}` };
      }),
    );

  const config = program.command('config').description('inspect the configuration');
  config.command('show').action(() => human(async (s) => configOutput(s)));
  config.command('validate').description('check the config file and every template').action(() => human((s) => validateAll(s)));

  const sim = program.command('sim').description('drills on the simulated cloud: take hosts back as AWS would');
  sim
    .command('interrupt <machineId>')
    .description('give a host a spot interruption notice; getReturnRequests reports it until it is gone')
    .option('--grace <seconds>', 'seconds until the host is terminated', nonNegativeInt, 120)
    .action((machineId: string, options: { grace: number }) =>
      human(async (s) => hostOutput('interrupted', await (await simulatedCloud(s)).interrupt(machineId, options.grace))),
    );
  sim
    .command('terminate <machineId>')
    .description('terminate a host as if from the cloud console, outside HostFactory')
    .action((machineId: string) => human(async (s) => hostOutput('terminated', await (await simulatedCloud(s)).terminate(machineId))));

  const store = program.command('store').description('operate the state store');
  store.command('init [url]').description('create the store (tables, migrations); default: the configured store').action((url?: string) => human((s) => s.stores.init(url ?? s.storeUrl)));
  store
    .command('copy')
    .requiredOption('--from <url>', 'source store URL')
    .requiredOption('--to <url>', 'target store URL')
    .option('--prune-target', 'also delete the requests and machines only the target holds', false)
    .action((options: { from: string; to: string; pruneTarget: boolean }) =>
      human((s) => s.stores.copy(options.from, options.to, { pruneTarget: options.pruneTarget })),
    );
  store
    .command('prune')
    .requiredOption('--older-than <duration>', 'e.g. 30d, 12h')
    .action((options: { olderThan: string }) => human((s) => s.stores.prune(options.olderThan)));
}

function simulatedCloud(session: CliSession) {
  if (!session.simulatedCloud) {
    throw new HostFactoryError('INVALID_INPUT', `sim commands need the simulated cloud; provider ${session.settings.providerName} is ${session.config.providerType}`);
  }
  return session.simulatedCloud();
}

function hostOutput(verb: string, host: CloudHostView): CommandOutput {
  return { data: host, text: `${verb} ${host.machineId} (${host.name}), now ${host.status}` };
}

async function validateAll(session: CliSession): Promise<CommandOutput> {
  const listing = await session.people.templates.list();
  const lines = [`config ${session.config.file}: valid (provider type ${session.config.providerType})`, `${listing.templates.length} valid template(s)`];
  for (const p of listing.problems) lines.push(`problem: ${p.file}${p.templateId ? ` ${p.templateId}` : ''}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
  if (listing.problems.length > 0) {
    throw new HostFactoryError('CONFIG_INVALID', lines.slice(1).join('\n'));
  }
  return { data: { config: session.config.file, templates: listing.templates.map((t) => t.templateId), problems: [] }, text: lines.join('\n') };
}

function configOutput(session: CliSession): CommandOutput {
  // The token is a secret: shown as set, never printed.
  const config = session.config.serveToken ? { ...session.config.raw, SERVE_TOKEN: '(set)' } : session.config.raw;
  const data = { ...session.settings, providerType: session.config.providerType, configFile: session.config.file, store: session.storeUrl, logLevel: session.config.logLevel, config };
  const text = Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join('\n');
  return { data, text };
}

async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `cannot read ${file}`, { cause: error });
  }
  try {
    return /\.ya?ml$/i.test(file) ? (await import('yaml')).parse(text) : JSON.parse(text);
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`, { cause: error });
  }
}

function nonNegativeInt(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(value);
}

function positiveInt(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

function progressPrinter(io: Io) {
  return (view: { requestId: string; status: string; machines: Array<{ status: string }> }) => {
    if (!process.stderr.isTTY) return;
    const running = view.machines.filter((m) => m.status === 'running').length;
    io.stderr(`\r${view.requestId}: ${view.status}, ${running}/${view.machines.length} running   ${view.status !== 'running' ? '\n' : ''}`);
  };
}
