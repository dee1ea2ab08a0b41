/** One page of a fleet's active instances, as DescribeFleetInstances and DescribeSpotFleetInstances answer. */
export interface ActiveInstancesPage {
  ActiveInstances?: Array<{ InstanceId?: string }>;
  NextToken?: string;
}

/** Every active instance id of a fleet, following NextToken through all pages. */
export async function activeInstanceIds(fetchPage: (nextToken: string | undefined) => Promise<ActiveInstancesPage>): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    for (const instance of page.ActiveInstances ?? []) if (instance.InstanceId) ids.push(instance.InstanceId);
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}
