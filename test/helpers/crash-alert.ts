import { expect } from 'vitest';

/** The links the notify tests give the action: every notifier must carry both. */
export const LINKS = { runbook: 'https://wiki.example/runbooks/shop', dashboard: 'https://grafana.example/d/shop' } as const;
export const LINK_INPUTS = { 'runbook-url': LINKS.runbook, 'dashboard-url': LINKS.dashboard };

interface Alert {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generatorURL?: string;
}

/**
 * What the Alertmanager alert of a crash-spike fail on shop-web@2.0.0 must hold,
 * whether a stub or a real Alertmanager received it: the labels that make it one
 * alert across re-runs, the links, the previous release and the run it came from.
 */
export function expectCrashAlert(alert: Alert | undefined): void {
  expect(alert!.labels).toEqual({
    alertname: 'ReleaseHealthGate',
    severity: 'critical',
    environment: 'production',
    release: 'shop-web@2.0.0',
    service: 'shop-web',
    project: 'shop-web',
    check: 'crash-free-users',
    repository: 'acme/shop',
  });
  expect(alert!.annotations).toMatchObject({ runbook_url: LINKS.runbook, dashboard_url: LINKS.dashboard });
  expect(alert!.annotations!.description).toContain('Previous: shop-web@1.4.0');
  expect(alert!.generatorURL).toBe('https://github.example/acme/shop/actions/runs/4242/attempts/1');
}
