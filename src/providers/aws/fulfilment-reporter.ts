import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { CloudMachine, Machine } from '../../domain/machine.js';
import type { FulfilmentReport, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import type { ProviderApi } from '../../domain/template.js';
import { unitsOf } from '../../domain/template.js';
import type { ApiHandler, AwsContext, Observation, ObservedRequest } from './api-handler.js';
import { awsReason } from './aws-error-classifier.js';
import { chunk, describeInstances, DESCRIBE_CHUNK, type InstanceListing } from './instance-reader.js';
import { goneMachine, toCloudMachine } from './instance-mapper.js';
import { terminateInstances } from './instance-terminator.js';
import { readProviderData, resourceIdOf, toRecord } from './provider-data.js';
import { TAG_PROVIDER, TAG_REQUEST_ID, TAG_TEMPLATE_ID, toEc2Tags } from './resource-tags.js';

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

  async report(tracked: readonly TrackedRequest[]): Promise<Map<string, FulfilmentReport>> {
    const reports = new Map<string, FulfilmentReport>();
    const byApi = new Map<ProviderApi, ObservedRequest[]>();
    for (const entry of tracked) {
      const data = readProviderData(entry.request.providerData);
      if (!data) {
        reports.set(entry.request.requestId, { machines: [], final: true, message: 'no AWS resource is recorded for this request' });
        continue;
      }
      byApi.set(data.api, [...(byApi.get(data.api) ?? []), { ...entry, data }]);
    }
    const observations = new Map<string, Observation>();
    for (const [api, requests] of byApi) {
      for (const [id, observation] of await this.handlerOf(api).observe(requests)) observations.set(id, observation);
    }
    const observed = [...byApi.values()].flat();
    const ids = observed.flatMap((entry) => [
      ...(observations.get(entry.request.requestId)?.instanceIds ?? []),
      ...entry.machines.filter((machine) => machine.status !== 'terminated').map((machine) => machine.machineId),
    ]);
    const ec2 = await this.context.clients.ec2();
    const listing = ids.length > 0 ? await describeInstances(ec2, this.context.config, ids) : { instances: new Map(), missing: new Set<string>() };
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
      }
    }
    const report: FulfilmentReport = { machines, final: observation.final };
    if (observation.message) report.message = observation.message;
    if (observation.providerData) report.providerData = toRecord(observation.providerData);
    if (Object.keys(failedMachines).length > 0) report.failedMachines = failedMachines;
    return report;
  }

  private async terminateStuck(ids: string[], reports: Map<string, FulfilmentReport>): Promise<void> {
    try {
      await terminateInstances(await this.context.clients.ec2(), ids);
    } catch (error) {
      this.context.logger.error({ instanceIds: ids, error: awsReason((error as { cause?: unknown }).cause ?? error) }, 'could not terminate instances stuck pending');
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
    const ec2 = await this.context.clients.ec2();
    for (const part of chunk(instanceIds, DESCRIBE_CHUNK)) {
      try {
        await ec2.send(new CreateTagsCommand({ Resources: part, Tags: toEc2Tags(tags) }));
        const tagged = new Set(part);
        for (const machine of report.machines) if (tagged.has(machine.machineId)) machine.instanceTags = { ...machine.instanceTags, ...tags };
      } catch (error) {
        this.context.logger.warn({ requestId: entry.request.requestId, error: awsReason(error) }, 'could not tag fleet instances');
      }
    }
  }
}
