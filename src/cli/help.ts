import { BOOLEAN_INPUTS } from './args';
import { INPUT_DOCS } from './input-docs';
import type { InputName } from '../config/schema';

const wrap = (text: string, indent: number, width = 96) => {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
};

export function helpText(): string {
  const flags = INPUT_DOCS.map(({ name, description, default: def }) => {
    const flag = BOOLEAN_INPUTS.has(name as InputName) ? `--${name} | --no-${name}` : `--${name} <value>`;
    const shownDefault = def && !def.includes('${{') ? ` (default: ${def})` : '';
    return `  ${flag}\n      ${wrap(description + shownDefault, 6)}`;
  }).join('\n');
  return `release-health-gate: register a release with Sentry, watch its health, and fail when it is unhealthy.

Usage:
  release-health-gate gate [flags]       register (unless --no-register), watch, decide
  release-health-gate register [flags]   register only (create, commits, deploy, finalize)
  release-health-gate replay FILE [flags]  decide recorded releases (JSON lines) with these thresholds
  release-health-gate demo [[--scenario] NAME] [--list]  the whole job against an embedded local tracker
  release-health-gate tracker [--scenario NAME] [--port N] [--log] [--help]  serve the local tracker alone

Flags (the action's inputs; SENTRY_URL, SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT and
SENTRY_RELEASE are read from the environment when the flag is not given):
${flags}

Other flags:
  --json                  print the outputs as one JSON object on stdout (logs go to stderr)
  --summary-file <path>   write the markdown summary there
  --report-file <path>    write the JSON report there (default: a file in the temp folder)
  --help                  this text

Exit codes:
  0  pass (also inconclusive, unless --on-inconclusive fail; and any dry run)
  1  fail: the release is unhealthy (or the tracker refused the request)
  2  bad configuration or flags (a URL or query the service cannot serve too)
  3  inconclusive with --on-inconclusive fail
  130  cancelled (SIGINT or SIGTERM) before a fail verdict
`;
}
