import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
function e(n){return n instanceof Error?n.message:String(n)}export{e as a};
