import { z } from 'zod';
import { parseInstanceTags } from '../../domain/template.js';
import { templateAttributesSchema } from './template-attributes-schema.js';

const TEMPLATE_ID = /^[0-9A-Za-z_-]{1,64}$/;
const NUMERIC_TEXT = /^\s*-?[0-9]+(\.[0-9]+)?\s*$/;
/** An AWS region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const text = z.string().min(1, 'must not be empty');
const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');

/** A list of strings written as a list, a single string, or a comma-separated string. */
const stringList = z
  .union([z.string(), z.array(z.string())], { error: 'must be a string or a list of strings' })
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** Instance type → weight (or priority). */
const typeTable = (value: z.ZodNumber) =>
  z.record(text, value, { error: 'must be an object of instance type → number' });

const numberOrNumericString = z.union(
  [
    z.number(),
    z
      .string()
      .regex(NUMERIC_TEXT, 'must be a number')
      .transform((value) => Number(value)),
  ],
  { error: 'must be a number or a numeric string' },
);

/** The fields of IBM's template format (CONTRACT.md § awsprov_templates.json) this project reads. */
export const templateSchema = z
  .object({
    templateId: z.string().regex(TEMPLATE_ID, 'must be 1 to 64 characters of 0-9, A-Z, a-z, _ and -'),
    maxNumber: z.number().int('must be a whole number').min(-1, 'must be -1 or more').max(10000, 'must be 10000 or less'),
    attributes: templateAttributesSchema,
    priceType: z.enum(['ondemand', 'spot', 'heterogeneous']).default('ondemand'),
    providerApi: z.enum(['RunInstances', 'EC2Fleet', 'SpotFleet', 'ASG']).optional(),
    fleetType: z.enum(['instant', 'request', 'maintain']).optional(),
    imageId: text.optional(),
    subnetId: stringList.optional(),
    vmType: text.optional(),
    vmTypes: typeTable(positiveInt).optional(),
    vmTypesOnDemand: typeTable(positiveInt).optional(),
    vmTypesPriority: typeTable(z.number().min(0, 'must be 0 or more')).optional(),
    fleetRole: text.optional(),
    maxSpotPrice: numberOrNumericString.pipe(z.number().positive('must be greater than 0')).optional(),
    spotFleetRequestExpiry: positiveInt.optional(),
    allocationStrategy: z
      .enum(['capacityOptimized', 'capacityOptimizedPrioritized', 'diversified', 'lowestPrice', 'priceCapacityOptimized'])
      .optional(),
    allocationStrategyOnDemand: z.enum(['lowestPrice', 'prioritized']).optional(),
    percentOnDemand: z.number().min(0, 'must be 0 or more').max(100, 'must be 100 or less').optional(),
    poolsCount: positiveInt.optional(),
    rootDeviceVolumeSize: positiveInt.optional(),
    volumeType: z.enum(['gp2', 'gp3', 'io1', 'io2', 'standard']).optional(),
    iops: positiveInt.optional(),
    instanceTags: z
      .union([z.string(), z.record(z.string(), z.string())], { error: 'must be a "key=value;key2=value2" string' })
      .transform((value) => (typeof value === 'string' ? parseInstanceTags(value) : value))
      .optional(),
    keyName: text.optional(),
    securityGroupIds: stringList.optional(),
    instanceProfile: text.optional(),
    userDataScript: text.optional(),
    launchTemplateId: text.optional(),
    region: z.string().regex(REGION, 'must be a region name such as eu-west-1').optional(),
  })
  .superRefine((template, ctx) => {
    const hasTypes = template.vmTypes !== undefined && Object.keys(template.vmTypes).length > 0;
    if (template.vmType === undefined && !hasTypes) {
      ctx.addIssue({ code: 'custom', path: ['vmType'], message: 'a template needs vmType or a non-empty vmTypes' });
    }
  });

export type ParsedTemplateFields = z.output<typeof templateSchema>;
