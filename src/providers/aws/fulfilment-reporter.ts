import type { CloudMachine, Machine } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import type { FulfilmentReport, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import type { ProviderApi } from '../../domain/template.js';
import { unitsOf } from '../../domain/template.js';
import { awsReason } from './ec2/aws-errors.js';
import type { InstanceListing } from './ec2/instance-gateway.js';
import type { ApiHandler, AwsContext, Observation, ObservedRequest } from './handlers/api-handler.js';
import { goneMachine, toCloudMachine } from './instance-mapper.js';
import { readProviderData, resourceIdOf, toRecord } from './provider-data.js';
import { TAG_PROVIDER, TAG_REQUEST_ID, TAG_TEMPLATE_ID } from './resource-tags.js';

/**
 * Builds the fulfilment reports of many requests with one batched call set: each handler's
 * resource describes, one DescribeInstances per 1000 instances for all requests, at most one
 * TerminateInstances for instances stuck pending, and one CreateTags per request whose instances
 * (launched by a request/maintain fleet) still lack the request tag.
 */
export class FulfilmentReporter {
  constructor(
    private readonly context: AwsContext,
    private readonly handlerOf: (api: ProviderApi) => ApiHandler,
  ) {}

  /** `unavailable`: the pools the capacity memory holds, for a launch made during the poll (see ObservedRequest). */
  async report(tracked: readonly TrackedRequest[], unavailable?: () => Promise<readonly Offering[]>): Promise<Map<string, FulfilmentReport>> {
    const reports = new Map<string, FulfilmentReport>();
    const byApi = new Map<ProviderApi, ObservedRequest[]>();
    for (const entry of tracked) {
      const data = readProviderData(entry.request.providerData);
      if (!data) {
        reports.set(entry.request.requestId, { machines: [], final: true, message: 'no AWS resource is recorded for this request' });
        continue;
      }
      byApi.set(data.api, [...(byApi.get(data.api) ?? []), { ...entry, data, unavailable }]);
    }
    const observations = new Map<string, Observation>();
    for (const [api, requests] of byApi) {
      try {
        for (const [id, observation] of await this.handlerOf(api).observe(requests)) observations.set(id, observation);
      } catch (error) {
        const message = `could not observe its ${api} resources (${awsReason(error)}); retried next poll`;
        for (const request of requests) observations.set(request.request.requestId, { instanceIds: request.data.instanceIds ?? [], owners: {}, final: false, message });
      }
    }
    const observed = [...byApi.values()].flat();
    const ids = observed.flatMap((entry) => [
      ...(observations.get(entry.request.requestId)?.instanceIds ?? []),
      ...entry.machines.filter((machine) => machine.status !== 'terminated').map((machine) => machine.machineId),
    ]);
    let listing: InstanceListing = { instances: new Map(), missing: new Set<string>() };
    try {
      if (ids.length > 0) listing = await this.context.gateway.instances.describe(ids);
    } catch (error) {
      // Nothing learnt this poll: every request keeps its machines as stored and says why.
      const message = `could not describe its instances (${awsReason(error)}); retried next poll`;
      for (const entry of observed) {
        const { providerData: changed, unavailableOfferings: learnt } = observations.get(entry.request.requestId) ?? {};
        reports.set(entry.request.requestId, { machines: [], final: false, message, ...(changed ? { providerData: toRecord(changed) } : {}), ...(learnt?.length ? { unavailableOfferings: learnt } : {}) });
      }
      return reports;
    }
    const stuck: string[] = [];
    const untagged = new Map<ObservedRequest, string[]>();
    for (const entry of observed) {
      const observation = observations.get(entry.request.requestId) ?? { instanceIds: [], owners: {}, final: false };
      const report = this.reportOf(entry, observation, listing);
      for (const id of Object.keys(report.failedMachines ?? {})) stuck.push(id);
      const lacking = report.machines.filter((machine) => machine.status !== 'terminated' && !machine.instanceTags[TAG_REQUEST_ID]);
      if (lacking.length > 0) untagged.set(entry, lacking.map((machine) => machine.machineId));
      reports.set(entry.request.requestId, report);
    }
    if (stuck.length > 0) await this.terminateStuck(stuck, reports);
    for (const [entry, instanceIds] of untagged) await this.tag(entry, instanceIds, reports.get(entry.request.requestId)!);
    return reports;
  }

  private reportOf(entry: ObservedRequest, observation: Observation, listing: InstanceListing): FulfilmentReport {
    const nowSec = Math.floor(this.context.clock.now() / 1000);
    const timeout = this.context.config.instancePendingTimeoutSec;
    const stored = new Map<string, Machine>(entry.machines.map((machine) => [machine.machineId, machine]));
    const ids = new Set([...observation.instanceIds, ...entry.machines.filter((machine) => machine.status !== 'terminated').map((machine) => machine.machineId)]);
    const machines: CloudMachine[] = [];
    const failedMachines: Record<string, string> = {};
    // An instance its fleet or group lists that DescribeInstances does not show yet (eventual consistency).
    let unseen = false;
    for (const id of ids) {
      const known = stored.get(id);
      const instance = listing.instances.get(id);
      const resourceId = observation.owners[id] ?? known?.resourceId ?? resourceIdOf(entry.data, id);
      if (instance) {
        const machine = toCloudMachine(instance, { weight: known?.weight ?? unitsOf(entry.template, instance.InstanceType), resourceId });
        if (machine.status === 'pending' && machine.launchTime > 0 && nowSec - machine.launchTime > timeout) {
          const message = `instance stayed pending for more than ${timeout} s (AWS_INSTANCE_PENDING_TIMEOUT_SEC); terminated`;
          failedMachines[id] = message;
          machine.status = 'shutting-down';
          machine.failureMessage = message;
        }
        machines.push(machine);
      } else if (known && listing.missing.has(id) && nowSec - known.launchTime > timeout) {
        machines.push(goneMachine({ ...known, resourceId: known.resourceId }));
      } else if (!known) {
        unseen = true;
      }
    }
    const report: FulfilmentReport = { machines, final: observation.final && !unseen };
    if (observation.message) report.message = observation.message;
    if (observation.providerData) report.providerData = toRecord(observation.providerData);
    if (observation.unavailableOfferings?.length) report.unavailableOfferings = observation.unavailableOfferings;
    if (Object.keys(failedMachines).length > 0) report.failedMachines = failedMachines;
    return report;
  }

  private async terminateStuck(ids: string[], reports: Map<string, FulfilmentReport>): Promise<void> {
    try {
      await this.context.gateway.instances.terminate(ids);
    } catch (error) {
      this.context.logger.error({ instanceIds: ids, error: awsReason(error) }, 'could not terminate instances stuck pending');
      const kept = new Set(ids);
      for (const report of reports.values()) {
        if (!report.failedMachines) continue;
        for (const id of Object.keys(report.failedMachines)) if (kept.has(id)) delete report.failedMachines[id];
        for (const machine of report.machines) {
          if (kept.has(machine.machineId)) {
            machine.status = 'pending';
            delete machine.failureMessage;
          }
        }
      }
    }
  }

  /** Tags fleet-launched instances with their request, and reports the tags on the machines tagged. */
  private async tag(entry: ObservedRequest, instanceIds: string[], report: FulfilmentReport): Promise<void> {
    const tags = { [TAG_REQUEST_ID]: entry.request.requestId, [TAG_PROVIDER]: entry.request.providerName };
    if (entry.request.templateId) Object.assign(tags, { [TAG_TEMPLATE_ID]: entry.request.templateId });
    try {
      await this.context.gateway.instances.tag(instanceIds, tags);
      const tagged = new Set(instanceIds);
      for (const machine of report.machines) if (tagged.has(machine.machineId)) machine.instanceTags = { ...machine.instanceTags, ...tags };
    } catch (error) {
      this.context.logger.warn({ requestId: entry.request.requestId, error: awsReason(error) }, 'could not tag fleet instances');
    }
  }
}
