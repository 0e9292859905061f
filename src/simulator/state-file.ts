/**
 * The simulator's state on disk, so that a restarted `npm start` finds the fluxes and invoices the relay
 * knows: a JSON file written (to a temporary name, then renamed) shortly after each change, and read at start.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SimAccount, SimAttachment, SimFlux, SimInvoice, SimStructure } from './model.js';
import type { ChorusWorld } from './world.js';

const VERSION = 1;

type StoredInvoice = Omit<SimInvoice, 'supplier' | 'recipient' | 'service'> & {
  supplierSiret: string;
  recipientSiret: string;
  serviceCode: string | null;
};

interface StoredState {
  version: number;
  clockOffsetMs: number;
  next: ChorusWorld['next'];
  accounts: SimAccount[];
  fluxes: SimFlux[];
  invoices: StoredInvoice[];
  attachments: Array<[number, SimAttachment]>;
  depositsByInvoiceNumber: Array<[string, number]>;
}

function snapshot(world: ChorusWorld): StoredState {
  return {
    version: VERSION,
    clockOffsetMs: world.clock.offsetMs,
    next: world.next,
    accounts: world.seed.accounts,
    fluxes: world.fluxOrder,
    invoices: [...world.invoices.values()].map(({ supplier, recipient, service, ...rest }) => ({
      ...rest,
      supplierSiret: supplier.siret,
      recipientSiret: recipient.siret,
      serviceCode: service?.codeService ?? null,
    })),
    attachments: [...world.attachments],
    depositsByInvoiceNumber: [...world.depositsByInvoiceNumber],
  };
}

/** Loads the state kept in `path` into a new world, if the file exists. Returns how many invoices came back. */
export function restoreState(world: ChorusWorld, path: string): number {
  if (!existsSync(path)) return 0;
  const state = JSON.parse(readFileSync(path, 'utf8')) as StoredState;
  if (state.version !== VERSION)
    throw new Error(
      `The simulator state file ${path} is of version ${state.version}, not ${VERSION}: remove it to start afresh`,
    );
  world.clock.offsetMs = state.clockOffsetMs;
  for (const key of Object.keys(world.next) as Array<keyof ChorusWorld['next']>)
    world.next[key] = Math.max(world.next[key], state.next[key]);
  world.seed.accounts = state.accounts;
  for (const flux of state.fluxes) world.addFlux(flux);
  const structure = (siret: string): SimStructure => {
    const found = world.structureBySiret(siret);
    if (!found)
      throw new Error(
        `The simulator state file ${path} names structure ${siret}, which the seed or scenario no longer has: remove the file to start afresh`,
      );
    return found;
  };
  for (const { supplierSiret, recipientSiret, serviceCode, ...rest } of state.invoices) {
    const recipient = structure(recipientSiret);
    world.invoices.set(rest.id, {
      ...rest,
      supplier: structure(supplierSiret),
      recipient,
      service: recipient.services.find((s) => s.codeService === serviceCode) ?? null,
    });
  }
  for (const [id, attachment] of state.attachments) world.attachments.set(id, attachment);
  for (const [number, count] of state.depositsByInvoiceNumber) world.depositsByInvoiceNumber.set(number, count);
  return world.invoices.size;
}

/** How long a write that failed (no file descriptor left, a full disk) waits before it is tried again. */
const RETRY_MS = 1_000;

/**
 * Keeps the world in `path`: `schedule` after each change (writes are grouped), `flush` at close. A write that fails
 * is tried again later, never thrown: the simulator keeps answering, and the file catches up.
 */
export function keepState(
  world: ChorusWorld,
  path: string,
  onError: (error: unknown) => void = () => undefined,
): { schedule(): void; flush(): void } {
  let timer: NodeJS.Timeout | null = null;
  const write = (): boolean => {
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(snapshot(world)));
      renameSync(`${path}.tmp`, path);
      return true;
    } catch (error) {
      onError(error);
      return false;
    }
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!write()) timer = setTimeout(flush, RETRY_MS).unref();
  };
  return {
    schedule() {
      timer ??= setTimeout(flush, 200).unref();
    },
    flush,
  };
}
