import { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';

/** Settings of the simulated cloud: timings and fault injection (every fault is off by default). */
export interface SimConfig {
  /** Seconds an instance stays `pending` after launch. */
  bootDelaySec: number;
  /** Seconds an instance stays `shutting-down` after release. */
  shutdownDelaySec: number;
  /** Makes ids and fault choices reproducible; random when absent. */
  seed?: string;
  /** instance type → most live instances of that type the sim will hold; types not listed are unlimited. */
  capacity: Record<string, number>;
  /** Chance (0..1) that an instance fails to boot. */
  launchFailureRate: number;
  /** Chance (0..1) that a spot instance is interrupted. */
  interruptionRate: number;
  /** Seconds after launch when a chosen spot instance gets its interruption notice. */
  interruptionAfterSec: number;
  /** Seconds between the notice and the instance's termination. */
  interruptionGraceSec: number;
}

const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);

const seconds = (fallback: number) => numeric(z.number().finite().min(0)).default(fallback);
const rate = numeric(z.number().min(0).max(1)).default(0);

const capacity = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z.record(z.string().min(1), z.number().int().min(0)),
);

/** The `SIM_*` keys of a provider config file, as written there, with their defaults. */
export const simConfigSchema = z.object({
  SIM_BOOT_DELAY_SEC: seconds(2),
  SIM_SHUTDOWN_DELAY_SEC: seconds(1),
  SIM_SEED: z.union([z.string().min(1), z.number()]).optional(),
  SIM_CAPACITY: capacity.default({}),
  SIM_LAUNCH_FAILURE_RATE: rate,
  SIM_INTERRUPTION_RATE: rate,
  SIM_INTERRUPTION_AFTER_SEC: seconds(60),
  SIM_INTERRUPTION_GRACE_SEC: seconds(120),
});

const KNOWN_KEYS = new Set(Object.keys(simConfigSchema.shape));

/**
 * The whole config file as the sim reads it: its `SIM_*` keys validated (an unknown `SIM_` key is
 * an error naming the known ones), other keys let through for their owners; the sim plugin's
 * config schema.
 */
export const simFileSchema = z
  .looseObject(simConfigSchema.shape)
  .superRefine((raw, context) => {
    for (const key of Object.keys(raw).filter((name) => name.startsWith('SIM_') && !KNOWN_KEYS.has(name))) {
      context.addIssue({ code: 'custom', path: [key], message: `unknown key (known: ${[...KNOWN_KEYS].join(', ')})` });
    }
  })
  .transform(
    (value): SimConfig => ({
      bootDelaySec: value.SIM_BOOT_DELAY_SEC,
      shutdownDelaySec: value.SIM_SHUTDOWN_DELAY_SEC,
      seed: value.SIM_SEED === undefined ? undefined : String(value.SIM_SEED),
      capacity: value.SIM_CAPACITY,
      launchFailureRate: value.SIM_LAUNCH_FAILURE_RATE,
      interruptionRate: value.SIM_INTERRUPTION_RATE,
      interruptionAfterSec: value.SIM_INTERRUPTION_AFTER_SEC,
      interruptionGraceSec: value.SIM_INTERRUPTION_GRACE_SEC,
    }),
  );

/** Reads the `SIM_*` keys of `raw`. Throws CONFIG_INVALID naming `file` and the key when a value is invalid or a `SIM_` key is unknown. */
export function parseSimConfig(raw: Record<string, unknown>, file: string): SimConfig {
  const parsed = simFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.map(String).join('.');
    throw new HostFactoryError('CONFIG_INVALID', `${file}: ${key}: ${issue.message}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** The defaults: no faults, 2 s boot, 1 s shutdown. */
export function defaultSimConfig(): SimConfig {
  return parseSimConfig({}, '<defaults>');
}
