import type { OpeningHours } from '../../db/schema.ts';
import { openingHoursProblem } from '../calls/opening-hours.ts';
import { ApiError } from './errors.ts';

/** Opening hours in a request body (a queue's, an IVR menu's) the schema cannot check: the time zone, each range's order. */
export function checkOpeningHours(body: { openingHours?: OpeningHours | null | undefined }): void {
  if (!body.openingHours) return;
  const problem = openingHoursProblem(body.openingHours, 'body.openingHours');
  if (problem !== null) throw new ApiError('ERR_VALIDATION', problem, problem.split(':')[0]);
}
