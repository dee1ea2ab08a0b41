import { HostFactoryError } from '../../../domain/errors.js';
import type { Machine } from '../../../domain/machine.js';
import type { RememberedOffering } from '../../../domain/offering.js';
import type { Request } from '../../../domain/request.js';

export const JSON_STORE_FORMAT = 'hostfactory-store';
export const JSON_STORE_FORMAT_VERSION = 1;

/** A lease on a cloud resource (see JsonResourceLease). */
export interface JsonLease {
  holder: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** The whole JSON store: one pretty-printed document, entities keyed by id. */
export interface JsonStoreDocument {
  format: typeof JSON_STORE_FORMAT;
  formatVersion: number;
  requests: Record<string, Request>;
  machines: Record<string, Machine>;
  /** Leases held now, keyed by resource; absent when none is (and in files older than leases). */
  leases?: Record<string, JsonLease>;
  /**
   * Pools remembered out of capacity, keyed `type|zone|market` (see JsonCapacityMemory); absent
   * when none is (and in files older than the capacity memory).
   */
  unavailableOfferings?: Record<string, RememberedOffering>;
}

export function emptyDocument(): JsonStoreDocument {
  return { format: JSON_STORE_FORMAT, formatVersion: JSON_STORE_FORMAT_VERSION, requests: {}, machines: {} };
}

export function serializeDocument(document: JsonStoreDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Parses the store file's text. A file that is not a store document is never reset: it throws
 * CONFIG_INVALID naming the file, so an administrator can repair or move it.
 */
export function parseDocument(text: string, file: string): JsonStoreDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `it is not valid JSON (${(error as Error).message})`, error);
  }
  if (!isRecord(value)) throw corrupt(file, 'it does not hold a JSON object');
  if (value.format !== JSON_STORE_FORMAT) throw corrupt(file, `its "format" is not "${JSON_STORE_FORMAT}"`);
  if (typeof value.formatVersion !== 'number' || value.formatVersion > JSON_STORE_FORMAT_VERSION) {
    throw corrupt(file, `its "formatVersion" is not one this version reads (<= ${JSON_STORE_FORMAT_VERSION})`);
  }
  if (!isRecord(value.requests)) throw corrupt(file, '"requests" is not an object');
  if (!isRecord(value.machines)) throw corrupt(file, '"machines" is not an object');
  if (value.leases !== undefined && !isRecord(value.leases)) throw corrupt(file, '"leases" is not an object');
  if (value.unavailableOfferings !== undefined && !isRecord(value.unavailableOfferings)) throw corrupt(file, '"unavailableOfferings" is not an object');
  return value as unknown as JsonStoreDocument;
}

function corrupt(file: string, reason: string, cause?: unknown): HostFactoryError {
  return new HostFactoryError(
    'CONFIG_INVALID',
    `The JSON store file ${file} is unreadable: ${reason}. It was left untouched; repair it or move it away.`,
    { cause },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
