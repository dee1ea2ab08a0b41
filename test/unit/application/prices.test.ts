import { describe, expect, it } from 'vitest';
import { PriceSettings } from '../../../src/application/cached-prices.js';
import { GetAvailableTemplates } from '../../../src/application/get-available-templates.js';
import { RequestCosts } from '../../../src/application/request-costs.js';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { RequestReturnMachines } from '../../../src/application/request-return-machines.js';
import { TemplatePrices } from '../../../src/application/template-prices.js';
import { Logger } from '../../../src/domain/ports/logger.js';
import { PriceCache } from '../../../src/domain/ports/price-cache.js';
import { PriceSource } from '../../../src/domain/ports/price-source.js';
import type { PriceSheet } from '../../../src/domain/price.js';
import type { Template } from '../../../src/domain/template.js';
import { PeopleCommands } from '../../../src/infrastructure/cli/people-commands.js';
import { aTemplate } from '../../support/mothers.js';
import { useCaseContainer } from '../../support/test-container.js';

const OWN_PRICE = aTemplate({ templateId: 'Own', vmType: 'm5.large', attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '8192'], priceInfo: ['String', 'price:9'] } });
const TEMPLATES = [aTemplate({ templateId: 'Small', vmType: 't3.medium' }), OWN_PRICE];

class InMemoryPriceCache implements PriceCache {
  sheet?: PriceSheet;
  reads = 0;
  async read() {
    this.reads += 1;
    return this.sheet;
  }
  async write(sheet: PriceSheet) {
    this.sheet = sheet;
  }
}

/** A cloud whose every type costs 0.04 on demand (0.05 outside its own region `test-1`) and 0.01 / 0.02 spot in two zones, recording each fetch. */
class RecordingPriceSource implements PriceSource {
  readonly fetches: string[][] = [];
  readonly elsewhere: Array<Readonly<Record<string, readonly string[]>> | undefined> = [];
  constructor(private readonly clock: { now(): number }) {}
  async fetch(types: readonly string[], elsewhere?: Readonly<Record<string, readonly string[]>>): Promise<PriceSheet> {
    this.fetches.push([...types]);
    this.elsewhere.push(elsewhere);
    const prices = (list: readonly string[], onDemand: number) => ({
      onDemand: Object.fromEntries(list.map((type) => [type, onDemand])),
      spot: Object.fromEntries(list.map((type) => [type, { 'test-1a': 0.02, 'test-1b': 0.01 }])),
    });
    const others = Object.fromEntries(Object.entries(elsewhere ?? {}).map(([region, list]) => [region, prices(list, 0.05)]));
    return { fetchedAt: this.clock.now(), region: 'test-1', regions: { 'test-1': prices(types, 0.04), ...others } };
  }
}

async function pricedContainer(templates: Template[] = TEMPLATES, priceInfo: 'off' | 'auto' = 'auto') {
  const context = await useCaseContainer(templates);
  const cache = new InMemoryPriceCache();
  const source = new RecordingPriceSource(context.clock);
  const warnings: string[] = [];
  context.container.rebind(PriceCache).toConstantValue(cache);
  context.container.rebind(PriceSource).toConstantValue(source);
  context.container.rebind(PriceSettings).toConstantValue(new PriceSettings(3600, priceInfo));
  context.container.rebind(Logger).toConstantValue({ debug() {}, info() {}, warn: (_fields: unknown, message: string) => warnings.push(message), error() {} });
  return { ...context, cache, source, warnings };
}

describe('hostfactory prices', () => {
  it('fetches the types of every template once, then answers from the cache until the TTL is over', async () => {
    const { container, source, cache, clock } = await pricedContainer();
    const first = await container.get(TemplatePrices).execute(['Small']);
    expect(first).toMatchObject({ refreshed: true, region: 'test-1', fetchedAt: clock.now() });
    expect(first.templates.map((template) => [template.templateId, template.effectivePerUnit])).toEqual([['Small', 0.04]]);
    expect(source.fetches).toEqual([['m5.large', 't3.medium']]);
    expect(cache.sheet?.fetchedAt).toBe(clock.now());

    clock.time += 3_599_000;
    expect((await container.get(TemplatePrices).execute([])).refreshed).toBe(false);
    expect(source.fetches).toHaveLength(1);

    clock.time += 1000;
    expect((await container.get(TemplatePrices).execute([])).refreshed).toBe(true);
    expect((await container.get(TemplatePrices).execute([], true)).refreshed).toBe(true);
    expect(source.fetches).toHaveLength(3);
  });

  it('prices each region a template names with that region\'s types, and fetches again when a region lacks one', async () => {
    const west = aTemplate({ templateId: 'West', vmType: 'c5.large', region: 'test-2' });
    const { container, source } = await pricedContainer([...TEMPLATES, west]);
    const report = await container.get(TemplatePrices).execute([]);
    expect(source.fetches).toEqual([['m5.large', 't3.medium']]);
    expect(source.elsewhere).toEqual([{ 'test-2': ['c5.large'] }]);
    expect(report.templates.map((template) => [template.templateId, template.region, template.effectivePerUnit])).toEqual([
      ['Small', 'test-1', 0.04],
      ['Own', 'test-1', 0.04],
      ['West', 'test-2', 0.05],
    ]);

    const cached = await pricedContainer([aTemplate({ templateId: 'West', vmType: 't3.medium', region: 'test-2' })]);
    cached.cache.sheet = { ...(await source.fetch(['t3.medium'])), fetchedAt: cached.clock.now() };
    expect((await cached.container.get(TemplatePrices).execute([])).refreshed, 't3.medium is priced in test-1, not in test-2').toBe(true);
  });

  it('refuses an unknown template id', async () => {
    const { container, source } = await pricedContainer();
    await expect(container.get(TemplatePrices).execute(['Nope'])).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    expect(source.fetches).toEqual([]);
  });
});

describe('priceInfo in getAvailableTemplates (PRICE_INFO=auto)', () => {
  const priceInfos = async (container: Awaited<ReturnType<typeof pricedContainer>>['container']) =>
    Object.fromEntries((await container.get(GetAvailableTemplates).execute()).templates.map(({ template }) => [template.templateId, template.attributes.priceInfo]));

  it('gives a template without one the cached effective price, keeps a template\'s own, and asks no cloud', async () => {
    const { container, source } = await pricedContainer();
    await container.get(TemplatePrices).execute([]);
    expect(await priceInfos(container)).toEqual({
      Small: ['String', 'price:0.04,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit'],
      Own: ['String', 'price:9'],
    });
    expect(source.fetches).toHaveLength(1);
  });

  it('leaves priceInfo out and says so when the cache is stale or missing, without asking the cloud', async () => {
    const { container, source, clock, warnings } = await pricedContainer();
    expect((await priceInfos(container)).Small).toBeUndefined();
    await container.get(TemplatePrices).execute([]);
    clock.time += 3_600_000;
    expect((await priceInfos(container)).Small).toBeUndefined();
    expect(source.fetches).toHaveLength(1);
    expect(warnings).toEqual([expect.stringContaining('missing'), expect.stringContaining('stale')]);
    expect(warnings[1]).toContain('hostfactory prices --refresh');
  });

  it('does not read the cache when PRICE_INFO is off', async () => {
    const { container, cache } = await pricedContainer(TEMPLATES, 'off');
    await container.get(TemplatePrices).execute([]);
    const reads = cache.reads;
    expect((await priceInfos(container)).Small).toBeUndefined();
    expect(cache.reads).toBe(reads);
  });
});

describe('running cost of requests, for people', () => {
  it('is units × price × hours since launch, in `requests list` and `requests status`, never in the HostFactory JSON', async () => {
    const { container, clock } = await pricedContainer();
    await container.get(TemplatePrices).execute([]);
    const { requestId } = await container.get(RequestMachines).execute('Small', 2);
    clock.time += 90 * 60_000;

    expect((await container.get(RequestCosts).of([requestId])).get(requestId)).toBeCloseTo(2 * 0.04 * 1.5);
    const people = container.get(PeopleCommands);
    const list = await people.listRequests({});
    expect(list.text.split('\n')[0]).toContain('COST');
    expect(list.text).toContain('$0.1200');
    const status = await people.status([requestId]);
    expect(status.text.split('\n')[0]).toContain('cost $0.1200 so far');
    expect(JSON.stringify(status.data)).not.toMatch(/cost/i);
  });

  it('stops growing once every host is gone, and no longer says "so far"', async () => {
    const { container, clock, cloud } = await pricedContainer();
    await container.get(TemplatePrices).execute([]);
    const { requestId } = await container.get(RequestMachines).execute('Small', 2);
    const [acquired] = await container.get(GetRequestStatus).execute([requestId]);
    clock.time += 30 * 60_000;
    const returned = await container.get(RequestReturnMachines).execute(acquired.machines.map((m) => ({ name: m.name, machineId: m.machineId })));
    cloud.setState('terminated');
    expect((await container.get(GetRequestStatus).execute([returned.requestId]))[0].status).toBe('complete');
    clock.time += 5 * 3_600_000;

    const [finished] = await container.get(GetRequestStatus).execute([requestId]);
    expect(finished.machines.map((m) => m.status)).toEqual(['terminated', 'terminated']);
    const header = (await container.get(PeopleCommands).status([requestId])).text.split('\n')[0];
    expect(header).toContain(`cost $0.0400`);
    expect(header).not.toContain('so far');
  });

  it('is left out when no price is cached', async () => {
    const { container } = await pricedContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 1);
    expect((await container.get(RequestCosts).of([requestId])).size).toBe(0);
    expect((await container.get(PeopleCommands).status([requestId])).text).not.toContain('cost');
  });
});
