/**
 * The simulator's state file: a write that fails (no file descriptor left, a folder gone) is reported and tried
 * again, never thrown, so `npm start` keeps running (it crashed with EMFILE during a connection flood).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSeed } from '../../src/simulator/model.js';
import { keepState } from '../../src/simulator/state-file.js';
import { ChorusWorld } from '../../src/simulator/world.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the simulator state file', () => {
  it('survives a write that fails, and catches up once it can write', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sim-state-'));
    folders.push(root);
    const path = join(root, 'not-yet', 'state.json');
    const errors: unknown[] = [];
    const kept = keepState(new ChorusWorld(loadSeed()), path, (error) => errors.push(error));
    expect(() => kept.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
    mkdirSync(join(root, 'not-yet'));
    await expect.poll(() => existsSync(path), { timeout: 10_000 }).toBe(true);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { version: number }).version).toBe(1);
  });
});
