import { inject, injectable } from 'inversify';
import { RequestMachinesDryRun } from '../../application/request-machines-dry-run.js';
import { RequestReturnMachinesDryRun } from '../../application/request-return-machines-dry-run.js';
import { machineRefsOf, type CommandOutput } from './people-commands.js';
import { formatTable } from './table.js';

const tagsText = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => `${key}=${value}`).join(', ');

/** `machines request|return --dry-run`: the plan, for people and as JSON; nothing is launched, released or recorded. */
@injectable()
export class DryRunCommands {
  constructor(
    @inject(RequestMachinesDryRun) private readonly requestMachines: RequestMachinesDryRun,
    @inject(RequestReturnMachinesDryRun) private readonly returnMachines: RequestReturnMachinesDryRun,
  ) {}

  async request(templateId: string, count: number): Promise<CommandOutput> {
    const result = await this.requestMachines.execute(templateId, count);
    const header = `dry run: ${count} unit(s) of ${templateId} pass the checks; nothing launched or recorded`;
    if (!result.plan) return { data: { dryRun: true, ...result }, text: `${header}\nthis provider shows no launch plan (no dry-run capability)` };
    const sections = result.plan.calls.map((call) => {
      const pools = formatTable(['INSTANCE TYPE', 'ZONE', 'MARKET', 'UNITS'], call.pools.map((pool) => [pool.instanceType, pool.zone, pool.market, pool.units === undefined ? '-' : String(pool.units)]));
      const check = call.cloudCheck ? `\ncloud dry run: ${call.cloudCheck.status}: ${call.cloudCheck.message}` : '';
      return `api: ${call.api}\nunits: ${call.units}\ntags: ${tagsText(call.tags)}\n${pools}${check}`;
    });
    const message = result.plan.message ? `\n${result.plan.message}` : '';
    return { data: { dryRun: true, ...result }, text: `${header}\n\n${sections.join('\n\n')}${message}` };
  }

  async return(idsOrNames: readonly string[]): Promise<CommandOutput> {
    const plan = await this.returnMachines.execute(machineRefsOf(idsOrNames));
    const rows = [
      ...plan.releases.flatMap((group) => group.machines.map((machine) => [machine.machineId, machine.name, group.requestId, group.resourceId ?? '-', 'release'])),
      ...plan.skipped.map((entry) => [entry.machineId, entry.name, '-', '-', `leave: ${entry.reason}`]),
      ...plan.unknown.map((ref) => [ref.machineId ?? '-', ref.name ?? '-', '-', '-', 'not in the store: looked up in the cloud']),
    ];
    const count = plan.releases.reduce((sum, group) => sum + group.machines.length, 0);
    const header = `dry run: ${count} machine(s) would be released in ${plan.releases.length} call group(s); nothing released or recorded`;
    return { data: { dryRun: true, ...plan }, text: `${header}\n${formatTable(['MACHINE', 'NAME', 'REQUEST', 'RESOURCE', 'ACTION'], rows)}` };
  }
}
