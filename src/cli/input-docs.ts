// Generated from action.yml by scripts/gen-docs.mjs: do not edit.
export const INPUT_DOCS: readonly { name: string; description: string; default: string }[] = [
  {
    "name": "sentry-url",
    "description": "Base URL of Sentry (https://sentry.io, a regional URL such as https://de.sentry.io, or your self-hosted URL), without a query or fragment; a trailing /api/0 is dropped. Falls back to env SENTRY_URL, then https://sentry.io. If the first request cannot connect (DNS, refused, TLS) the job fails at once naming this input.",
    "default": ""
  },
  {
    "name": "sentry-auth-token",
    "description": "Sentry user auth token (or internal integration token) with scopes project:releases, org:read and event:read; an organization token (sntrys_) only works with gate false. Falls back to env SENTRY_AUTH_TOKEN. Pass it from a secret.",
    "default": ""
  },
  {
    "name": "sentry-org",
    "description": "Sentry organization slug. Falls back to env SENTRY_ORG.",
    "default": ""
  },
  {
    "name": "sentry-projects",
    "description": "Sentry project slugs, separated by commas, spaces or newlines. Falls back to env SENTRY_PROJECT.",
    "default": ""
  },
  {
    "name": "release",
    "description": "Release version (at most 200 characters; no spaces, slashes, control characters, \"::\" or shell characters). Falls back to env SENTRY_RELEASE, then GITHUB_SHA.",
    "default": ""
  },
  {
    "name": "environment",
    "description": "Environment the release was deployed to.",
    "default": "production"
  },
  {
    "name": "register",
    "description": "Register the release (create, associate commits, record the deploy, finalize) before watching it.",
    "default": "true"
  },
  {
    "name": "set-commits",
    "description": "How to associate commits: auto (refs when the repository is connected to Sentry, else github), github (list them with the GitHub compare API), or skip.",
    "default": "auto"
  },
  {
    "name": "previous-commit",
    "description": "The commit of the previous release. Default: the previous release's last commit in Sentry, else the push event's before.",
    "default": ""
  },
  {
    "name": "finalize",
    "description": "Mark the release as released (dateReleased).",
    "default": "true"
  },
  {
    "name": "gate",
    "description": "Watch release health and decide. With false, only register.",
    "default": "true"
  },
  {
    "name": "window",
    "description": "How long to watch after the deploy (90s, 10m, 1h; a bare number is seconds). At most 24h, as every duration input.",
    "default": "10m"
  },
  {
    "name": "interval",
    "description": "Time between polls (at least 1s, at most window, and at most 10,000 polls in the window). Each poll costs one request to Sentry (two with max-error-rate, or on a Sentry without the rate fields), and the last one more.",
    "default": "1m"
  },
  {
    "name": "initial-delay",
    "description": "Time before the first poll. The first poll judges the sessions up to initial-delay minus settle, so the default shows it one settled minute.",
    "default": "2m"
  },
  {
    "name": "settle",
    "description": "How old data must be before it is judged (0s to 10m). Sentry's server SDKs send a crash at once but the healthy sessions around it up to a minute later, so the newest minute always looks worse than it is; each poll counts only up to now minus settle (on a whole minute), and the last poll comes settle after the window and judges it up to its end. 0s judges everything seen so far.",
    "default": "60s"
  },
  {
    "name": "min-crash-free-users",
    "description": "Lowest acceptable crash-free users rate (0.97 or 97%). off disables the check.",
    "default": "0.97"
  },
  {
    "name": "min-crash-free-sessions",
    "description": "Lowest acceptable crash-free sessions rate (0.995 or 99.5%). Empty or off means not checked.",
    "default": ""
  },
  {
    "name": "max-error-rate",
    "description": "Highest acceptable share of unhealthy (errored, crashed or abnormal) sessions (0.05 or 5%). Empty or off means not checked.",
    "default": ""
  },
  {
    "name": "max-new-issue-users",
    "description": "Fail when an issue first seen in this release affects more than this many users. Empty disables the check.",
    "default": ""
  },
  {
    "name": "min-sessions",
    "description": "Sessions needed at the end of the window to pass; fewer gives inconclusive.",
    "default": "100"
  },
  {
    "name": "confidence",
    "description": "Confidence of a fail, 0.5 to 0.9999 (or 50% to 99.99%). The chance of rolling back a release that is within its limits stays below 1 - confidence however often the gate polls.",
    "default": "0.95"
  },
  {
    "name": "baseline",
    "description": "none, or previous-release: compare against the previous release over a comparable window before this deploy.",
    "default": "none"
  },
  {
    "name": "max-crash-rate-increase",
    "description": "With baseline previous-release, the allowed absolute increase of the crash rate over the baseline (0.005 = +0.5 percentage points).",
    "default": ""
  },
  {
    "name": "pass-early",
    "description": "Kept so workflows that set it keep working; it changes nothing: no check can pass early validly (a user or session counted healthy can still crash later in the window), so the gate always watches the whole window.",
    "default": "false"
  },
  {
    "name": "pass-margin",
    "description": "At the window end, pass only when the data rule out a regression of this multiple of each limit (the upper confidence bound of every bad rate is below it), else inconclusive, naming the rate that cannot be ruled out. 2x, 1.5x, ... or off.",
    "default": "2x"
  },
  {
    "name": "on-inconclusive",
    "description": "What an inconclusive verdict does to the job: pass (warning only) or fail.",
    "default": "pass"
  },
  {
    "name": "dry-run",
    "description": "Compute and report everything, but change nothing - never fail the job, dispatch a rollback, post to a notifier or set the GitHub deployment status - and say what would have been done.",
    "default": "false"
  },
  {
    "name": "rollback-workflow",
    "description": "Workflow file name (rollback.yml) or id to dispatch when the gate fails. Needs permissions actions write.",
    "default": ""
  },
  {
    "name": "rollback-ref",
    "description": "Git ref to run the rollback workflow on. Default: the repository's default branch.",
    "default": ""
  },
  {
    "name": "github-token",
    "description": "Token for the GitHub API (commits, rollback dispatch, deployment status).",
    "default": "${{ github.token }}"
  },
  {
    "name": "github-deployment-id",
    "description": "A GitHub deployment id whose status is set to success or failure with the verdict.",
    "default": ""
  },
  {
    "name": "runbook-url",
    "description": "Runbook link for on-call, shown in the alert.",
    "default": ""
  },
  {
    "name": "dashboard-url",
    "description": "Dashboard link for on-call, shown in the alert.",
    "default": ""
  },
  {
    "name": "pagerduty-routing-key",
    "description": "PagerDuty Events API v2 integration key (routing key) of the service to page. A fail triggers an incident (one per repository and environment, so a re-run does not page twice) and a later pass in the environment resolves it. Falls back to env PAGERDUTY_ROUTING_KEY. Pass it from a secret.",
    "default": ""
  },
  {
    "name": "pagerduty-url",
    "description": "Base URL of PagerDuty's Events API (https://events.eu.pagerduty.com for the EU service).",
    "default": "https://events.pagerduty.com"
  },
  {
    "name": "slack-webhook-url",
    "description": "Slack incoming webhook URL; each verdict in notify-on posts one Block Kit message to its channel. Falls back to env SLACK_WEBHOOK_URL. Pass it from a secret.",
    "default": ""
  },
  {
    "name": "alertmanager-url",
    "description": "Base URL of an Alertmanager (or Grafana's Alertmanager-compatible API, such as https://grafana.example/api/alertmanager/grafana); a fail posts an alert named ReleaseHealthGate, a later pass in the environment resolves it.",
    "default": ""
  },
  {
    "name": "alertmanager-headers",
    "description": "Headers for alertmanager-url, one \"Name: value\" a line (Authorization: Bearer <token>, X-Scope-OrgID: <tenant>). The values are treated as secrets.",
    "default": ""
  },
  {
    "name": "notify-on",
    "description": "Verdicts that notify: a list of fail, inconclusive, pass (or none). fail is critical, inconclusive a warning, pass info. A pass also resolves what an earlier fail opened in PagerDuty and Alertmanager, whatever this list says. Notifying never changes the verdict or the exit code; a dry run sends nothing and shows the payloads in the summary.",
    "default": "fail"
  },
  {
    "name": "prometheus-url",
    "description": "Base URL of a Prometheus-compatible query API (Prometheus, Grafana Mimir, Thanos, VictoriaMetrics, Cortex); queries go to <url>/api/v1/query.",
    "default": ""
  },
  {
    "name": "prometheus-headers",
    "description": "Extra headers for prometheus-url, one `Name: value` a line (X-Scope-OrgID for Mimir, Authorization: Bearer ...). Values are secrets: never printed.",
    "default": ""
  },
  {
    "name": "datadog-site",
    "description": "Datadog site (datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com) or the full URL of its API. Falls back to DD_SITE.",
    "default": ""
  },
  {
    "name": "datadog-api-key",
    "description": "Datadog API key. Falls back to the DD_API_KEY env variable.",
    "default": ""
  },
  {
    "name": "datadog-app-key",
    "description": "Datadog application key (scope timeseries_query). Falls back to the DD_APP_KEY env variable.",
    "default": ""
  },
  {
    "name": "checks",
    "description": "Symptom checks, a YAML list: ratio (name, source, bad, total, max), latency (name, source: prometheus, histogram, quantile, below) or threshold (name, source, query, min or max, for). $__range in a query is the time since the deploy. See Symptom checks in the README.",
    "default": ""
  },
  {
    "name": "tracker",
    "description": "The error tracker to register the release with and watch: sentry, bugsnag or rollbar. Each reads only its own inputs (sentry-*, bugsnag-*, rollbar-*); an input of another tracker, or a check the tracker cannot serve, is an error.",
    "default": "sentry"
  },
  {
    "name": "bugsnag-api-key",
    "description": "Bugsnag (tracker bugsnag) project notifier API key (32 hex digits), for the Build API that records the release. Required with register true.",
    "default": ""
  },
  {
    "name": "bugsnag-token",
    "description": "Bugsnag (tracker bugsnag) personal auth token for the Data Access API that reads release health. Falls back to env BUGSNAG_TOKEN. Required with gate true. Pass it from a secret.",
    "default": ""
  },
  {
    "name": "bugsnag-project-id",
    "description": "Bugsnag (tracker bugsnag) project id (24 hex digits) the Data Access API reads. Required with gate true.",
    "default": ""
  },
  {
    "name": "bugsnag-url",
    "description": "Bugsnag (tracker bugsnag) Data Access API base URL, for on-premise installations.",
    "default": "https://api.bugsnag.com"
  },
  {
    "name": "bugsnag-build-url",
    "description": "Bugsnag (tracker bugsnag) Build API URL, for on-premise installations.",
    "default": "https://build.bugsnag.com"
  },
  {
    "name": "rollbar-token",
    "description": "Rollbar (tracker rollbar) project access token with post_server_item or write (deploys) and read (health). Falls back to env ROLLBAR_ACCESS_TOKEN. Pass it from a secret.",
    "default": ""
  },
  {
    "name": "rollbar-url",
    "description": "Rollbar (tracker rollbar) API base URL.",
    "default": "https://api.rollbar.com"
  },
  {
    "name": "max-error-rate-increase",
    "description": "Rollbar (tracker rollbar) only. Fail when the error rate since the deploy exceeds this multiple (such as 2x) of the previous version's rate over a matched window before the deploy, by an anytime-valid test of Poisson rates. It does not adjust for traffic changes. Empty disables the check.",
    "default": ""
  }
];
