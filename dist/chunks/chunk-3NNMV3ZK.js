import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
var e=class extends Error{name="TrackerSetupError"},s=class extends e{constructor(d,t){super(t);this.input=d}input;name="InputSetupError"},n=class extends Error{name="TrackerAnswerError"},o=class extends e{name="ReleaseNotFoundError"};export{e as a,s as b,n as c,o as d};
