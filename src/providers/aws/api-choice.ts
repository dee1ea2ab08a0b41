import type { FleetType, ProviderApi, Template } from '../../domain/template.js';

export interface ApiChoice {
  api: ProviderApi;
  fleetType?: FleetType;
}

/**
 * The EC2 API of a template: its `providerApi`/`fleetType` when written; otherwise IBM's meaning
 * of `priceType`: `ondemand` → RunInstances; `spot` and `heterogeneous` → a Spot Fleet of type
 * `request` (EC2 Fleet `instant` when no `fleetRole` is given, since Spot Fleet needs one).
 * Fleets default to `instant` (EC2 Fleet) and `request` (Spot Fleet, which has no instant type).
 */
export function chooseApi(template: Template): ApiChoice {
  const api = template.providerApi ?? defaultApi(template);
  switch (api) {
    case 'EC2Fleet':
      return { api, fleetType: template.fleetType ?? 'instant' };
    case 'SpotFleet':
      return { api, fleetType: template.fleetType === 'maintain' ? 'maintain' : 'request' };
    default:
      return { api };
  }
}

function defaultApi(template: Template): ProviderApi {
  if (template.priceType === 'ondemand') return 'RunInstances';
  return template.fleetRole ? 'SpotFleet' : 'EC2Fleet';
}
