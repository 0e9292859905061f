/** What every API family of the simulator shares: the handler shape and how answers, lists and pages are written. */
import type { EndpointName } from '../../chorus/contract/endpoints.js';
import type { InvoiceActions } from '../actions.js';
import { BUSINESS_ERRORS } from '../business-errors.js';
import type { LifecycleEngine } from '../engine.js';
import type { Faults } from '../faults.js';
import type { SimAccount } from '../model.js';
import type { Variants } from '../variants.js';
import type { ChorusWorld } from '../world.js';

export interface ApiContext {
  world: ChorusWorld;
  engine: LifecycleEngine;
  actions: InvoiceActions;
  faults: Faults;
  variants: Variants;
}

export type Body = Record<string, unknown>;
export type Handler = (account: SimAccount, body: Body) => Body | Promise<Body>;
export type Handlers = Partial<Record<EndpointName, Handler>>;

export const ok = (libelle: string, body: Body): Body => ({ codeRetour: 0, libelle, ...body });

/** A list, or its only element as a bare object when that variant is on. */
export const list = <T>(variants: Variants, items: T[]): T[] | T =>
  variants.singleObjectLists && items.length === 1 ? items[0]! : items;

/** An empty search: an empty list, or codeRetour 20000 when that variant is on (null: answer the list). */
export function emptySearch(variants: Variants, count: number): Body | null {
  if (count > 0 || variants.emptySearch !== 'no-result-code') return null;
  const { codeRetour, key } = BUSINESS_ERRORS.search.noResult;
  return { codeRetour, libelle: key };
}

const positive = (value: unknown, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);

/** One page of a result (pages are 1-based; 10 results a page unless asked). */
export function paginate<T>(items: T[], page: unknown, perPage: unknown) {
  const size = positive(perPage, 10);
  const current = positive(page, 1);
  return {
    slice: items.slice((current - 1) * size, current * size),
    parametresRetour: {
      pageCourante: current,
      pages: Math.max(1, Math.ceil(items.length / size)),
      nbResultatsParPage: size,
      total: items.length,
    },
  };
}

/** A text field of a request, or null. */
export const textOf = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
export const objectOf = (value: unknown): Body =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
