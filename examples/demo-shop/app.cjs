/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app, as many instrumented with @sentry/node are */
/* global require */
// The shop `release-health-gate demo` deploys: a small app instrumented with the official
// @sentry/node SDK the way the guide wires it. DSN, release and environment come from the
// environment; the user is set after "auth"; a breadcrumb marks "checkout submitted"; database
// errors share one custom fingerprint. Each simulated user is one release-health session, as a
// client app's would be. It plays DEMO_USERS users over DEMO_SECONDS seconds, then flushes.
//
// Release 2.0.0 turns on the cart cache ("Cache cart totals in the session"): a user whose
// cached cart expired gets `{}` back, and rendering it throws
// "TypeError: Cannot read properties of undefined (reading 'map')", an unhandled crash.
const Sentry = require('@sentry/node');

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.SENTRY_RELEASE,
  environment: process.env.SENTRY_ENVIRONMENT,
  // Each simulated user stands for another user's process: Dedupe would drop a crash identical
  // to the one before it, and the process-wide session would count one more session.
  integrations: (defaults) => defaults.filter((i) => i.name !== 'Dedupe' && i.name !== 'ProcessSession'),
});

const users = Number(process.env.DEMO_USERS ?? 600);
const seconds = Number(process.env.DEMO_SECONDS ?? 30);
const cartCache = process.env.SHOP_CART_CACHE === 'on';

class DatabaseError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DatabaseError';
  }
}

// A fixed sequence, so every demo run tells the same story.
let seed = 20260603;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function loadCart(user) {
  if (cartCache && user.cacheExpired) return {};
  return {
    items: [
      { sku: 'mug', price: 12 },
      { sku: 'tee', price: 25 },
    ],
  };
}

function renderCart(cart) {
  return cart.items.map((item) => item.price);
}

function checkout(user) {
  Sentry.addBreadcrumb({ category: 'checkout', message: 'checkout submitted' });
  try {
    if (user.deadlock) throw new DatabaseError(`deadlock detected on order ${Math.floor(random() * 1e6)}`);
    renderCart(loadCart(user));
  } catch (error) {
    if (error instanceof DatabaseError) {
      Sentry.withScope((scope) => {
        scope.setFingerprint(['database-error']);
        Sentry.captureException(error);
      });
    } else {
      Sentry.captureException(error, { mechanism: { type: 'onuncaughtexception', handled: false } });
    }
  }
}

async function main() {
  const gapMs = (seconds * 1000) / users;
  const started = Date.now();
  for (let i = 0; i < users; i++) {
    const wait = started + i * gapMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const user = { id: `user-${i}`, cacheExpired: random() < 0.06, deadlock: random() < 0.02 };
    // "auth": the user is known from here on.
    Sentry.setUser({ id: user.id });
    Sentry.startSession();
    checkout(user);
    // An event updates the session only once processed: flush before ending it.
    await Sentry.flush(5000);
    Sentry.endSession();
  }
  await Sentry.flush(5000);
}

main();
