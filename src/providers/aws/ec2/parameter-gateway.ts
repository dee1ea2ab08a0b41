import { send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';

/** SSM GetParameter, for AMI ids kept in parameters (`/aws/service/ami-…`); SSM is loaded on first use. */
export class ParameterGateway {
  constructor(private readonly clients: RegionalClients) {}

  async value(name: string): Promise<string | undefined> {
    const { sdk, client } = await this.clients.ssm();
    const output = await send('ssm:GetParameter', () => client.send(new sdk.GetParameterCommand({ Name: name })));
    return output.Parameter?.Value;
  }
}
