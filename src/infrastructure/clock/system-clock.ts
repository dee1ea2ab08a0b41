import { injectable } from 'inversify';
import type { Clock } from '../../domain/ports/clock.js';

@injectable()
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
