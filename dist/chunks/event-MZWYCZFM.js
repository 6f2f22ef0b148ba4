import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
import"./chunk-S4C3OBP2.js";var e=/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/,r=/^0+$/;function o(t){if(t===null||typeof t!="object")return null;let n=t.before;return typeof n!="string"||!e.test(n)||r.test(n)?null:n}export{o as pushBefore};
