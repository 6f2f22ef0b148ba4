import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
function t(n,r){let e=Date.parse(n);return Number.isFinite(e)&&e<=r+3e5?e:null}export{t as a};
