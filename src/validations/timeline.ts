/** A validation's timeline: what happened to it, dated, in one JSON list on its row (see the entity's version). */
import type { Validation } from '../db/entities/validation.js';

export function addEvent(validation: Validation, at: Date, type: string, message: string): void {
  validation.timeline = [...validation.timeline, { at: at.toISOString(), type, message }];
}
