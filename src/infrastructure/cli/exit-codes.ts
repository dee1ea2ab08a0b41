import type { HostFactoryErrorCode } from '../../domain/errors.js';

/**
 * Exit codes of every command and HostFactory script:
 * 0 success; 1 the operation failed in the cloud, the store or internally; 2 the input was
 * rejected (malformed JSON, unknown template or request, bad count); 3 the configuration is invalid.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID_INPUT = 2;
export const EXIT_CONFIG_INVALID = 3;

export function exitCodeFor(code: HostFactoryErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'TEMPLATE_NOT_FOUND':
    case 'REQUEST_NOT_FOUND':
      return EXIT_INVALID_INPUT;
    case 'CONFIG_INVALID':
      return EXIT_CONFIG_INVALID;
    default:
      return EXIT_FAILED;
  }
}
