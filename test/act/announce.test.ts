/** announce: the GitHub deployment's state after the verdict, for a release that is or is no longer live. */
import { describe, expect, it, vi } from 'vitest';
import { announce } from '../../src/act';
import type { ActPort } from '../../src/act/port';
import { loadConfig } from '../../src/config/load';
import { failReport, passReport } from '../report/fixtures';

const config = loadConfig(
  (n) => ({ 'sentry-auth-token': 'sntrys_announce_test', 'sentry-org': 'acme', 'sentry-projects': 'shop-web', release: 'shop-web@2.0.0' })[n as string],
  {},
);
const SUPERSEDED = { kind: 'superseded', workflow: null, newerRelease: 'shop-web@2.0.1', deployedAt: '2026-11-26T12:05:00.000Z' } as const;

function port() {
  const deploymentStatus = vi.fn(async () => {});
  const p: ActPort = { deploymentStatus, notifiers: [], log: { info() {}, notice() {}, warning() {} }, secrets: [] };
  return { p, deploymentStatus };
}

describe('announce: the deployment status', () => {
  it('a superseded fail is a failure though the job does not fail; a superseded pass is a success', async () => {
    const fail = port();
    await announce(fail.p, config, failReport({ action: SUPERSEDED }), { failed: false, cancelled: false });
    expect(fail.deploymentStatus).toHaveBeenCalledWith('failure', 'Release health: fail');
    const pass = port();
    await announce(pass.p, config, passReport({ action: SUPERSEDED }), { failed: false, cancelled: false });
    expect(pass.deploymentStatus).toHaveBeenCalledWith('success', 'Release health: pass');
  });
});
