import { inject, injectable } from 'inversify';
import { CheckTemplates } from '../../application/check-templates.js';
import { GetRequestStatus, type RequestStatusView } from '../../application/get-request-status.js';
import { ListActivity } from '../../application/list-activity.js';
import { Reconcile } from '../../application/reconcile.js';
import { RequestCosts } from '../../application/request-costs.js';
import { RequestMachines } from '../../application/request-machines.js';
import { RequestReturnMachines } from '../../application/request-return-machines.js';
import { TemplateCatalog } from '../../application/template-catalog.js';
import { TemplatePrices } from '../../application/template-prices.js';
import { machineResult, type Machine, type MachineRef } from '../../domain/machine.js';
import type { RequestKind, RequestStatus } from '../../domain/request.js';
import type { Template } from '../../domain/template.js';
import { problemsMessage, requestStatusResponse } from '../hostfactory/hostfactory-output.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import { formatUsd, pricesText } from './price-table.js';
import { formatTable } from './table.js';

/** Machines as people name them on the command line: an instance id (`i-…`), else a host name. */
export function machineRefsOf(idsOrNames: readonly string[]): MachineRef[] {
  return idsOrNames.map((value) => (value.startsWith('i-') ? { machineId: value } : { name: value }));
}

/** What a command gives back: `data` for `--json`, `text` for people; `exitCode` when it is not 0 though the command ran. */
export interface CommandOutput {
  data: unknown;
  text: string;
  exitCode?: number;
}

export interface WaitOptions {
  timeoutSec: number;
  intervalSec: number;
  onProgress?: (view: RequestStatusView) => void;
}

/** The CLI's commands for people, on top of the same use cases HostFactory drives. */
@injectable()
export class PeopleCommands {
  constructor(
    @inject(RequestMachines) private readonly requestMachines: RequestMachines,
    @inject(GetRequestStatus) private readonly getRequestStatus: GetRequestStatus,
    @inject(RequestReturnMachines) private readonly requestReturnMachines: RequestReturnMachines,
    @inject(ListActivity) private readonly activity: ListActivity,
    @inject(TemplateCatalog) readonly templates: TemplateCatalog,
    @inject(Reconcile) private readonly reconciler: Reconcile,
    @inject(CheckTemplates) private readonly checkTemplates: CheckTemplates,
    @inject(TemplatePrices) private readonly templatePrices: TemplatePrices,
    @inject(RequestCosts) private readonly costs: RequestCosts,
  ) {}

  /** `prices [id...] [--refresh]`: per template its price per unit hour by type and market, and the effective one. */
  async prices(templateIds: string[], refresh: boolean): Promise<CommandOutput> {
    const report = await this.templatePrices.execute(templateIds, refresh);
    return { data: report, text: pricesText(report) };
  }

  /** `templates validate --cloud [id...]`: a table of findings per template; exit 1 when any failed. */
  async validateOnCloud(templateIds: string[]): Promise<CommandOutput> {
    const report = await this.checkTemplates.execute(templateIds);
    const text = report.checks
      .map((check) => {
        const count = (status: string) => check.findings.filter((finding) => finding.status === status).length;
        const warnings = count('warn') > 0 ? `, ${count('warn')} warning(s)` : '';
        const header = `${check.templateId}: ${count('fail') === 0 ? 'passed' : `${count('fail')} problem(s)`}${warnings}`;
        return `${header}\n${formatTable(['FIELD', 'STATUS', 'MESSAGE'], check.findings.map((finding) => [finding.field, finding.status, finding.message]))}`;
      })
      .join('\n\n');
    return { data: report, text: text || 'no template to check', exitCode: report.passed ? EXIT_OK : EXIT_FAILED };
  }

  /** `reconcile [--apply]`: one table of leaks, ghosts and oversized fleets/groups, and what was done. */
  async reconcile(apply: boolean): Promise<CommandOutput> {
    const report = await this.reconciler.execute(apply);
    const rows = [
      ...report.leaks.map((leak) => ['leak', leak.kind, leak.id, leak.requestId, `${leak.ageSec} s old`, leak.action]),
      ...report.ghosts.map((ghost) => ['ghost', 'machine', ghost.machineId, ghost.requestId, ghost.name, ghost.action]),
      ...report.oversized.map((entry) => ['oversized', entry.kind, entry.id, entry.requestId, `target ${entry.target} > held ${entry.held}`, entry.action]),
    ];
    const text = rows.length === 0 ? 'nothing to reconcile: the cloud and the store agree' : formatTable(['FINDING', 'KIND', 'ID', 'REQUEST', 'DETAIL', 'ACTION'], rows);
    return { data: report, text: apply || rows.length === 0 ? text : `${text}

run with --apply to act on the findings older than RECONCILE_GRACE_SEC` };
  }

  async requestAndMaybeWait(templateId: string, count: number, wait?: WaitOptions): Promise<CommandOutput> {
    const result = await this.requestMachines.execute(templateId, count);
    if (!wait) return { data: result, text: `${result.requestId}  ${result.message}` };
    const view = await this.waitFor(result.requestId, wait);
    return this.statusOutput([view]);
  }

  async waitFor(requestId: string, wait: WaitOptions): Promise<RequestStatusView> {
    const deadline = Date.now() + wait.timeoutSec * 1000;
    for (;;) {
      const [view] = await this.getRequestStatus.execute([requestId]);
      wait.onProgress?.(view);
      if (view.status !== 'running' || Date.now() >= deadline) return view;
      await new Promise((resolve) => setTimeout(resolve, wait.intervalSec * 1000));
    }
  }

  async status(requestIds: string[]): Promise<CommandOutput> {
    return this.statusOutput(await this.getRequestStatus.execute(requestIds));
  }

  async returnMachines(idsOrNames: string[]): Promise<CommandOutput> {
    const result = await this.requestReturnMachines.execute(machineRefsOf(idsOrNames));
    return { data: { requestId: result.requestId, message: result.message }, text: `${result.requestId}  ${result.message}` };
  }

  async listMachines(): Promise<CommandOutput> {
    const machines = await this.activity.liveMachines();
    return { data: { machines }, text: machinesTable(machines) };
  }

  async listRequests(query: { kind?: RequestKind; status?: RequestStatus; limit?: number }): Promise<CommandOutput> {
    const requests = await this.activity.recentRequests(query);
    const costs = await this.costs.of(requests.filter((r) => r.kind === 'acquire').map((r) => r.requestId));
    const cost = (requestId: string) => {
      const usd = costs.get(requestId);
      return usd === undefined ? undefined : formatUsd(usd);
    };
    const text = formatTable(
      ['REQUEST', 'KIND', 'STATUS', 'TEMPLATE', 'COUNT', 'COST', 'CREATED', 'MESSAGE'],
      requests.map((r) => [r.requestId, r.kind, r.status, r.templateId, r.machineCount, cost(r.requestId), new Date(r.createdAt).toISOString(), r.message]),
    );
    return { data: { requests }, text };
  }

  async listTemplates(): Promise<CommandOutput> {
    const listing = await this.templates.list();
    const table = formatTable(
      ['TEMPLATE', 'MAX', 'PRICE', 'TYPES', 'SOURCE'],
      listing.templates.map((t) => [t.templateId, t.maxNumber, t.priceType, typesOf(t), t.sourceFile]),
    );
    const problems = listing.problems.length > 0 ? `\n\n${problemsMessage(listing.problems)}` : '';
    return { data: { templates: listing.templates, problems: listing.problems }, text: table + problems };
  }

  async showTemplate(templateId: string): Promise<CommandOutput> {
    const template = await this.templates.show(templateId);
    return { data: template, text: `# from ${template.sourceFile}\n${JSON.stringify(template.raw, null, 2)}` };
  }

  /** The views as HostFactory reads them for `--json`; for people, with what each acquire request has cost so far (or in all, once its hosts are gone). */
  private async statusOutput(views: RequestStatusView[]): Promise<CommandOutput> {
    const costs = await this.costs.ofMachines(views.filter((view) => view.kind === 'acquire').flatMap((view) => view.machines));
    const text = views
      .map((view) => {
        const cost = costs.get(view.requestId);
        // Once every host is gone the cost stops growing: it is the request's whole cost.
        const sofar = view.machines.some((m) => m.status !== 'terminated') ? ' so far' : '';
        const header = `${view.requestId}  ${view.status}${cost === undefined ? '' : `  cost ${formatUsd(cost)}${sofar}`}${view.message ? `  ${view.message}` : ''}`;
        const rows = view.machines.map((m) => [m.machineId, m.name, m.status, machineResult(m, view.kind), m.privateIpAddress, m.instanceType]);
        return rows.length === 0 ? header : `${header}\n${formatTable(['MACHINE', 'NAME', 'STATE', 'RESULT', 'IP', 'TYPE'], rows)}`;
      })
      .join('\n\n');
    return { data: requestStatusResponse(views), text };
  }
}

function machinesTable(machines: Machine[]): string {
  return formatTable(
    ['MACHINE', 'NAME', 'STATE', 'TEMPLATE', 'TYPE', 'PRICE', 'IP', 'REQUEST', 'RETURN'],
    machines.map((m) => [m.machineId, m.name, m.status, m.templateId, m.instanceType, m.priceType, m.privateIpAddress, m.requestId, m.returnRequestId]),
  );
}

function typesOf(template: Template): string {
  if (template.vmTypes) return Object.entries(template.vmTypes).map(([type, weight]) => `${type}:${weight}`).join(',');
  return template.vmType ?? '-';
}
