// The local tracker's bugsnag server (src/local-tracker/vendors/bugsnag.ts), started by tests as a stub.
export * from '../../src/local-tracker/vendors/bugsnag';
