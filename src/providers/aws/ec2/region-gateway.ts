import { send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';

export interface RegionProbe {
  zones: string[];
  /** The time in the answer's `Date` header (epoch ms, whole seconds), when it had one. */
  serverTime?: number;
}

/** DescribeAvailabilityZones: the cheapest call that proves the credentials and the region; its `Date` header tells AWS's clock. */
export class RegionGateway {
  constructor(private readonly clients: RegionalClients) {}

  async probe(): Promise<RegionProbe> {
    const { sdk, client } = await this.clients.ec2();
    const command = new sdk.DescribeAvailabilityZonesCommand({});
    let serverTime: number | undefined;
    command.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const date = (result.response as { headers?: Record<string, string> }).headers?.date;
        if (date && !Number.isNaN(Date.parse(date))) serverTime = Date.parse(date);
        return result;
      },
      { step: 'deserialize', name: 'hostfactoryServerDate' },
    );
    const output = await send('ec2:DescribeAvailabilityZones', () => client.send(command));
    return { zones: (output.AvailabilityZones ?? []).flatMap((zone) => (zone.ZoneName ? [zone.ZoneName] : [])), serverTime };
  }
}
