// The local tracker's rollbar server (src/local-tracker/vendors/rollbar.ts), started by tests as a stub.
export * from '../../src/local-tracker/vendors/rollbar';
